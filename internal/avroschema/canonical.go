package avroschema

import (
	"crypto/sha256"
	"strconv"
	"strings"

	"github.com/hamba/avro/v2"
)

// Canonical returns the Avro Parsing Canonical Form of a schema, as the
// specification defines it: full names, only the attributes that matter for
// reading (type, name, fields, symbols, items, values, size), in that order,
// no whitespace. Two schemas with the same canonical form read and write the
// same bytes.
//
// The registry's id de-duplication does not use this form: it follows
// Confluent's canonical string, which keeps doc, aliases and custom
// attributes.
func Canonical(s avro.Schema) string {
	var b strings.Builder
	writeCanonical(&b, s, map[string]bool{})
	return b.String()
}

func writeCanonical(b *strings.Builder, s avro.Schema, seen map[string]bool) {
	s = deref(s)
	switch t := s.(type) {
	case *avro.RecordSchema:
		if seen[t.FullName()] {
			b.WriteString(strconv.Quote(t.FullName()))
			return
		}
		seen[t.FullName()] = true
		b.WriteString(`{"name":`)
		b.WriteString(strconv.Quote(t.FullName()))
		if t.IsError() {
			b.WriteString(`,"type":"error","fields":[`)
		} else {
			b.WriteString(`,"type":"record","fields":[`)
		}
		for i, f := range t.Fields() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"name":`)
			b.WriteString(strconv.Quote(f.Name()))
			b.WriteString(`,"type":`)
			writeCanonical(b, f.Type(), seen)
			b.WriteByte('}')
		}
		b.WriteString("]}")
	case *avro.EnumSchema:
		if seen[t.FullName()] {
			b.WriteString(strconv.Quote(t.FullName()))
			return
		}
		seen[t.FullName()] = true
		b.WriteString(`{"name":`)
		b.WriteString(strconv.Quote(t.FullName()))
		b.WriteString(`,"type":"enum","symbols":[`)
		for i, sym := range t.Symbols() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(sym))
		}
		b.WriteString("]}")
	case *avro.FixedSchema:
		if seen[t.FullName()] {
			b.WriteString(strconv.Quote(t.FullName()))
			return
		}
		seen[t.FullName()] = true
		b.WriteString(`{"name":`)
		b.WriteString(strconv.Quote(t.FullName()))
		b.WriteString(`,"type":"fixed","size":`)
		b.WriteString(strconv.Itoa(t.Size()))
		b.WriteByte('}')
	case *avro.ArraySchema, *avro.MapSchema, *avro.UnionSchema:
		writeComposite(b, s, func(e avro.Schema) { writeCanonical(b, e, seen) })
	default:
		b.WriteString(strconv.Quote(string(s.Type())))
	}
}

// FingerprintCRC64 returns the CRC-64-AVRO (Rabin) fingerprint of the
// schema's Parsing Canonical Form, the one Avro's single-object encoding uses.
func FingerprintCRC64(s avro.Schema) uint64 {
	return crc64Avro([]byte(Canonical(s)))
}

// FingerprintSHA256 returns the SHA-256 fingerprint of the schema's Parsing
// Canonical Form.
func FingerprintSHA256(s avro.Schema) [32]byte {
	return sha256.Sum256([]byte(Canonical(s)))
}

// crc64Empty is the CRC-64-AVRO fingerprint seed from the specification.
const crc64Empty = 0xc15d213aa4d7a795

var crc64Table = func() [256]uint64 {
	var t [256]uint64
	for i := range t {
		fp := uint64(i)
		for j := 0; j < 8; j++ {
			fp = (fp >> 1) ^ (crc64Empty & -(fp & 1))
		}
		t[i] = fp
	}
	return t
}()

func crc64Avro(data []byte) uint64 {
	fp := uint64(crc64Empty)
	for _, c := range data {
		fp = (fp >> 8) ^ crc64Table[byte(fp)^c]
	}
	return fp
}

// writeComposite writes an array, map or union as its JSON form, each item,
// value or branch type by write, and reports whether s was one.
func writeComposite(b *strings.Builder, s avro.Schema, write func(avro.Schema)) bool {
	switch t := s.(type) {
	case *avro.ArraySchema:
		b.WriteString(`{"type":"array","items":`)
		write(t.Items())
		b.WriteByte('}')
	case *avro.MapSchema:
		b.WriteString(`{"type":"map","values":`)
		write(t.Values())
		b.WriteByte('}')
	case *avro.UnionSchema:
		b.WriteByte('[')
		for i, br := range t.Types() {
			if i > 0 {
				b.WriteByte(',')
			}
			write(br)
		}
		b.WriteByte(']')
	default:
		return false
	}
	return true
}

func deref(s avro.Schema) avro.Schema {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

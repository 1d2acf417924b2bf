package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"unsafe"
)

// Reference is a Confluent schema reference: a named type the schema uses,
// defined by version Version of Subject.
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Metadata is Confluent's schema metadata (data contracts). It is stored and
// returned, and is part of a schema's identity.
type Metadata struct {
	Tags       map[string][]string `json:"tags,omitempty"`
	Properties map[string]string   `json:"properties,omitempty"`
	Sensitive  []string            `json:"sensitive,omitempty"`
}

// empty reports whether m carries nothing.
func (m *Metadata) empty() bool {
	return m == nil || len(m.Tags) == 0 && len(m.Properties) == 0 && len(m.Sensitive) == 0
}

// Content is one schema as an id addresses it: the canonical text, its
// references and metadata. A Content never changes once created.
type Content struct {
	ID         int
	Context    string // the schema context the id belongs to
	SchemaType string // "" means AVRO
	Schema     string
	References []Reference
	Metadata   *Metadata

	key    [32]byte
	ssJSON atomic.Pointer[[]byte] // the GET /schemas/ids/{id} body, rendered by the first read
}

// Version is one version of a subject. A Version never changes: a soft
// delete replaces it with a copy marked Deleted.
type Version struct {
	Subject string
	Version int
	Content *Content
	Deleted bool

	json atomic.Pointer[[]byte] // rendered by the first read
}

// JSON returns the Confluent Schema entity of the version:
// {"subject","version","id","schemaType"?,"references"?,"metadata"?,"schema"}.
// It is rendered once, by the first call, so that the sequencer, which
// creates versions one after the other, does not spend its time on it.
// Callers must not modify it.
func (v *Version) JSON() []byte {
	if p := v.json.Load(); p != nil {
		return *p
	}
	b := v.render()
	v.json.Store(&b) // a concurrent first call renders the same bytes
	return b
}

// ID returns the version's schema id.
func (v *Version) ID() int { return v.Content.ID }

// contentKey is what ids are content-addressed by: type, canonical text,
// references and metadata.
func contentKey(schemaType, schema string, refs []Reference, md *Metadata) [32]byte {
	h := sha256.New()
	h.Write([]byte(schemaType))
	h.Write([]byte{0})
	// The hash only reads the bytes: hashed in place, not copied.
	h.Write(unsafe.Slice(unsafe.StringData(schema), len(schema)))
	h.Write([]byte{0})
	for _, r := range refs {
		fmt.Fprintf(h, "%q %q %d\x00", r.Name, r.Subject, r.Version)
	}
	if !md.empty() {
		b, _ := json.Marshal(md) // maps marshal with sorted keys
		h.Write(b)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// newContent returns the Content with id in schemaCtx.
func newContent(id int, schemaCtx, schemaType, schema string, refs []Reference, md *Metadata, key [32]byte) *Content {
	return &Content{ID: id, Context: schemaCtx, SchemaType: schemaType, Schema: schema, References: refs, Metadata: md, key: key}
}

// schemaJSON returns the GET /schemas/ids/{id} body of c, rendered by the
// first call: {"schema":…} plus schemaType, references and metadata when
// set.
func (c *Content) schemaJSON() []byte {
	if p := c.ssJSON.Load(); p != nil {
		return *p
	}
	b := c.render()
	c.ssJSON.Store(&b) // a concurrent first call renders the same bytes
	return b
}

// render writes the body schemaJSON returns.
func (c *Content) render() []byte {
	var b bytes.Buffer
	b.Grow(jsonStringLen(c.Schema) + 64)
	b.WriteByte('{')
	if c.SchemaType != "" {
		b.WriteString(`"schemaType":`)
		writeJSONString(&b, c.SchemaType)
		b.WriteByte(',')
	}
	b.WriteString(`"schema":`)
	writeJSONString(&b, c.Schema)
	c.writeRefsAndMetadata(&b)
	b.WriteByte('}')
	return b.Bytes()
}

func (c *Content) writeRefsAndMetadata(b *bytes.Buffer) {
	if len(c.References) > 0 {
		refs, _ := json.Marshal(c.References)
		b.WriteString(`,"references":`)
		b.Write(refs)
	}
	if c.Metadata != nil {
		md, _ := json.Marshal(c.Metadata)
		b.WriteString(`,"metadata":`)
		b.Write(md)
	}
}

// newVersionAndContent returns version version of subject, live, and the
// new content it holds, in one allocation: a new schema's version and
// content live as long as each other unless the schema is registered under
// another subject too, and one object is one less for the collector to mark.
func newVersionAndContent(subject string, version, id int, schemaCtx, schemaType, schema string, refs []Reference, md *Metadata, key [32]byte) (*Version, *Content) {
	vc := &struct {
		v Version
		c Content
	}{}
	vc.c = Content{ID: id, Context: schemaCtx, SchemaType: schemaType, Schema: schema, References: refs, Metadata: md, key: key}
	vc.v = Version{Subject: subject, Version: version, Content: &vc.c}
	return &vc.v, &vc.c
}

// newVersion returns version version of subject, live.
func newVersion(subject string, version int, c *Content) *Version {
	return &Version{Subject: subject, Version: version, Content: c}
}

// render writes the Schema entity JSON returns.
func (v *Version) render() []byte {
	c := v.Content
	var b bytes.Buffer
	b.Grow(jsonStringLen(c.Schema) + jsonStringLen(v.Subject) + 64)
	b.WriteString(`{"subject":`)
	writeJSONString(&b, v.Subject)
	b.WriteString(`,"version":`)
	b.WriteString(strconv.Itoa(v.Version))
	b.WriteString(`,"id":`)
	b.WriteString(strconv.Itoa(c.ID))
	if c.SchemaType != "" {
		b.WriteString(`,"schemaType":`)
		writeJSONString(&b, c.SchemaType)
	}
	c.writeRefsAndMetadata(&b)
	b.WriteString(`,"schema":`)
	writeJSONString(&b, c.Schema)
	b.WriteByte('}')
	return b.Bytes()
}

// softDeleted returns a copy of v marked Deleted. The Schema entity does not
// say whether a version is deleted, so the copy shares v's JSON.
func (v *Version) softDeleted() *Version {
	d := &Version{Subject: v.Subject, Version: v.Version, Content: v.Content, Deleted: true}
	if p := v.json.Load(); p != nil {
		d.json.Store(p)
	}
	return d
}

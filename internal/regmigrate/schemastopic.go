package regmigrate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// NewClient builds a franz-go client with the connection settings and the
// extra options given (cmd/edactl's Kafka client constructor).
type NewClient func(extra ...kgo.Opt) (*kgo.Client, error)

// TopicStats counts what ReadSchemasTopic read.
type TopicStats struct {
	Records   int            // records read
	ByKeyType map[string]int // records per key type (tombstones included)
	Skipped   int            // records of key types that carry no schema state (NOOP, and types edactl does not import)
}

// csKey is the key of a Confluent _schemas record (SchemaRegistryKey and
// its subclasses): keytype, subject (null for the global config and mode),
// version (SCHEMA keys) and magic.
type csKey struct {
	KeyType string  `json:"keytype"`
	Subject *string `json:"subject"`
	Version int     `json:"version"`
	Magic   int     `json:"magic"`
}

// csSchema is a SCHEMA value (SchemaValue).
type csSchema struct {
	Subject    string          `json:"subject"`
	Version    int             `json:"version"`
	ID         int             `json:"id"`
	SchemaType string          `json:"schemaType"`
	References []Reference     `json:"references"`
	Metadata   json.RawMessage `json:"metadata"`
	Schema     string          `json:"schema"`
	Deleted    bool            `json:"deleted"`
}

// csConfig is a CONFIG value (ConfigValue; the fields edactl keeps).
type csConfig struct {
	Compatibility      string `json:"compatibilityLevel"`
	Normalize          *bool  `json:"normalize"`
	CompatibilityGroup string `json:"compatibilityGroup"`
}

// csMode is a MODE value.
type csMode struct {
	Mode string `json:"mode"`
}

// csDeleteSubject is a DELETE_SUBJECT value: every version up to Version
// is soft deleted.
type csDeleteSubject struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// csClearSubject is a CLEAR_SUBJECT value: the subject's soft-deleted
// versions are gone.
type csClearSubject struct {
	Subject string `json:"subject"`
}

type svID struct {
	subject string
	version int
}

// schemasFold is the state a _schemas topic folds into, as Confluent's
// KafkaStoreMessageHandler and lookup cache build it: the last value of
// each key wins, a tombstone removes it.
type schemasFold struct {
	schemas map[svID]csSchema
	configs map[string]csConfig
	modes   map[string]string
}

// apply folds one record; off names it in errors.
func (f *schemasFold) apply(off string, key, value []byte) (keyType string, err error) {
	var k csKey
	if err := json.Unmarshal(key, &k); err != nil {
		return "", fmt.Errorf("%s: key: %v", off, err)
	}
	subject := ""
	if k.Subject != nil {
		subject = *k.Subject
	}
	decode := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(value))
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("%s: %s value: %v", off, k.KeyType, err)
		}
		return nil
	}
	switch k.KeyType {
	case "SCHEMA":
		if subject == "" || k.Version < 1 {
			return k.KeyType, fmt.Errorf("%s: SCHEMA key needs a subject and a version, got %s", off, key)
		}
		id := svID{subject, k.Version}
		if value == nil {
			delete(f.schemas, id) // a hard delete
			return k.KeyType, nil
		}
		var v csSchema
		if err := decode(&v); err != nil {
			return k.KeyType, err
		}
		if v.ID < 1 || v.Schema == "" {
			return k.KeyType, fmt.Errorf("%s: SCHEMA value of %s version %d: field id or schema missing", off, subject, k.Version)
		}
		f.schemas[id] = v
	case "CONFIG":
		if value == nil {
			delete(f.configs, subject)
			return k.KeyType, nil
		}
		var v csConfig
		if err := decode(&v); err != nil {
			return k.KeyType, err
		}
		f.configs[subject] = v
	case "MODE":
		if value == nil {
			delete(f.modes, subject)
			return k.KeyType, nil
		}
		var v csMode
		if err := decode(&v); err != nil {
			return k.KeyType, err
		}
		f.modes[subject] = v.Mode
	case "DELETE_SUBJECT":
		if value == nil {
			return k.KeyType, nil
		}
		var v csDeleteSubject
		if err := decode(&v); err != nil {
			return k.KeyType, err
		}
		if v.Subject == "" {
			v.Subject = subject
		}
		for id, s := range f.schemas {
			if id.subject == v.Subject && id.version <= v.Version {
				s.Deleted = true
				f.schemas[id] = s
			}
		}
	case "CLEAR_SUBJECT":
		if value == nil {
			return k.KeyType, nil
		}
		var v csClearSubject
		if err := decode(&v); err != nil {
			return k.KeyType, err
		}
		if v.Subject == "" {
			v.Subject = subject
		}
		for id, s := range f.schemas {
			if id.subject == v.Subject && s.Deleted {
				delete(f.schemas, id)
			}
		}
	}
	return k.KeyType, nil
}

// entries returns the folded state as export entries.
func (f *schemasFold) entries() []Entry {
	var out []Entry
	for id, s := range f.schemas {
		st := s.SchemaType
		if st == "AVRO" {
			st = ""
		}
		md := s.Metadata
		if string(md) == "null" {
			md = nil
		}
		out = append(out, Entry{Kind: KindSchema, Subject: id.subject, SchemaVersion: id.version, ID: s.ID, SchemaType: st,
			Schema: s.Schema, References: s.References, Metadata: md, Deleted: s.Deleted})
	}
	for scope, c := range f.configs {
		if c.Compatibility == "" && c.Normalize == nil && c.CompatibilityGroup == "" {
			continue
		}
		out = append(out, Entry{Kind: KindConfig, Subject: scope, Compatibility: strings.ToUpper(c.Compatibility), Normalize: c.Normalize, CompatibilityGroup: c.CompatibilityGroup})
	}
	for scope, m := range f.modes {
		out = append(out, Entry{Kind: KindMode, Subject: scope, Mode: m})
	}
	Sort(out)
	return out
}

// ReadSchemasTopic reads a Confluent Schema Registry _schemas topic from
// its start to its end offsets now, folds it as Confluent does (SCHEMA,
// CONFIG and MODE values, the last of each key winning; tombstones as hard
// deletes; DELETE_SUBJECT and CLEAR_SUBJECT; NOOP skipped) and returns the
// state as export entries, for a registry that no longer runs.
func ReadSchemasTopic(ctx context.Context, newClient NewClient, topic string) ([]Entry, TopicStats, error) {
	stats := TopicStats{ByKeyType: map[string]int{}}
	admCl, err := newClient()
	if err != nil {
		return nil, stats, err
	}
	adm := kadm.NewClient(admCl)
	starts, err := adm.ListStartOffsets(ctx, topic)
	if err == nil {
		err = starts.Error()
	}
	var ends kadm.ListedOffsets
	if err == nil {
		ends, err = adm.ListEndOffsets(ctx, topic)
		if err == nil {
			err = ends.Error()
		}
	}
	admCl.Close()
	if err != nil {
		return nil, stats, fmt.Errorf("topic %s: %w", topic, err)
	}
	if len(ends[topic]) == 0 {
		return nil, stats, fmt.Errorf("topic %s does not exist", topic)
	}
	f := &schemasFold{schemas: map[svID]csSchema{}, configs: map[string]csConfig{}, modes: map[string]string{}}
	parts := sortedPartitions(ends[topic])
	// Confluent's _schemas has one partition; with more, each is read in
	// offset order, one after the other.
	for _, p := range parts {
		start, end := starts[topic][p].Offset, ends[topic][p].Offset
		if start >= end {
			continue
		}
		err := consumeRange(ctx, newClient, topic, p, start, end, func(r *kgo.Record) error {
			stats.Records++
			kt, err := f.apply(fmt.Sprintf("%s[%d] offset %d", topic, p, r.Offset), r.Key, r.Value)
			if err != nil {
				return err
			}
			stats.ByKeyType[kt]++
			switch kt {
			case "SCHEMA", "CONFIG", "MODE", "DELETE_SUBJECT", "CLEAR_SUBJECT":
			default:
				stats.Skipped++
			}
			return nil
		})
		if err != nil {
			return nil, stats, err
		}
	}
	return f.entries(), stats, nil
}

func sortedPartitions(m map[int32]kadm.ListedOffset) []int32 {
	var out []int32
	for p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// consumeRange calls fn with every record of topic[p] in [start, end).
func consumeRange(ctx context.Context, newClient NewClient, topic string, p int32, start, end int64, fn func(*kgo.Record) error) error {
	cl, err := newClient(
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {p: kgo.NewOffset().At(start)}}),
		kgo.FetchMaxWait(200*time.Millisecond),
		// Transaction markers take offsets too: seeing them is how the
		// read knows it reached end.
		kgo.KeepControlRecords(),
	)
	if err != nil {
		return err
	}
	defer cl.Close()
	for {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		var ferr error
		fs.EachError(func(t string, p int32, err error) {
			if ferr == nil && !errors.Is(err, context.Canceled) {
				ferr = fmt.Errorf("read %s[%d]: %w", t, p, err)
			}
		})
		if ferr != nil {
			return ferr
		}
		var cbErr error
		done := false
		fs.EachRecord(func(r *kgo.Record) {
			if cbErr != nil || done {
				return
			}
			if r.Offset >= end {
				done = true
				return
			}
			if !r.Attrs.IsControl() {
				cbErr = fn(r)
			}
			if r.Offset+1 >= end {
				done = true
			}
		})
		if cbErr != nil {
			return cbErr
		}
		if done {
			return nil
		}
	}
}

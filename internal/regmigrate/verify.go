package regmigrate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/serde"
)

// Missing is a schema id that records use and the registry cannot resolve.
type Missing struct {
	ID      int    `json:"id"`
	Records int    `json:"records"` // records (keys and values) that use it
	First   string `json:"first"`   // where it was seen first: topic[partition] offset N key|value
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Records int       `json:"records"` // records scanned
	Framed  int       `json:"framed"`  // keys and values in the wire format
	IDs     int       `json:"ids"`     // distinct schema ids used
	Missing []Missing `json:"missing"` // ids the registry cannot resolve, by id
}

// Verify reads every record of topics (from since on; from the start when
// since is zero) up to their end offsets now, takes the schema id of every
// key and value in the wire format (magic byte 0, 4-byte id) and asks reg
// for each distinct id (GET /schemas/ids/{id}). The report lists every id
// the registry cannot resolve: an empty list is the proof a migration kept
// every id the topics use.
func Verify(ctx context.Context, newClient NewClient, reg *sr.Client, topics []string, since time.Time) (*VerifyReport, error) {
	admCl, err := newClient()
	if err != nil {
		return nil, err
	}
	adm := kadm.NewClient(admCl)
	var starts kadm.ListedOffsets
	if since.IsZero() {
		starts, err = adm.ListStartOffsets(ctx, topics...)
	} else {
		starts, err = adm.ListOffsetsAfterMilli(ctx, since.UnixMilli(), topics...)
	}
	if err == nil {
		err = starts.Error()
	}
	var ends kadm.ListedOffsets
	if err == nil {
		ends, err = adm.ListEndOffsets(ctx, topics...)
		if err == nil {
			err = ends.Error()
		}
	}
	admCl.Close()
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	rep := &VerifyReport{}
	type seen struct {
		n     int
		first string
	}
	ids := map[int]*seen{}
	note := func(where string, b []byte) {
		if !serde.IsFramed(b) {
			return
		}
		id, _, err := serde.ParseHeader(b)
		if err != nil {
			return
		}
		rep.Framed++
		s := ids[id]
		if s == nil {
			s = &seen{first: where}
			ids[id] = s
		}
		s.n++
	}
	for _, topic := range topics {
		if len(ends[topic]) == 0 {
			return nil, fmt.Errorf("topic %s does not exist", topic)
		}
		for _, p := range sortedPartitions(ends[topic]) {
			start, end := starts[topic][p].Offset, ends[topic][p].Offset
			if start < 0 || start >= end {
				continue
			}
			err := consumeRange(ctx, newClient, topic, p, start, end, func(r *kgo.Record) error {
				rep.Records++
				where := fmt.Sprintf("%s[%d] offset %d", topic, p, r.Offset)
				note(where+" key", r.Key)
				note(where+" value", r.Value)
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	rep.IDs = len(ids)
	sorted := make([]int, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	slices.Sort(sorted)
	for _, id := range sorted {
		var body struct{ Schema string }
		err := reg.Do(ctx, http.MethodGet, fmt.Sprintf("/schemas/ids/%d", id), nil, &body)
		var re *sr.ResponseError
		switch {
		case err == nil:
		case errors.As(err, &re) && re.StatusCode == http.StatusNotFound:
			rep.Missing = append(rep.Missing, Missing{ID: id, Records: ids[id].n, First: ids[id].first})
		default:
			return nil, fmt.Errorf("registry: schema %d: %w", id, err)
		}
	}
	return rep, nil
}

package registry

import (
	"io"

	"github.com/edactl/edactl/internal/atomicfile"

	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Snapshots. An instance started on a long log (a Kafka topic with 100,000
// schemas) need not fold it from offset 0: with WithSnapshotFile it keeps
// the folded state in a local file, written every WithSnapshotEvery records
// and at Close, and starts from the file, folding only the records after
// it. The file is a cache: it names the log offset it stands at and the
// hash of the record before that offset, and one that does not match the
// log (another topic of the same name, a log that was cut), or that this
// edactl cannot read, is ignored with a warning and the log is folded from
// the start. The published state is immutable, so writing the file holds
// up neither reads nor writes.

// snapshotFormat is the version of the snapshot file layout.
const snapshotFormat = 1

// snapshotMagic names the file format on its first field.
const snapshotMagic = "edactl-registry-snapshot"

type snapFile struct {
	Magic        string            `json:"format"`
	Version      int               `json:"version"`
	RecordFormat int               `json:"recordFormat"`
	Next         uint64            `json:"next"`
	LastHash     string            `json:"lastHash"`
	Contexts     []snapContext     `json:"contexts"`
	Subjects     []snapSubject     `json:"subjects"`
	Configs      map[string]Config `json:"configs,omitempty"`
	Modes        map[string]Mode   `json:"modes,omitempty"`
}

type snapContext struct {
	Name     string        `json:"name"`
	MaxID    int           `json:"maxID"`
	Retired  []int         `json:"retired,omitempty"`
	Contents []snapContent `json:"contents"`
}

type snapContent struct {
	ID         int         `json:"id"`
	SchemaType string      `json:"schemaType,omitempty"`
	Schema     string      `json:"schema"`
	References []Reference `json:"references,omitempty"`
	Metadata   *Metadata   `json:"metadata,omitempty"`
	// KeyOwner is set when this id is the one a lookup of its content
	// finds (the first registered, when an IMPORT gave one content two ids).
	KeyOwner bool `json:"keyOwner,omitempty"`
}

type snapSubject struct {
	Name     string        `json:"name"`
	Versions []snapVersion `json:"versions"`
}

type snapVersion struct {
	Version int  `json:"v"`
	ID      int  `json:"id"`
	Deleted bool `json:"deleted,omitempty"`
}

// WithSnapshotFile keeps a snapshot of the folded state in path (see
// snapshotfile.go), to start from it instead of folding the whole log.
func WithSnapshotFile(path string) Option { return func(c *config) { c.snapshotPath = path } }

// WithSnapshotEvery sets how many log records an instance folds between
// snapshots, overriding the default of 10,000.
func WithSnapshotEvery(n int) Option { return func(c *config) { c.snapshotEvery = n } }

func recordHash(rec []byte) string {
	h := sha256.Sum256(rec)
	return hex.EncodeToString(h[:])
}

// encodeSnapshot renders st; lastHash is the hash of the record at
// st.next-1.
func encodeSnapshot(st *state, lastHash string) *snapFile {
	f := &snapFile{Magic: snapshotMagic, Version: snapshotFormat, RecordFormat: recordFormat, Next: st.next, LastHash: lastHash,
		Configs: map[string]Config{}, Modes: map[string]Mode{}}
	for name, cs := range st.contexts.all {
		sc := snapContext{Name: name, MaxID: cs.maxID}
		for id := range cs.retired.all {
			sc.Retired = append(sc.Retired, id)
		}
		slices.Sort(sc.Retired)
		for id, c := range cs.byID.all {
			sc.Contents = append(sc.Contents, snapContent{ID: id, SchemaType: c.SchemaType, Schema: c.Schema,
				References: c.References, Metadata: c.Metadata, KeyOwner: cs.byKey.at(c.key) == id})
		}
		slices.SortFunc(sc.Contents, func(a, b snapContent) int { return a.ID - b.ID })
		f.Contexts = append(f.Contexts, sc)
	}
	slices.SortFunc(f.Contexts, func(a, b snapContext) int { return compareStrings(a.Name, b.Name) })
	for name, sub := range st.subjects.all {
		ss := snapSubject{Name: name}
		for _, v := range sub.versions {
			ss.Versions = append(ss.Versions, snapVersion{Version: v.Version, ID: v.Content.ID, Deleted: v.Deleted})
		}
		f.Subjects = append(f.Subjects, ss)
	}
	slices.SortFunc(f.Subjects, func(a, b snapSubject) int { return compareStrings(a.Name, b.Name) })
	for k, c := range st.configs.all {
		f.Configs[k] = c
	}
	for k, m := range st.modes.all {
		f.Modes[k] = m
	}
	return f
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// restore builds the state a snapshot describes. It checks what the fold
// would have guaranteed (versions name existing ids, references resolve),
// so a damaged file is refused rather than served.
func (f *snapFile) restore() (*state, error) {
	st := newState()
	// Nobody sees the state before it is returned: one edit for the whole
	// restore changes the maps in place instead of copying paths.
	st.edit = newEdit()
	for _, sc := range f.Contexts {
		cs := st.newContextState()
		cs.maxID = sc.MaxID
		for _, id := range sc.Retired {
			cs.retired = cs.retired.setIn(st.edit, id, struct{}{})
		}
		for _, c := range sc.Contents {
			md := c.Metadata
			if md.empty() {
				md = nil
			}
			key := contentKey(c.SchemaType, c.Schema, c.References, md)
			cs.byID = cs.byID.setIn(st.edit, c.ID, newContent(c.ID, sc.Name, c.SchemaType, c.Schema, c.References, md, key))
			if c.KeyOwner {
				cs.byKey = cs.byKey.setIn(st.edit, key, c.ID)
			}
		}
		for cs.freeFrom <= maxIDOrVersion && cs.used(cs.freeFrom) {
			cs.freeFrom++
		}
		st.contexts = st.contexts.setIn(st.edit, sc.Name, cs)
	}
	for _, ss := range f.Subjects {
		schemaCtx, _ := SplitSubject(ss.Name)
		cs := st.context(schemaCtx)
		if cs == nil {
			return nil, fmt.Errorf("subject %s: its context %q is missing", ss.Name, schemaCtx)
		}
		sub := newSubjectState(ss.Name)
		for _, v := range ss.Versions {
			c := cs.byID.at(v.ID)
			if c == nil {
				return nil, fmt.Errorf("subject %s version %d: id %d is missing", ss.Name, v.Version, v.ID)
			}
			st.insertVersion(sub, cs, newVersion(ss.Name, v.Version, c), false)
			if v.Deleted {
				i, _ := sub.find(v.Version)
				st.softDelete(sub, i)
			}
		}
		st.subjects = st.subjects.setIn(st.edit, ss.Name, sub)
	}
	for name, sub := range st.subjects.all {
		for _, v := range sub.versions {
			for _, ref := range v.Content.References {
				if _, err := st.lookupRef(ref); err != nil && !v.Deleted {
					return nil, fmt.Errorf("subject %s version %d: reference %q does not resolve", name, v.Version, ref.Name)
				}
			}
		}
	}
	for k, c := range f.Configs {
		st.configs = st.configs.setIn(st.edit, k, c)
	}
	for k, m := range f.Modes {
		st.modes = st.modes.setIn(st.edit, k, m)
	}
	st.next = f.Next
	st.edit.close()
	st.edit = nil
	return st, nil
}

// loadSnapshot reads the snapshot file, nil if there is none.
func loadSnapshot(path string) (*snapFile, error) {
	file, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var f snapFile
	if err := json.NewDecoder(bufio.NewReaderSize(file, 1<<20)).Decode(&f); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	if f.Magic != snapshotMagic {
		return nil, fmt.Errorf("%s is not a registry snapshot", path)
	}
	if f.Version != snapshotFormat || f.RecordFormat > recordFormat {
		return nil, fmt.Errorf("%s was written by another edactl (snapshot format %d, record format %d)", path, f.Version, f.RecordFormat)
	}
	return &f, nil
}

// writeSnapshot writes st to the snapshot file (a temporary file renamed
// over it, so a crash leaves the old one).
func (r *Registry) writeSnapshot(st *state, lastHash string) error {
	start := time.Now()
	path := r.cfg.snapshotPath
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(encodeSnapshot(st, lastHash))
	})
	if err != nil {
		return err
	}
	r.logger.Info("registry snapshot written", "path", path, "offset", st.next, "duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// startState returns the state to fold the log from: the snapshot's, if
// there is a usable one, else the empty state. lastHash reads the record at
// offset n-1 of the log and returns its hash ("" if the log has no such
// record).
func (r *Registry) startState(lastHash func(n uint64) (string, error)) *state {
	if r.cfg.snapshotPath == "" {
		return newState()
	}
	f, err := loadSnapshot(r.cfg.snapshotPath)
	if err != nil {
		r.logger.Warn("registry snapshot ignored; folding the whole log", "error", err)
		return newState()
	}
	if f == nil {
		return newState()
	}
	if f.Next > 0 {
		h, err := lastHash(f.Next)
		if err != nil || h != f.LastHash {
			r.logger.Warn("registry snapshot does not match the log (another log, or one that was cut); folding the whole log",
				"path", r.cfg.snapshotPath, "offset", f.Next, "error", err)
			return newState()
		}
	}
	st, err := f.restore()
	if err != nil {
		r.logger.Warn("registry snapshot is damaged; folding the whole log", "path", r.cfg.snapshotPath, "error", err)
		return newState()
	}
	r.logger.Info("registry snapshot loaded", "path", r.cfg.snapshotPath, "offset", f.Next)
	return st
}

// errStopReplay ends a Replay that read what it needed.
var errStopReplay = errors.New("stop")

// lastRecordHash returns the hash of the record at offset n-1 of log, ""
// if the log has no such record.
func lastRecordHash(ctx context.Context, log interface {
	Replay(context.Context, uint64, func(uint64, []byte) error) error
}, n uint64) (string, error) {
	h := ""
	err := log.Replay(ctx, n-1, func(off uint64, rec []byte) error {
		if off == n-1 {
			h = recordHash(rec)
		}
		return errStopReplay
	})
	if err != nil && !errors.Is(err, errStopReplay) {
		return "", err
	}
	return h, nil
}

// noteHash remembers the hash of the record just folded (when snapshots
// are kept), for the next snapshot to name.
func (r *Registry) noteHash(rec []byte) {
	if r.cfg.snapshotPath == "" {
		return
	}
	h := recordHash(rec)
	r.snapMu.Lock()
	r.lastHash = h
	r.snapMu.Unlock()
}

// maybeSnapshot writes a snapshot of st in the background when
// snapshotEvery records were folded since the last one and none is being
// written. st must be published (immutable) and the last record folded.
func (r *Registry) maybeSnapshot(st *state) {
	if r.cfg.snapshotPath == "" {
		return
	}
	r.snapMu.Lock()
	defer r.snapMu.Unlock()
	if r.snapWriting || st.next < r.snapAt+uint64(r.cfg.snapshotEvery) {
		return
	}
	r.snapWriting = true
	hash := r.lastHash
	r.snapDone.Add(1)
	go func() {
		defer r.snapDone.Done()
		err := r.writeSnapshot(st, hash)
		r.snapMu.Lock()
		r.snapWriting = false
		if err == nil {
			r.snapAt = st.next
		}
		r.snapMu.Unlock()
		if err != nil {
			r.logger.Warn("registry snapshot not written", "path", r.cfg.snapshotPath, "error", err)
		}
	}()
}

// finalSnapshot waits for a snapshot being written and writes one of the
// last published state if it is ahead of the file.
func (r *Registry) finalSnapshot() {
	if r.cfg.snapshotPath == "" {
		return
	}
	r.snapDone.Wait()
	st := r.snapshot()
	r.snapMu.Lock()
	ahead, hash := st.next > r.snapAt, r.lastHash
	r.snapMu.Unlock()
	if !ahead {
		return
	}
	if err := r.writeSnapshot(st, hash); err != nil {
		r.logger.Warn("registry snapshot not written", "path", r.cfg.snapshotPath, "error", err)
	}
}

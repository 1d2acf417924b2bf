package stream

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode/utf8"

	"github.com/edactl/edactl/internal/termtext"
)

// UndoFileName is the name an undo file for p gets by default:
// GROUP-TIME.csv, with the group made safe as a file name (path
// separators, colons, control and invisible characters and invalid UTF-8
// become '_') and the plan's
// creation time in UTC to the millisecond.
func (p *Plan) UndoFileName() string {
	group := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < 0x20 || r == 0x7f || r >= utf8.RuneSelf && !termtext.Visible(r) {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(p.Group, "_"))
	return fmt.Sprintf("%s-%s.csv", group, p.Created.UTC().Format("20060102T150405.000Z"))
}

// WriteUndoFile writes the offsets that undo p (UndoRows) to path in Kafka's
// CSV and syncs the file and its directory, so it is on disk (name
// included) before the rewind is committed.
// An existing file is never overwritten: with nextFree the first free name
// of path-2.csv, path-3.csv, ... is used instead, without it the write
// fails. It returns the path written.
func WriteUndoFile(path string, p *Plan, nextFree bool) (string, error) {
	if err := mkdirAllSynced(filepath.Dir(path)); err != nil {
		return "", fmt.Errorf("undo file: %w", err)
	}
	stem := strings.TrimSuffix(path, ".csv")
	for n := 1; ; n++ {
		name := path
		if n > 1 {
			name = fmt.Sprintf("%s-%d.csv", stem, n)
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) && nextFree && n < 100 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("undo file: %w", err)
		}
		if err := WriteOffsetsCSV(f, p.undoRows()); err != nil {
			f.Close()
			return "", fmt.Errorf("undo file %s: %w", name, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return "", fmt.Errorf("undo file %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return "", fmt.Errorf("undo file %s: %w", name, err)
		}
		if err := syncDir(filepath.Dir(name)); err != nil {
			return "", fmt.Errorf("undo file %s: sync directory: %w", name, err)
		}
		return name, nil
	}
}

// mkdirAllSynced creates dir and any missing parents, and syncs the parent
// of each directory it created, so the new entries survive a crash too.
func mkdirAllSynced(dir string) error {
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range created {
		if err := syncDir(filepath.Dir(d)); err != nil {
			return fmt.Errorf("sync directory %s: %w", filepath.Dir(d), err)
		}
	}
	return nil
}

// syncDir fsyncs a directory so a file just created in it survives a crash.
// Systems that cannot sync a directory (Windows) are not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) && runtime.GOOS != "windows" {
		return err
	}
	return nil
}

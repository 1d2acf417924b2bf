package gate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path"
	"reflect"
	"strconv"
	"strings"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/schemas"
)

// publishedFile is a version file at the git baseline.
type publishedFile struct {
	rel     string // path relative to the schema root: "<domain>/<event>/vN.avsc"
	oid     string
	content []byte
}

// gitFiles returns the files under root (relative to dir) at git revision
// ref, with their contents; rel is each one's path as git lists it.
func gitFiles(ctx context.Context, dir, ref, root string) ([]*publishedFile, error) {
	if dir == "" {
		dir = "."
	}
	if err := verifyRef(ctx, dir, ref); err != nil {
		return nil, err
	}
	out, err := git(ctx, dir, nil, "ls-tree", "-r", "-z", ref, "--", root+"/")
	if err != nil {
		return nil, fmt.Errorf("git:%s: %w", ref, err)
	}
	var files []*publishedFile
	for _, entry := range bytes.Split(out, []byte{0}) {
		meta, p, ok := strings.Cut(string(entry), "\t")
		if !ok {
			continue
		}
		fields := strings.Fields(meta)
		if len(fields) != 3 || fields[1] != "blob" {
			continue
		}
		files = append(files, &publishedFile{rel: p, oid: fields[2]})
	}
	if len(files) == 0 {
		return nil, nil
	}
	if err := readBlobs(ctx, dir, files); err != nil {
		return nil, fmt.Errorf("git:%s: %w", ref, err)
	}
	return files, nil
}

// checkGit compares the tree with the version files at git revision ref.
func checkGit(ctx context.Context, tree *schemas.Tree, dir, ref string) ([]schemas.Finding, error) {
	root := tree.Config.Dir()
	all, err := gitFiles(ctx, dir, ref, root)
	if err != nil {
		return nil, err
	}
	var files []*publishedFile
	for _, f := range all {
		rel := strings.TrimPrefix(f.rel, root+"/")
		if root == "." {
			rel = f.rel
		}
		parts := strings.Split(rel, "/")
		if len(parts) != 3 || !isVersionFile(parts[2]) || strings.HasPrefix(parts[0], ".") || strings.HasPrefix(parts[1], ".") {
			continue
		}
		f.rel = rel
		files = append(files, f)
	}

	var out2 []schemas.Finding
	for _, pf := range files {
		parts := strings.Split(pf.rel, "/")
		id := parts[0] + "/" + parts[1]
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(parts[2], "v"), ".avsc"))
		display := path.Join(tree.Dir, pf.rel)
		e := tree.Event(id)
		var local *schemas.Version
		if e != nil {
			for _, v := range e.Versions {
				if v.Number == n {
					local = v
				}
			}
		}
		if local == nil {
			f := schemas.Finding{File: display, Line: 1, Event: id, Version: n, Rule: RulePublishedDeleted, Severity: schemas.Error,
				Message: fmt.Sprintf("v%d.avsc is published at git:%s but was deleted or moved: published versions stay in the tree", n, ref)}
			if e != nil {
				f.Subject = e.Subject
			}
			out2 = append(out2, f)
			continue
		}
		if sameJSON(local.Source, pf.content) {
			continue
		}
		line := firstDiffLine(local.Source, pf.content)
		out2 = append(out2, schemas.Finding{File: local.File, Line: line, Event: id, Version: n, Subject: e.Subject,
			Rule: RulePublishedChanged, Severity: schemas.Error,
			Message: fmt.Sprintf("v%d.avsc differs from its published version at git:%s (from line %d): published versions never change; put the change in v%d.avsc",
				n, ref, line, e.Versions[len(e.Versions)-1].Number+1)})
	}
	return out2, nil
}

// verifyRef checks that ref names a commit of the repository dir is in.
func verifyRef(ctx context.Context, dir, ref string) error {
	if _, err := git(ctx, dir, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		if _, err2 := git(ctx, dir, nil, "rev-parse", "--git-dir"); err2 != nil {
			return fmt.Errorf("%w: git:%s: %s is not in a git repository", ErrBaseline, ref, dir)
		}
		return fmt.Errorf("%w: git:%s: unknown revision (fetch it first, e.g. git fetch origin main)", ErrBaseline, ref)
	}
	return nil
}

func isVersionFile(name string) bool {
	s, ok := strings.CutSuffix(name, ".avsc")
	if !ok || len(s) < 2 || s[0] != 'v' || s[1] == '0' {
		return false
	}
	n, err := strconv.Atoi(s[1:])
	return err == nil && n > 0 && strconv.Itoa(n) == s[1:]
}

// readBlobs fills in the content of files with one `git cat-file --batch`.
func readBlobs(ctx context.Context, dir string, files []*publishedFile) error {
	if len(files) == 0 {
		return nil
	}
	var in bytes.Buffer
	for _, f := range files {
		in.WriteString(f.oid)
		in.WriteByte('\n')
	}
	out, err := git(ctx, dir, &in, "cat-file", "--batch")
	if err != nil {
		return err
	}
	br := bufio.NewReader(bytes.NewReader(out))
	for _, f := range files {
		header, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("cat-file: %w", err)
		}
		fields := strings.Fields(header)
		if len(fields) != 3 || fields[0] != f.oid {
			return fmt.Errorf("cat-file: unexpected header %q for %s", strings.TrimSpace(header), f.rel)
		}
		size, err := strconv.Atoi(fields[2])
		if err != nil {
			return fmt.Errorf("cat-file: bad size in %q", strings.TrimSpace(header))
		}
		f.content = make([]byte, size)
		if _, err := io.ReadFull(br, f.content); err != nil {
			return fmt.Errorf("cat-file: %w", err)
		}
		if _, err := br.ReadByte(); err != nil { // trailing newline
			return fmt.Errorf("cat-file: %w", err)
		}
	}
	return nil
}

// git runs git in dir and returns its standard output; the error carries
// git's standard error.
func git(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", args[0], msg)
	}
	return stdout.Bytes(), nil
}

// sameJSON reports whether two schema texts are the same JSON value
// (whitespace and key order aside).
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	va, ok1 := decodeJSON(a)
	vb, ok2 := decodeJSON(b)
	return ok1 && ok2 && reflect.DeepEqual(va, vb)
}

func decodeJSON(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// sameSchema is sameJSON, or the same schema once both are parsed and
// written back by the Avro library: registries store schemas in a
// normalised form ("string" for {"type":"string"}, inherited namespaces
// dropped), which is not a change. Docs, defaults, aliases and custom
// attributes still count.
func sameSchema(local, registered []byte) bool {
	if sameJSON(local, registered) {
		return true
	}
	a, err1 := avroschema.Parse(string(local))
	b, err2 := avroschema.Parse(string(registered))
	if err1 != nil || err2 != nil {
		return false
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && sameJSON(ja, jb)
}

// firstDiffLine returns the first line where a and b differ (1-based).
func firstDiffLine(a, b []byte) int {
	la := bytes.Split(a, []byte("\n"))
	lb := bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(bytes.TrimRight(la[i], "\r"), bytes.TrimRight(lb[i], "\r")) {
			return i + 1
		}
	}
	return min(len(la), len(lb)+1)
}

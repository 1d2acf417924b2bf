package gate

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edactl/edactl/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// copyTree copies the directory src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// pullRequest makes a git repository whose one commit holds
// testdata/markdown/base, then adds testdata/markdown/change to its work
// tree: the state of a pull request against that commit.
func pullRequest(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	copyTree(t, filepath.Join("testdata", "markdown", "base"), dir)
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "."},
		{"-c", "user.name=edactl", "-c", "user.email=edactl@example.com", "commit", "-q", "-m", "base"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	copyTree(t, filepath.Join("testdata", "markdown", "change"), dir)
	return dir
}

func markdownReport(t *testing.T, dir string, opts Options) (string, *Report) {
	t.Helper()
	ctx := context.Background()
	tree, err := schemas.Load(ctx, filepath.Join(dir, "edactl.yaml"), schemas.WithDisplayDir("."))
	if err != nil {
		t.Fatal(err)
	}
	opts.Dir = dir
	r, err := Check(ctx, tree, opts)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteMarkdown(ctx, &b, tree, r, opts); err != nil {
		t.Fatal(err)
	}
	return b.String(), r
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "markdown", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("markdown report differs from %s (go test -update rewrites it):\n--- got\n%s", path, got)
	}
}

// TestMarkdownPullRequest: against the pull request's base commit, a tree
// with one breaking change (shop/order-placed v2: a long narrowed to int,
// a field without a default), one compatible change (shop/payment-captured
// v2: a field with a default) and one new event gives the golden report.
func TestMarkdownPullRequest(t *testing.T) {
	dir := pullRequest(t)
	got, r := markdownReport(t, dir, Options{GitRef: "main"})
	if r.OK {
		t.Fatalf("the breaking change passed the check: %+v", r.Findings)
	}
	golden(t, "pull-request.md", got)

	first, _, _ := strings.Cut(got, "\n")
	for _, want := range []string{"edactl check: failed", "3 changed event(s): 1 breaking, 1 compatible, 1 new", "5 service(s) affected"} {
		if !strings.Contains(first, want) {
			t.Errorf("summary line %q lacks %q", first, want)
		}
	}
	for _, want := range []string{
		"| `shop/order-placed` | v1 → v2 | BACKWARD | ❌ breaking | checkout | payments, shipping |",
		"| `shop/payment-captured` | v1 → v2 | BACKWARD | ✅ compatible | payments | orders, accounting |",
		"| `shop/refund-issued` | new → v1 | BACKWARD | 🆕 new | payments | accounting |",
		"`OrderPlaced.totalCents: TYPE_CHANGED: long → int`",
		"`PaymentCaptured.method: FIELD_ADDED: string = \"card\"`",
		"`READER_FIELD_MISSING_DEFAULT_VALUE` **error**",
		"v2 breaks BACKWARD, the level this event requires, so the registry refuses it",
		"consumers (payments, shipping) keep reading it with their version, but cannot move to v2",
		"No order to keep: producers (payments) may write v2 and consumers (orders, accounting) may upgrade in any order.",
		"New event: producers (payments) start publishing to `shop.refunds`; consumers (accounting) subscribe.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestMarkdownEditedPublishedVersion: editing a version that exists at the
// baseline names the event as changed, even with no new version.
func TestMarkdownEditedPublishedVersion(t *testing.T) {
	dir := pullRequest(t)
	for _, p := range []string{"order-placed/v2.avsc", "payment-captured/v2.avsc"} {
		if err := os.Remove(filepath.Join(dir, "schemas", "shop", filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(filepath.Join(dir, "schemas", "shop", "refund-issued")); err != nil {
		t.Fatal(err)
	}
	v1 := filepath.Join(dir, "schemas", "shop", "payment-captured", "v1.avsc")
	data, _ := os.ReadFile(v1)
	if err := os.WriteFile(v1, bytes.Replace(data, []byte("Amount in cents."), []byte("Amount captured, in cents."), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ := markdownReport(t, dir, Options{GitRef: "main"})
	for _, want := range []string{
		"1 changed event(s): 1 breaking, 0 compatible, 0 new",
		"| `shop/payment-captured` | v1 edited |",
		"`PUBLISHED_VERSION_CHANGED` **error**",
		"v1 was published and changed or removed",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "shop/order-placed") {
		t.Errorf("an unchanged event is reported as changed:\n%s", got)
	}
}

// TestMarkdownEscapesUntrustedText: schema text cannot inject Markdown or
// HTML into the comment.
func TestMarkdownEscapesUntrustedText(t *testing.T) {
	for in, want := range map[string]string{
		"<img src=x onerror=alert(1)>": "&lt;img src=x onerror=alert(1)&gt;",
		"a|b\nc":                       "a\\|b c",
		"**bold** [x](y)":              "\\*\\*bold\\*\\* \\[x\\](y)",
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := mdCode("a`b"); got != "``a`b``" {
		t.Errorf("mdCode = %q", got)
	}
}

package catalogue

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "copy the catalogue's screenshots to docs/")

// chromium returns Debian's chromium, or skips saying why.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("chromium is not installed (apt-get install chromium, as .ci/run does), so the HTML catalogue is not rendered")
	return ""
}

// consoleLine is how chromium logs a page's console message and uncaught
// errors with --enable-logging=stderr: `...:INFO:CONSOLE(12)] "message", source: URL (12)`.
var consoleLine = regexp.MustCompile(`:CONSOLE[:(]\d*\)?\] (.*)`)

// browse runs headless chromium on url with the extra flags and returns its
// standard output and the page's console messages.
func browse(t *testing.T, bin, url string, extra ...string) (stdout []byte, console []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
	}
	cmd := exec.CommandContext(ctx, bin, append(append(args, extra...), url)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, errOut.String())
	}
	for _, l := range strings.Split(errOut.String(), "\n") {
		if m := consoleLine.FindStringSubmatch(l); m != nil {
			console = append(console, m[1])
		}
	}
	return out.Bytes(), console
}

// screenshot renders url into a PNG of the window's size and returns the
// console messages.
func screenshot(t *testing.T, bin, url, file string, w, h int) []string {
	t.Helper()
	_, console := browse(t, bin, url, "--screenshot="+file, fmt.Sprintf("--window-size=%d,%d", w, h))
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no screenshot of %s: %v", url, err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot of %s: %v", url, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("screenshot of %s is %dx%d, want %dx%d", url, b.Dx(), b.Dy(), w, h)
	}
	if n := colours(img); n < 16 {
		t.Errorf("screenshot of %s has %d colours: the page did not render", url, n)
	}
	return console
}

func colours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	return len(seen)
}

// TestCatalogueRendersInChromium renders the sample catalogue from file://
// in headless Debian chromium: the index and one event page render with no
// console message (no script error, nothing logged), the search finds a
// field, and the version picker opens the newest pair's changes. With
// -update-screenshots the screenshots are copied to docs/.
func TestCatalogueRendersInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	if err := Write(dir, sampleFiles(t)); err != nil {
		t.Fatal(err)
	}
	url := func(p string) string { return "file://" + filepath.ToSlash(filepath.Join(dir, p)) }
	shots := t.TempDir()
	for _, page := range []struct {
		path, shot string
		w, h       int
	}{
		{"index.html", "catalogue-index.png", 1280, 1620},
		{"events/orders/order-placed.html", "catalogue-event.png", 1280, 1800},
	} {
		file := filepath.Join(shots, page.shot)
		if console := screenshot(t, bin, url(page.path), file, page.w, page.h); len(console) > 0 {
			t.Errorf("%s: console messages:\n  %s", page.path, strings.Join(console, "\n  "))
		}
		if *updateScreenshots {
			data, _ := os.ReadFile(file)
			if err := os.WriteFile(filepath.Join("..", "..", "docs", page.shot), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The search, run by the page's own script (#q= fills the box).
	dom, console := browse(t, bin, url("index.html")+"#q=totalcents", "--dump-dom")
	if len(console) > 0 {
		t.Errorf("search: console messages: %q", console)
	}
	for _, want := range []string{
		`<a href="events/orders/order-placed.html#field-totalCents">orders/order-placed · field totalCents</a>`,
		`<a href="events/orders/order-summary.html#field-totalCents">orders/order-summary · field totalCents</a>`,
	} {
		if !bytes.Contains(dom, []byte(want)) {
			t.Errorf("search for totalcents: the results lack %s", want)
		}
	}
	if !regexp.MustCompile(`<tr data-event="payments/payment-captured" hidden="">`).Match(dom) {
		t.Errorf("search for totalcents: payments/payment-captured's row is not hidden")
	}

	dom, _ = browse(t, bin, url("events/orders/order-placed.html"), "--dump-dom")
	if !bytes.Contains(dom, []byte(`<details class="diff" id="diff-2-3" open="">`)) {
		t.Errorf("event page: the picker did not open the v2 → v3 changes")
	}
	if bytes.Contains(dom, []byte(`id="diff-1-2" open`)) {
		t.Errorf("event page: the picker opened more than the chosen pair")
	}
}

// TestChromiumConsoleIsCaptured shows the console check can fail: a page
// with a script error is reported. (Chromium does not log a missing file://
// stylesheet to the console; TestLinksResolve checks every link instead.)
func TestChromiumConsoleIsCaptured(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "bad.html")
	html := `<!DOCTYPE html><html><head></head><body><p>x</p><script>notDefined();</script></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	_, console := browse(t, bin, "file://"+filepath.ToSlash(page), "--dump-dom")
	joined := strings.Join(console, "\n")
	if !strings.Contains(joined, "notDefined is not defined") {
		t.Errorf("the script error was not captured; console: %q", console)
	}
}

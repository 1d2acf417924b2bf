package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/internal/testenv"
)

// The documentation's examples are tests: TestDocExamples extracts every
// command shown in README.md and docs/*.md and runs it, as written, with
// bash in a scratch copy of the repository against a fresh `edactl dev`,
// comparing exit codes and, where the Markdown shows it, the output.
//
// The rules the Markdown follows (docs/testing.md says the same for
// writers):
//
//   - Commands are in ```sh, ```bash or ```console fences. In a console
//     fence a line starting with "$ " is a command and the lines after it,
//     up to the next "$ " line, are its expected output: stdout and stderr
//     together, compared line by line with runs of blanks collapsed; a line
//     "..." (or "…") stands for any number of lines and "..." inside a line
//     for any text; a trailing "(on stderr)" is only a reader's note. A
//     command with no output lines is run, its output not compared. In a
//     sh fence every line is a command. A trailing "\" continues a command.
//   - A command is expected to exit 0, unless its comment ends with
//     "exit N".
//   - "go run ./cmd/edactl" (or any path ending in cmd/edactl) and "edactl"
//     both run the edactl built from the tree.
//   - Commands of one file run in order in one shell session (cd, variables
//     and set carry over), from the root of a scratch copy of the
//     repository, against one `edactl dev` started for the file: the
//     sample catalogue registered, its topics empty. A command
//     `edactl dev FLAGS` restarts it with FLAGS (--demo, --secure, ...);
//     plain `edactl dev` is the one already running.
//   - edactl dev listens on its default addresses, 127.0.0.1:9092 and
//     127.0.0.1:8081, as the docs show it, so the files run one at a time
//     (and the test is skipped, saying why, when something else holds
//     those ports). /tmp/ is a scratch directory of the test. Times and
//     durations in output are not compared.
//   - A fence preceded by a line <!-- not-run: REASON --> is not run.
//     `go test ./...` and `.ci/run` (this test is part of them) and
//     `go install ...@version` (a download) are never run.
func TestDocExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the documentation's examples start edactl dev and run every command")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("the documentation's examples are bash commands; bash is not installed")
	}
	for _, addr := range []string{"127.0.0.1:9092", "127.0.0.1:8081"} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("the documentation's examples run edactl dev on its default addresses, and %s is taken (an edactl dev running?): %v", addr, err)
		}
		ln.Close()
	}
	root := testenv.Root(t)
	files := docFiles(t, root)
	scripts := t.TempDir()
	for _, f := range files {
		exs, err := parseDocExamples(filepath.Join(root, f), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(exs) == 0 {
			continue
		}
		name := strings.NewReplacer("/", "_", ".md", "").Replace(f)
		if err := os.WriteFile(filepath.Join(scripts, name+".txtar"), []byte(docScript(exs)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testscript.Run(t, testscript.Params{
		Dir: scripts,
		Setup: func(env *testscript.Env) error {
			repo := filepath.Join(env.WorkDir, "repo")
			if err := copyRepo(root, repo); err != nil {
				return err
			}
			for _, d := range []string{"home", "tmp"} {
				if err := os.MkdirAll(filepath.Join(env.WorkDir, d), 0o755); err != nil {
					return err
				}
			}
			env.Cd = repo
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"docrun": cmdDocRun,
		},
	})
}

// docFiles lists README.md and docs/*.md, relative to root.
func docFiles(t *testing.T, root string) []string {
	t.Helper()
	files := []string{"README.md"}
	matches, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(matches)
	for _, m := range matches {
		files = append(files, filepath.ToSlash(strings.TrimPrefix(m, root+string(filepath.Separator))))
	}
	return files
}

// docExample is one command of the documentation.
type docExample struct {
	where string   // FILE:LINE
	cmd   string   // as written, continuation lines joined
	exit  int      // the expected exit code
	want  []string // expected output lines; nil: not compared
}

var (
	fenceRe  = regexp.MustCompile("^```\\s*([A-Za-z]*)")
	notRunRe = regexp.MustCompile(`^<!--\s*not-run:\s*\S.*-->\s*$`)
	exitRe   = regexp.MustCompile(`#.*\bexit (\d+)\s*$`)
)

// parseDocExamples reads the commands of one Markdown file. rel names it in
// messages.
func parseDocExamples(path, rel string) ([]docExample, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(data), "\n")
	var (
		out      []docExample
		inFence  bool
		lang     string
		skip     bool
		prevText string // the last non-blank line before a fence
		cur      *docExample
	)
	flush := func() {
		if cur == nil {
			return
		}
		for len(cur.want) > 0 && strings.TrimSpace(cur.want[len(cur.want)-1]) == "" {
			cur.want = cur.want[:len(cur.want)-1]
		}
		if m := exitRe.FindStringSubmatch(cur.cmd); m != nil {
			cur.exit, _ = strconv.Atoi(m[1])
		}
		out = append(out, *cur)
		cur = nil
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if !inFence {
			if m := fenceRe.FindStringSubmatch(line); m != nil {
				inFence, lang = true, m[1]
				skip = notRunRe.MatchString(strings.TrimSpace(prevText))
				continue
			}
			if strings.TrimSpace(line) != "" {
				prevText = line
			}
			continue
		}
		if strings.HasPrefix(line, "```") {
			flush()
			inFence, prevText = false, line
			continue
		}
		if skip {
			continue
		}
		switch lang {
		case "sh", "bash", "shell":
			if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			start := i
			cmd := line
			for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
				i++
				cmd += "\n" + lines[i]
			}
			cur = &docExample{where: fmt.Sprintf("%s:%d", rel, start+1), cmd: cmd}
			flush()
		case "console":
			if strings.HasPrefix(line, "$ ") {
				flush()
				start := i
				cmd := strings.TrimPrefix(line, "$ ")
				for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
					i++
					cmd += "\n" + lines[i]
				}
				cur = &docExample{where: fmt.Sprintf("%s:%d", rel, start+1), cmd: cmd}
				continue
			}
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: output before the first \"$ \" command of a console fence", rel, i+1)
			}
			cur.want = append(cur.want, line)
		}
	}
	if inFence {
		return nil, fmt.Errorf("%s: a fence is not closed", rel)
	}
	return out, nil
}

// docScript is the testscript of one file's examples: one docrun per
// command, the command and its expected output as files of the archive.
func docScript(exs []docExample) string {
	var b, files strings.Builder
	for i, ex := range exs {
		fmt.Fprintf(&b, "docrun %s %d $WORK/.doc/cmd/%d", ex.where, ex.exit, i)
		fmt.Fprintf(&files, "-- .doc/cmd/%d --\n%s\n", i, ex.cmd)
		if ex.want != nil {
			fmt.Fprintf(&b, " $WORK/.doc/want/%d", i)
			fmt.Fprintf(&files, "-- .doc/want/%d --\n%s\n", i, strings.Join(ex.want, "\n"))
		}
		b.WriteString("\n")
	}
	return b.String() + files.String()
}

// copyRepo copies the repository's files (git's tracked and untracked, not
// ignored, files; or a walk without .git when git cannot tell) into dst.
func copyRepo(root, dst string) error {
	var names []string
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err == nil {
		for _, n := range strings.Split(string(out), "\x00") {
			if n != "" {
				names = append(names, n)
			}
		}
	} else {
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == ".git" || d.Name() == ".edactl" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() {
				rel, _ := filepath.Rel(root, p)
				names = append(names, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, n := range names {
		src := filepath.Join(root, filepath.FromSlash(n))
		fi, err := os.Lstat(src)
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, or a link
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, fi.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// docSession is the shell session and the edactl dev of one script.
type docSession struct {
	work     string // $WORK
	state    string // the file the shell's exports and directory are kept in
	kafka    string // the dev broker's address
	registry string // the dev registry's URL
	dev      *exec.Cmd
	devDone  chan struct{}
	pgids    []int // process groups of the commands, killed at the end
}

var (
	docSessionsMu sync.Mutex
	docSessions   = map[string]*docSession{}
	// docDevPorts is held by the session whose edactl dev has the
	// default addresses: one file at a time.
	docDevPorts sync.Mutex
)

func docSessionOf(ts *testscript.TestScript) *docSession {
	work := ts.Getenv("WORK")
	docSessionsMu.Lock()
	defer docSessionsMu.Unlock()
	if s := docSessions[work]; s != nil {
		return s
	}
	s := &docSession{work: work, state: filepath.Join(work, "shell-state")}
	// The environment comes from baseEnv; the session starts at the root.
	ts.Check(os.WriteFile(s.state, []byte("cd "+termtext.ShellQuote(filepath.Join(work, "repo"))+"\n"), 0o644))
	docSessions[work] = s
	docSessionsMu.Unlock()
	docDevPorts.Lock()
	docSessionsMu.Lock()
	ts.Defer(func() {
		s.stop()
		docDevPorts.Unlock()
		docSessionsMu.Lock()
		delete(docSessions, work)
		docSessionsMu.Unlock()
	})
	return s
}

// stop ends the dev process and everything the commands left running.
func (s *docSession) stop() {
	for _, g := range s.pgids {
		_ = syscall.Kill(-g, syscall.SIGKILL)
	}
	s.pgids = nil
	s.stopDev()
}

func (s *docSession) stopDev() {
	if s.dev == nil {
		return
	}
	_ = s.dev.Process.Signal(os.Interrupt)
	select {
	case <-s.devDone:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-s.dev.Process.Pid, syscall.SIGKILL)
		<-s.devDone
	}
	s.dev = nil
}

var (
	devCmdRe    = regexp.MustCompile(`^(?:go run \S*cmd/edactl|edactl) dev((?:\s+--?[a-z][-a-z]*(?:[ =][^\s#-]\S*)?)*)\s*(?:#.*)?$`)
	neverRunRe  = regexp.MustCompile(`^(?:go test \./\.\.\.|\.ci/run|go install \S+@\S+)(?:\s+#.*)?$`)
	peerRe      = regexp.MustCompile(`(?:^|[|;&]\s*)(jq|kcat)\s`) // programs of other projects the examples use
	tmpRe       = regexp.MustCompile(`(^|[\s='"(:])/tmp/`)
	goRunRe     = regexp.MustCompile(`go run (?:\S*/)?cmd/edactl\b`)
	bannerKafka = regexp.MustCompile(`Kafka broker\s+(\S+)`)
	bannerReg   = regexp.MustCompile(`Schema registry\s+(\S+)`)
)

// startDev starts `edactl dev FLAGS` in the scratch repository on free
// ports and waits for its banner.
func (s *docSession) startDev(ts *testscript.TestScript, flags []string) {
	s.stopDev()
	args := append([]string{"dev"}, flags...) // on its default addresses, as the docs show it
	cmd := exec.Command("edactl", args...)
	cmd.Path = lookPathIn(ts, "edactl")
	cmd.Dir = filepath.Join(s.work, "repo")
	cmd.Env = s.baseEnv(ts)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.Create(filepath.Join(s.work, "dev.log"))
	ts.Check(err)
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = logf
	ts.Check(cmd.Start())
	s.dev = cmd
	s.devDone = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		pw.Close()
		logf.Close()
		close(s.devDone)
	}()
	found := make(chan [2]string, 1)
	go func() {
		var k, r string
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := bannerKafka.FindStringSubmatch(sc.Text()); m != nil && k == "" {
				k = m[1]
			}
			if m := bannerReg.FindStringSubmatch(sc.Text()); m != nil && r == "" {
				r = m[1]
			}
			if k != "" && r != "" {
				found <- [2]string{k, r}
				break
			}
		}
		_, _ = io.Copy(io.Discard, pr)
		close(found)
	}()
	select {
	case a, ok := <-found:
		if !ok {
			log, _ := os.ReadFile(filepath.Join(s.work, "dev.log"))
			ts.Fatalf("edactl dev %s exited before its banner:\n%s", strings.Join(flags, " "), log)
		}
		s.kafka, s.registry = a[0], a[1]
	case <-time.After(90 * time.Second):
		ts.Fatalf("edactl dev %s printed no banner in 90s", strings.Join(flags, " "))
	}
	if !strings.HasPrefix(s.registry, "https://") {
		resp, err := http.Get(s.registry + "/healthz")
		if err != nil {
			ts.Fatalf("edactl dev: registry %s: %v", s.registry, err)
		}
		resp.Body.Close()
	}
}

// baseEnv is the environment of the session's processes before the
// shell's own state: the test's, without the developer's edactl settings.
func (s *docSession) baseEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "EDACTL_") || strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "HOME=") ||
			strings.HasPrefix(kv, "XDG_CONFIG_HOME=") || strings.HasPrefix(kv, "TMPDIR=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"PATH="+ts.Getenv("PATH"),
		"HOME="+filepath.Join(s.work, "home"),
		"XDG_CONFIG_HOME="+docConfigHome(s.work),
		"TMPDIR="+filepath.Join(s.work, "tmp"),
		"NO_COLOR=1",
		// git as a developer has it configured, for the commits of the
		// examples.
		"GIT_AUTHOR_NAME=edactl docs", "GIT_AUTHOR_EMAIL=docs@edactl.invalid",
		"GIT_COMMITTER_NAME=edactl docs", "GIT_COMMITTER_EMAIL=docs@edactl.invalid",
	)
	// Go commands of the examples (go build, go mod tidy) use the
	// developer's caches: HOME is a scratch directory.
	for _, k := range []string{"GOPATH", "GOCACHE", "GOMODCACHE", "GOENV"} {
		if os.Getenv(k) == "" {
			if v, err := exec.Command("go", "env", k).Output(); err == nil && strings.TrimSpace(string(v)) != "" {
				env = append(env, k+"="+strings.TrimSpace(string(v)))
			}
		}
	}
	return env
}

// docConfigHome is the user config directory of a session's commands. Its
// name carries the marker by which TestMain knows that an edactl it runs
// already has a test's own directory (else each command would get a new
// one, and `edactl context use` would not see `context set`).
func docConfigHome(work string) string {
	return filepath.Join(work, "home", ".config", "edactl-test-config-docs")
}

func lookPathIn(ts *testscript.TestScript, name string) string {
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	ts.Fatalf("%s is not on the script's PATH", name)
	return ""
}

// rewrite turns a documented command into the one the session runs.
func (s *docSession) rewrite(cmd string) string {
	cmd = goRunRe.ReplaceAllString(cmd, "edactl")
	tmp := filepath.Join(s.work, "tmp") + "/"
	return tmpRe.ReplaceAllString(cmd, "${1}"+tmp)
}

// toDoc turns the session's scratch paths in output back into the ones the
// docs show.
func (s *docSession) toDoc(text string) string {
	text = strings.ReplaceAll(text, filepath.Join(s.work, "tmp")+"/", "/tmp/")
	text = strings.ReplaceAll(text, filepath.Join(s.work, "repo")+"/", "")
	return strings.ReplaceAll(text, filepath.Join(s.work, "repo"), ".")
}

// docrun WHERE EXIT CMDFILE [WANTFILE] runs one documented command.
func cmdDocRun(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: docrun FILE:LINE EXIT CMDFILE [WANTFILE]")
	}
	where := args[0]
	wantExit, err := strconv.Atoi(args[1])
	ts.Check(err)
	cmdText := strings.TrimSuffix(ts.ReadFile(args[2]), "\n")
	s := docSessionOf(ts)
	first := strings.SplitN(cmdText, "\n", 2)[0]
	if neverRunRe.MatchString(strings.TrimSpace(first)) {
		ts.Logf("%s: not run here: %s", where, first)
		return
	}
	if m := devCmdRe.FindStringSubmatch(strings.TrimSpace(cmdText)); m != nil {
		flags := strings.Fields(m[1])
		if len(flags) == 0 && s.dev != nil {
			ts.Logf("%s: %s: the session's edactl dev", where, first)
			return
		}
		s.startDev(ts, flags)
		ts.Logf("%s: started edactl dev %s (broker %s, registry %s)", where, m[1], s.kafka, s.registry)
		return
	}
	if m := peerRe.FindStringSubmatch(cmdText); m != nil {
		if _, err := exec.LookPath(m[1]); err != nil {
			ts.Logf("%s: skipped, %s is not installed (.ci/run installs it): %s", where, m[1], first)
			return
		}
	}
	if s.dev == nil {
		s.startDev(ts, nil)
	}
	run := s.rewrite(cmdText)
	cmdFile := filepath.Join(s.work, "docrun-cmd.sh")
	ts.Check(os.WriteFile(cmdFile, []byte(run+"\n"), 0o644))
	wrapper := `. "$1" >/dev/null 2>&1
. "$2"
__rc=$?
{ declare -p | grep -Ev '^declare -[a-zA-Z-]*r|^declare -[a-zA-Z-]* (BASH[A-Z_]*|EUID|PPID|UID|SHELLOPTS|PIPESTATUS|FUNCNAME|GROUPS|PWD|SHLVL|_|RANDOM|SRANDOM|SECONDS|LINENO|EPOCH[A-Z]*|__rc|HISTCMD|OPTIND|OPTERR|IFS|PS4|DIRSTACK|COLUMNS|LINES)='; printf 'cd %q\n' "$PWD"; } > "$1"
exit $__rc
`
	outFile := filepath.Join(s.work, "docrun-out")
	out, err := os.Create(outFile)
	ts.Check(err)
	c := exec.Command("bash", "-c", wrapper, "docrun", s.state, cmdFile)
	c.Dir = filepath.Join(s.work, "repo")
	c.Env = s.baseEnv(ts)
	c.Stdin = strings.NewReader("")
	c.Stdout, c.Stderr = out, out
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	ts.Check(c.Start())
	s.pgids = append(s.pgids, c.Process.Pid)
	limit := 90 * time.Second
	if strings.HasPrefix(strings.TrimSpace(first), "go ") || strings.Contains(first, "&& go ") {
		limit = 5 * time.Minute
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var waitErr error
	select {
	case waitErr = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		<-done
		out.Close()
		got, _ := os.ReadFile(outFile)
		ts.Fatalf("%s: `%s` did not finish within %s (a command that runs until stopped needs <!-- not-run: ... -->); output:\n%s", where, cmdText, limit, got)
	}
	out.Close()
	code := 0
	if waitErr != nil {
		ee, ok := waitErr.(*exec.ExitError)
		if !ok {
			ts.Fatalf("%s: %v", where, waitErr)
		}
		code = ee.ExitCode()
	}
	raw, err := os.ReadFile(outFile)
	ts.Check(err)
	got := s.toDoc(string(raw))
	ts.Logf("%s: $ %s\n%s(exit %d)", where, cmdText, got, code)
	if code != wantExit {
		ts.Fatalf("%s: `%s` exited %d, the docs say %d; output:\n%s", where, cmdText, code, wantExit, got)
	}
	if len(args) == 4 {
		want := strings.Split(strings.TrimSuffix(ts.ReadFile(args[3]), "\n"), "\n")
		if !matchDocOutput(want, strings.Split(strings.TrimRight(got, "\n"), "\n")) {
			ts.Fatalf("%s: the output of `%s` is not what the docs show.\ndocs:\n%s\ngot:\n%s", where, cmdText, strings.Join(want, "\n"), got)
		}
	}
}

var (
	timeRe     = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?|\d{8}T\d{6}(\.\d+)?Z`)
	durRe      = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|us|ms|s|m|h)\b`)
	wsRe       = regexp.MustCompile(`[ \t]+`)
	ellipsisRe = regexp.MustCompile(`\.\.\.|…`)
)

// docNormal masks what varies from run to run in one output line.
func docNormal(line string) string {
	line = timeRe.ReplaceAllString(line, "<time>")
	line = durRe.ReplaceAllString(line, "<dur>")
	return strings.TrimSpace(wsRe.ReplaceAllString(line, " "))
}

// matchDocOutput reports whether got matches the documented lines want.
func matchDocOutput(want, got []string) bool {
	type pat struct {
		any bool
		re  *regexp.Regexp
	}
	var pats []pat
	for _, w := range want {
		w = strings.TrimSuffix(strings.TrimRight(w, " \t"), "(on stderr)")
		n := docNormal(w)
		if n == "..." || n == "…" {
			pats = append(pats, pat{any: true})
			continue
		}
		var b strings.Builder
		b.WriteString("^")
		for i, part := range ellipsisRe.Split(n, -1) {
			if i > 0 {
				b.WriteString(".*")
			}
			b.WriteString(regexp.QuoteMeta(part))
		}
		b.WriteString("$")
		pats = append(pats, pat{re: regexp.MustCompile(b.String())})
	}
	lines := make([]string, 0, len(got))
	for _, g := range got {
		lines = append(lines, docNormal(g))
	}
	memo := map[[2]int]bool{}
	var match func(p, l int) bool
	match = func(p, l int) bool {
		if p == len(pats) {
			return l == len(lines)
		}
		k := [2]int{p, l}
		if v, ok := memo[k]; ok {
			return v
		}
		var ok bool
		if pats[p].any {
			ok = match(p+1, l) || (l < len(lines) && match(p, l+1))
		} else {
			ok = l < len(lines) && pats[p].re.MatchString(lines[l]) && match(p+1, l+1)
		}
		memo[k] = ok
		return ok
	}
	return match(0, 0)
}

// TestDocExamplesParse checks the extraction rules on a small document.
func TestDocExamplesParse(t *testing.T) {
	md := "intro\n```sh\nedactl topics   # list\n# a comment\nedactl check \\\n  --strict   # exit 1\n```\n" +
		"<!-- not-run: a production cluster -->\n```sh\nedactl topics --brokers prod:9092\n```\n" +
		"```console\n$ edactl registry subjects\norders.placed-value\n...\n$ edactl compat a b   # exit 1\n```\n" +
		"```go\nfmt.Println()\n```\n"
	path := filepath.Join(t.TempDir(), "x.md")
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	exs, err := parseDocExamples(path, "x.md")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, ex := range exs {
		fmt.Fprintf(&b, "%s %q exit %d want %q\n", ex.where, ex.cmd, ex.exit, ex.want)
	}
	got := b.String()
	want := `x.md:3 "edactl topics   # list" exit 0 want []
x.md:5 "edactl check \\\n  --strict   # exit 1" exit 1 want []
x.md:13 "edactl registry subjects" exit 0 want ["orders.placed-value" "..."]
x.md:16 "edactl compat a b   # exit 1" exit 1 want []
`
	if got != want {
		t.Errorf("parsed\n%s\nwant\n%s", got, want)
	}
	if !matchDocOutput([]string{"a  b", "...", "took 12ms at 2024-05-01T10:00:00Z", "id ..."}, []string{"a b", "x", "y", "took 3s at 2026-12-02T20:00:00.123Z", "id 42"}) {
		t.Error("wildcards, durations and times should match")
	}
	if matchDocOutput([]string{"a", "b"}, []string{"a", "c"}) || matchDocOutput([]string{"a"}, []string{"a", "b"}) {
		t.Error("different lines matched")
	}
}

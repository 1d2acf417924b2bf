package gate

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/edactl/edactl/schemas"
)

// Formats lists the report formats WriteReport accepts.
var Formats = []string{"text", "json", "github", "junit", "sarif"}

// WriteReport writes r in format: "text" (one finding per line as
// "file:line: subject: path: RULE: message", then a summary), "json", "github"
// (GitHub Actions workflow commands that annotate the pull request) or
// "junit" (JUnit XML: one test case per file) or "sarif" (SARIF 2.1.0, for
// code-scanning tools).
func WriteReport(w io.Writer, r *Report, format string) error {
	switch format {
	case "text", "":
		return writeText(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "github":
		return writeGitHub(w, r)
	case "junit":
		return writeJUnit(w, r)
	case "sarif":
		return writeSARIF(w, r)
	}
	return fmt.Errorf("unknown report format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// Summary is the one-line verdict that ends the text report.
func (r *Report) Summary() string {
	what := fmt.Sprintf("%d event(s), %d version(s), against %s", r.Events, r.Versions, strings.Join(r.Against, ", "))
	if r.Waived > 0 {
		what += fmt.Sprintf("; %d waived", r.Waived)
	}
	if r.Baseline != "" {
		what += fmt.Sprintf("; %d finding(s) already at %s not shown", r.Hidden, r.Baseline)
	}
	if r.Errors == 0 && r.Warnings == 0 {
		return "ok: " + what
	}
	verdict := "ok"
	if r.Errors > 0 {
		verdict = "failed"
	}
	return fmt.Sprintf("%s: %d error(s), %d warning(s) in %s", verdict, r.Errors, r.Warnings, what)
}

func writeText(w io.Writer, r *Report) error {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(f.String())
		b.WriteByte('\n')
		if f.Waived == nil {
			writeFix(&b, f.Fix)
		}
	}
	b.WriteString(r.Summary())
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFix writes a suggested fix (and its alternative) under its
// finding: what to change, then where and the text that goes in.
func writeFix(b *strings.Builder, fx *schemas.Fix) {
	lead := "  fix: "
	for ; fx != nil; fx = fx.Alternative {
		fmt.Fprintf(b, "%s%s (%s)\n", lead, fx.Description, fx.Kind)
		ins := strings.Join(strings.Fields(strings.TrimLeft(fx.Text, ", \n\t")), " ")
		fmt.Fprintf(b, "       %s:%d: %s\n", fx.File, fx.Line, ins)
		lead = "  or:  "
	}
}

// GitHub workflow commands: data escapes %, CR and LF; properties also
// escape ':' and ','.
var (
	ghData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func writeGitHub(w io.Writer, r *Report) error {
	var b strings.Builder
	for _, f := range r.Findings {
		level := "error"
		switch {
		case f.Waived != nil:
			level = "notice"
		case f.Severity == schemas.Warning:
			level = "warning"
		}
		fmt.Fprintf(&b, "::%s file=%s", level, ghProperty.Replace(f.File))
		if f.Line > 0 {
			fmt.Fprintf(&b, ",line=%d", f.Line)
		}
		if f.Column > 0 {
			fmt.Fprintf(&b, ",col=%d", f.Column)
		}
		title := f.Rule
		if f.Subject != "" {
			title += " in " + f.Subject
		}
		fmt.Fprintf(&b, ",title=%s::", ghProperty.Replace(title))
		msg := f.Message
		if f.Path != "" {
			msg = f.Path + ": " + msg
		}
		if w := f.Waived; w != nil {
			msg += fmt.Sprintf(" (waived until %s, owner %s: %s)", w.Expires, w.Owner, w.Reason)
		} else if f.Fix != nil {
			msg += " Fix: " + f.Fix.Description + "."
		}
		b.WriteString(ghData.Replace(msg))
		b.WriteByte('\n')
	}
	b.WriteString("edactl check: " + r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// JUnit XML, in the shape Jenkins, GitLab and most CI dashboards read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	File      string         `xml:"file,attr"`
	Failures  []junitFailure `xml:"failure"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes one test suite per subject (or "edactl" for findings
// outside an event) and one test case per file; errors are failures,
// warnings go to the case's system-out.
func writeJUnit(w io.Writer, r *Report) error {
	type key struct{ suite, file string }
	cases := map[key]*junitCase{}
	var order []key
	get := func(suite, file string) *junitCase {
		k := key{suite, file}
		if c, ok := cases[k]; ok {
			return c
		}
		c := &junitCase{Name: file, Classname: suite, File: file}
		cases[k] = c
		order = append(order, k)
		return c
	}
	for _, f := range r.Files {
		get(suiteName(r.Subjects[f]), f)
	}
	for _, f := range r.Findings {
		subject := f.Subject
		if subject == "" {
			subject = r.Subjects[f.File]
		}
		c := get(suiteName(subject), f.File)
		if f.Severity == schemas.Error && f.Waived == nil {
			c.Failures = append(c.Failures, junitFailure{Message: f.Rule + ": " + f.Message, Type: f.Rule, Text: f.String()})
		} else {
			c.SystemOut += f.String() + "\n"
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].suite != order[j].suite {
			return order[i].suite < order[j].suite
		}
		return order[i].file < order[j].file
	})
	out := junitSuites{Name: "edactl check"}
	for _, k := range order {
		c := cases[k]
		if n := len(out.Suites); n == 0 || out.Suites[n-1].Name != k.suite {
			out.Suites = append(out.Suites, junitSuite{Name: k.suite})
		}
		s := &out.Suites[len(out.Suites)-1]
		s.Cases = append(s.Cases, *c)
		s.Tests++
		out.Tests++
		if len(c.Failures) > 0 {
			s.Failures++
			out.Failures++
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func suiteName(subject string) string {
	if subject == "" {
		return "edactl"
	}
	return subject
}

package termtext

import "testing"

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ce_id", "ce_id"},
		{"a b", "a b"},
		{"héllo ✓", "héllo ✓"},
		{"", ""},
		{"\x1b[2J", `"\x1b[2J"`},
		{"ok\rspoof", `"ok\rspoof"`},
		{"tab\there", `"tab\there"`},
		{"line\nbreak", `"line\nbreak"`},
		{"csi\u009b31m", `"csi\u009b31m"`},
		{"bidi\u202eevil", `"bidi\u202eevil"`},
		{"bad\xff", `"bad\xff"`},
		{"del\x7f", `"del\x7f"`},
		{"family 👨\u200d👩\u200d👧", "family 👨\u200d👩\u200d👧"},
		{"می\u200cخواهم", "می\u200cخواهم"},
		{"soft\u00adhyphen", "soft\u00adhyphen"},
		{"lrm\u200e", `"lrm\u200e"`},
		{"isolate\u2066x\u2069", `"isolate\u2066x\u2069"`},
		{"alm\u061c", `"alm\u061c"`},
		{"billing\u200b", `"billing\u200b"`},
		{"bom\ufeff", `"bom\ufeff"`},
		{"approved\U000E0072\U000E0065", `"approved\U000e0072\U000e0065"`},
		{"word\u2060joiner", `"word\u2060joiner"`},
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"two\nlines\tand a tab", "two\nlines\tand a tab"},
		{"{\"a\":\"\x1b]0;title\x07\"}", `{"a":"\x1b]0;title\a"}`},
		{"cr\rhere", `cr\rhere`},
		{"c1\u009b2J", `c1\u009b2J`},
		{"rlo\u202e", `rlo\u202e`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"ünï✓", "ünï✓"},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a", "\x1b[31m", "\u009b", "\xff\xfe", "x\ny\tz\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Escape(s)
		for _, r := range out {
			if r == 0x1b || r == '\r' || r == 0x9b || r == 0x7f || (r < 0x20 && r != '\n' && r != '\t') {
				t.Fatalf("Escape(%q) = %q keeps control %U", s, out, r)
			}
		}
		if q := Quote(s); !Printable(q) {
			t.Fatalf("Quote(%q) = %q is not printable", s, q)
		}
	})
}

func TestShellQuote(t *testing.T) {
	for s, want := range map[string]string{
		"billing":             "billing",
		"/tmp/undo1/a-1.csv":  "/tmp/undo1/a-1.csv",
		"my group":            "'my group'",
		"it's":                `'it'\''s'`,
		"":                    "''",
		"billing\r":           `$'billing\r'`,
		"it's\x1b":            `$'it\'s\x1b'`,
		"bill\u202eing\"\xff": `$'bill\u202eing\"\xff'`,
	} {
		if got := ShellQuote(s); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            "plain",
		"a\r\nb\nc\td":     "a b c d",
		"lone\rcr \x1b[2J": `lone\rcr \x1b[2J`,
		"bidi\u202e\nnext": `bidi\u202e next`,
	} {
		if got := OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

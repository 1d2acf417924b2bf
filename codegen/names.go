package codegen

import (
	"go/token"
	"strings"
	"unicode"
)

// initialisms are written in upper case in Go names, as golint expects.
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true, "EOF": true, "GUID": true,
	"HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true, "LHS": true, "QPS": true,
	"RAM": true, "RHS": true, "RPC": true, "SKU": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true,
	"TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true, "UUID": true, "URI": true,
	"URL": true, "UTF8": true, "VM": true, "XML": true, "XMPP": true, "XSRF": true, "XSS": true,
}

// words splits an Avro name (camelCase, snake_case, kebab-case or
// SCREAMING_CASE) into words.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			flush()
		case unicode.IsUpper(r):
			// A new word starts at an upper-case letter that follows a
			// lower-case letter or digit, or that starts "Xy" after "XX".
			if len(cur) > 0 && (!unicode.IsUpper(cur[len(cur)-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				flush()
			}
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// exported turns an Avro name into an exported Go identifier: each word
// capitalised, initialisms upper-cased, words in all capitals lower-cased
// after their first letter ("orderId" → "OrderID", "MOBILE_APP" →
// "MobileApp", "OrderLine" → "OrderLine").
func exported(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		up := strings.ToUpper(w)
		if initialisms[up] {
			b.WriteString(up)
			continue
		}
		rs := []rune(w)
		if w == up {
			rs = []rune(strings.ToLower(w))
		}
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	name := b.String()
	if name == "" || !unicode.IsLetter([]rune(name)[0]) {
		name = "X" + name
	}
	return name
}

// unexported lower-cases the first word of an exported name.
func unexported(s string) string {
	e := exported(s)
	ws := words(e)
	if len(ws) == 0 {
		return "x"
	}
	first := ws[0]
	if initialisms[strings.ToUpper(first)] {
		first = strings.ToLower(first)
	} else {
		rs := []rune(first)
		rs[0] = unicode.ToLower(rs[0])
		first = string(rs)
	}
	name := first + strings.TrimPrefix(e, ws[0])
	if token.Lookup(name).IsKeyword() {
		name += "_"
	}
	return name
}

// snake turns a Go name into a file name stem ("OrderPlaced" → "order_placed").
func snake(s string) string {
	ws := words(s)
	for i, w := range ws {
		ws[i] = strings.ToLower(w)
	}
	return strings.Join(ws, "_")
}

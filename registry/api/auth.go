package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// role is what a principal may do: read < write < admin.
type role int

const (
	roleNone role = iota
	roleRead
	roleWrite
	roleAdmin
)

func (r role) String() string {
	switch r {
	case roleRead:
		return "read"
	case roleWrite:
		return "write"
	case roleAdmin:
		return "admin"
	}
	return "none"
}

func parseRole(s string) (role, error) {
	switch strings.ToLower(s) {
	case "read":
		return roleRead, nil
	case "write":
		return roleWrite, nil
	case "admin":
		return roleAdmin, nil
	}
	return roleNone, fmt.Errorf("unknown role %q (want read, write or admin)", s)
}

// Auth holds the principals allowed to use the API. read may use every GET
// plus lookups and compatibility checks; write may also register and delete;
// admin may also change config and mode.
//
// A check does the same work whether or not the user exists or which token
// matches: the password of an unknown user is hashed and compared in
// constant time with a random hash no password has, and a token is compared
// with every token, so response times tell nothing about names or tokens.
type Auth struct {
	users  map[string]principal // by user name
	tokens []principal
	certs  map[string]principal // by certificate subject
	dummy  [32]byte             // what an unknown user's password is compared with

	// sum and compare are sha256.Sum256 and subtle.ConstantTimeCompare;
	// tests count their calls to see that every check does the same work.
	sum     func([]byte) [32]byte
	compare func(x, y []byte) int
}

type principal struct {
	name string
	hash [32]byte // sha256 of the password or token
	role role
}

// authFile is the --auth-file format (YAML).
type authFile struct {
	Users []struct {
		Name           string `yaml:"name"`
		Password       string `yaml:"password"`
		PasswordSHA256 string `yaml:"password_sha256"`
		Role           string `yaml:"role"`
	} `yaml:"users"`
	Tokens []struct {
		Name        string `yaml:"name"`
		Token       string `yaml:"token"`
		TokenSHA256 string `yaml:"token_sha256"`
		Role        string `yaml:"role"`
	} `yaml:"tokens"`
	Certificates []struct {
		Subject string `yaml:"subject"`
		Role    string `yaml:"role"`
	} `yaml:"certificates"`
}

// authLines are the line numbers of the auth file's entries, for messages.
type authLines struct {
	Users        []yaml.Node `yaml:"users"`
	Tokens       []yaml.Node `yaml:"tokens"`
	Certificates []yaml.Node `yaml:"certificates"`
}

// LoadAuthFile reads an auth file:
//
//	users:                       # HTTP basic auth
//	  - name: alice
//	    password_sha256: 2bb8…   # or password: plain text
//	    role: admin              # read, write or admin
//	tokens:                      # Authorization: Bearer <token>
//	  - name: ci
//	    token: s3cr3t            # or token_sha256: …
//	    role: write
//	certificates:                # TLS client certificates (mTLS)
//	  - subject: CN=orders-svc,O=shop
//	    role: read
//
// A certificates entry authenticates a request without an Authorization
// header whose verified client certificate has exactly that subject (Go's
// pkix.Name.String form, RFC 2253: "CN=orders-svc,O=shop"); it needs a
// server that verifies client certificates (WithTLS). A request with an
// Authorization header is judged by that header only.
//
// An empty password or token, given as text or as the SHA-256 of the empty
// string, is refused.
func LoadAuthFile(path string) (*Auth, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth file: %w", err)
	}
	a, err := ParseAuth(data)
	if err != nil {
		return nil, fmt.Errorf("auth file %s: %w", path, err)
	}
	return a, nil
}

// ParseAuth parses the auth file format (see LoadAuthFile). Errors name the
// entry, its user or token name and its line.
func ParseAuth(data []byte) (*Auth, error) {
	var f authFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	var lines authLines
	_ = yaml.Unmarshal(data, &lines) // the strict decode above succeeded
	where := func(kind string, i int, name string, nodes []yaml.Node) string {
		w := fmt.Sprintf("%s[%d]", kind, i)
		if name != "" {
			w += fmt.Sprintf(" (%q)", name)
		}
		if i < len(nodes) {
			w += fmt.Sprintf(" at line %d", nodes[i].Line)
		}
		return w
	}
	empty := sha256.Sum256(nil)
	secret := func(where, what, plain, hashed string) ([32]byte, error) {
		var h [32]byte
		switch {
		case plain != "" && hashed != "":
			return h, fmt.Errorf("%s: give either the plain %s or its sha256, not both", where, what)
		case plain != "":
			h = sha256.Sum256([]byte(plain))
		case hashed != "":
			b, err := hex.DecodeString(hashed)
			if err != nil || len(b) != 32 {
				return h, fmt.Errorf("%s: %s_sha256 must be 64 hex digits", where, what)
			}
			h = [32]byte(b)
		default:
			return h, fmt.Errorf("%s: no %s (give %s or %s_sha256)", where, what, what, what)
		}
		if h == empty {
			return h, fmt.Errorf("%s: the %s is empty (%s_sha256 is the SHA-256 of the empty string); give a real one", where, what, what)
		}
		return h, nil
	}
	a := &Auth{users: map[string]principal{}, sum: sha256.Sum256, compare: subtle.ConstantTimeCompare}
	if _, err := rand.Read(a.dummy[:]); err != nil {
		return nil, fmt.Errorf("auth: random dummy hash: %w", err)
	}
	for i, u := range f.Users {
		where := where("users", i, u.Name, lines.Users)
		if u.Name == "" {
			return nil, fmt.Errorf("%s: no name", where)
		}
		if _, dup := a.users[u.Name]; dup {
			return nil, fmt.Errorf("%s: duplicate user %q", where, u.Name)
		}
		h, err := secret(where, "password", u.Password, u.PasswordSHA256)
		if err != nil {
			return nil, err
		}
		r, err := parseRole(u.Role)
		if err != nil {
			return nil, fmt.Errorf("%s.role: %w", where, err)
		}
		a.users[u.Name] = principal{name: u.Name, hash: h, role: r}
	}
	for i, t := range f.Tokens {
		where := where("tokens", i, t.Name, lines.Tokens)
		h, err := secret(where, "token", t.Token, t.TokenSHA256)
		if err != nil {
			return nil, err
		}
		r, err := parseRole(t.Role)
		if err != nil {
			return nil, fmt.Errorf("%s.role: %w", where, err)
		}
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("token %d", i+1)
		}
		a.tokens = append(a.tokens, principal{name: name, hash: h, role: r})
	}
	a.certs = map[string]principal{}
	for i, c := range f.Certificates {
		where := where("certificates", i, c.Subject, lines.Certificates)
		if c.Subject == "" {
			return nil, fmt.Errorf("%s: no subject", where)
		}
		if _, dup := a.certs[c.Subject]; dup {
			return nil, fmt.Errorf("%s: duplicate subject %q", where, c.Subject)
		}
		r, err := parseRole(c.Role)
		if err != nil {
			return nil, fmt.Errorf("%s.role: %w", where, err)
		}
		a.certs[c.Subject] = principal{name: c.Subject, role: r}
	}
	if len(a.users) == 0 && len(a.tokens) == 0 && len(a.certs) == 0 {
		return nil, errors.New("no users, no tokens and no certificates")
	}
	return a, nil
}

// authorize checks the request's credentials against need. The scheme of
// the Authorization header (Basic or Bearer) is case-insensitive (RFC 7235);
// a header longer than maxHeader is 431 before any of it is decoded.
func (a *Auth) authorize(r *http.Request, need role, maxHeader int) error {
	values := r.Header.Values("Authorization")
	size := 0
	for _, v := range values {
		size += len(v)
	}
	if size > maxHeader {
		return httpErr(http.StatusRequestHeaderFieldsTooLarge, "Request Header Fields Too Large: the Authorization header is %d bytes, the limit is %d", size, maxHeader)
	}
	var p *principal
	if len(values) > 0 {
		scheme, cred, _ := strings.Cut(strings.TrimLeft(values[0], " "), " ")
		cred = strings.Trim(cred, " ")
		switch {
		case strings.EqualFold(scheme, "Basic"):
			if user, pass, ok := decodeBasic(cred); ok {
				p = a.checkUser(user, pass)
			}
		case strings.EqualFold(scheme, "Bearer"):
			p = a.checkToken(cred)
		}
	}
	if len(values) == 0 && r.TLS != nil && len(r.TLS.VerifiedChains) > 0 && len(r.TLS.PeerCertificates) > 0 {
		if c, ok := a.certs[r.TLS.PeerCertificates[0].Subject.String()]; ok {
			p = &c
		}
	}
	if p == nil {
		return httpErr(http.StatusUnauthorized, "Unauthorized: give valid credentials (HTTP basic auth, a bearer token or a known client certificate)")
	}
	if p.role < need {
		return httpErr(http.StatusForbidden, "Forbidden: %s has role %s; this request needs %s", p.name, p.role, need)
	}
	return nil
}

// decodeBasic decodes basic credentials, base64 of "user:password".
func decodeBasic(cred string) (user, pass string, ok bool) {
	b, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(b), ":")
}

// checkUser returns the user if pass is its password. An unknown user's
// password is hashed and compared all the same.
func (a *Auth) checkUser(user, pass string) *principal {
	u, found := a.users[user]
	want := &a.dummy
	if found {
		want = &u.hash
	}
	h := a.sum([]byte(pass))
	if a.compare(h[:], want[:]) == 1 && found {
		return &u
	}
	return nil
}

// checkToken returns the principal whose token tok is, comparing tok with
// every token.
func (a *Auth) checkToken(tok string) *principal {
	h := a.sum([]byte(tok))
	match := -1
	for i := range a.tokens {
		eq := a.compare(h[:], a.tokens[i].hash[:])
		match = subtle.ConstantTimeSelect(eq, i, match)
	}
	if match < 0 {
		return nil
	}
	return &a.tokens[match]
}

package api

import (
	"crypto/sha256"
	"crypto/subtle"
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
type Auth struct {
	users  map[string]principal // by user name
	tokens []principal
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

// ParseAuth parses the auth file format (see LoadAuthFile).
func ParseAuth(data []byte) (*Auth, error) {
	var f authFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	secret := func(where, plain, hashed string) ([32]byte, error) {
		switch {
		case plain != "" && hashed != "":
			return [32]byte{}, fmt.Errorf("%s: give either the plain secret or its sha256, not both", where)
		case plain != "":
			return sha256.Sum256([]byte(plain)), nil
		case hashed != "":
			b, err := hex.DecodeString(hashed)
			if err != nil || len(b) != 32 {
				return [32]byte{}, fmt.Errorf("%s: sha256 must be 64 hex digits", where)
			}
			return [32]byte(b), nil
		}
		return [32]byte{}, fmt.Errorf("%s: no secret", where)
	}
	a := &Auth{users: map[string]principal{}}
	for i, u := range f.Users {
		where := fmt.Sprintf("users[%d]", i)
		if u.Name == "" {
			return nil, fmt.Errorf("%s: no name", where)
		}
		if _, dup := a.users[u.Name]; dup {
			return nil, fmt.Errorf("%s: duplicate user %q", where, u.Name)
		}
		h, err := secret(where, u.Password, u.PasswordSHA256)
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
		where := fmt.Sprintf("tokens[%d]", i)
		h, err := secret(where, t.Token, t.TokenSHA256)
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
	if len(a.users) == 0 && len(a.tokens) == 0 {
		return nil, errors.New("no users and no tokens")
	}
	return a, nil
}

// authorize checks the request's credentials against need.
func (a *Auth) authorize(r *http.Request, need role) error {
	var p *principal
	if user, pass, ok := r.BasicAuth(); ok {
		if u, found := a.users[user]; found {
			h := sha256.Sum256([]byte(pass))
			if subtle.ConstantTimeCompare(h[:], u.hash[:]) == 1 {
				p = &u
			}
		}
	} else if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		h := sha256.Sum256([]byte(strings.TrimSpace(tok)))
		for i := range a.tokens {
			if subtle.ConstantTimeCompare(h[:], a.tokens[i].hash[:]) == 1 {
				p = &a.tokens[i]
				break
			}
		}
	}
	if p == nil {
		return httpErr(http.StatusUnauthorized, "Unauthorized: give valid credentials (HTTP basic auth or a bearer token)")
	}
	if p.role < need {
		return httpErr(http.StatusForbidden, "Forbidden: %s has role %s; this request needs %s", p.name, p.role, need)
	}
	return nil
}

package api

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAuthCertificates: a request without an Authorization header is
// authenticated by its verified client certificate's subject; an
// unverified or unlisted certificate is not; an Authorization header is
// judged alone; bad certificates entries are errors with their line.
func TestAuthCertificates(t *testing.T) {
	a, err := ParseAuth([]byte("tokens:\n  - {token: tok-1, role: read}\ncertificates:\n  - {subject: \"CN=ci,O=shop\", role: write}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: "ci", Organization: []string{"shop"}}}
	other := &x509.Certificate{Subject: pkix.Name{CommonName: "someone"}}
	req := func(c *x509.Certificate, verified bool, authz string) error {
		r := httptest.NewRequest("POST", "/subjects/s/versions", nil)
		if c != nil {
			r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{c}}
			if verified {
				r.TLS.VerifiedChains = [][]*x509.Certificate{{c}}
			}
		}
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		return a.authorize(r, roleWrite, 1<<10)
	}
	if err := req(cert, true, ""); err != nil {
		t.Errorf("listed, verified certificate: %v", err)
	}
	for name, err := range map[string]error{
		"unverified":         req(cert, false, ""),
		"unlisted":           req(other, true, ""),
		"no certificate":     req(nil, false, ""),
		"header of a reader": req(cert, true, "Bearer tok-1"),
		"wrong header":       req(cert, true, "Bearer nope"),
	} {
		if err == nil {
			t.Errorf("%s: authorized", name)
		}
	}
	for _, c := range []struct{ file, want string }{
		{"certificates:\n  - {role: read}\n", "certificates[0] at line 2: no subject"},
		{"certificates:\n  - {subject: CN=a, role: read}\n  - {subject: CN=a, role: read}\n", `certificates[1] ("CN=a") at line 3: duplicate subject`},
		{"certificates:\n  - {subject: CN=a, role: boss}\n", `certificates[0] ("CN=a") at line 2.role: unknown role "boss"`},
	} {
		if _, err := ParseAuth([]byte(c.file)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.file, err, c.want)
		}
	}
}

package tlsgen

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"path/filepath"
	"testing"
	"time"
)

// TestChain: a server and a client certificate verify against their CA
// (for their names and uses) and not against another CA; a CA written to
// files loads back and keeps signing.
func TestChain(t *testing.T) {
	ca, err := NewCA("test CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCA("other CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Server("broker", time.Hour, "kafka.internal", "10.0.0.7")
	if err != nil {
		t.Fatal(err)
	}
	cli, err := ca.Client(pkix.Name{CommonName: "ci"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pair  Pair
		name  string
		usage x509.ExtKeyUsage
	}{{srv, "127.0.0.1", x509.ExtKeyUsageServerAuth}, {srv, "kafka.internal", x509.ExtKeyUsageServerAuth}, {srv, "10.0.0.7", x509.ExtKeyUsageServerAuth}, {cli, "", x509.ExtKeyUsageClientAuth}} {
		tc, err := c.pair.TLS()
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := x509.ParseCertificate(tc.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		opts := x509.VerifyOptions{Roots: ca.Pool(), DNSName: c.name, KeyUsages: []x509.ExtKeyUsage{c.usage}}
		if _, err := leaf.Verify(opts); err != nil {
			t.Errorf("%s %q: %v", leaf.Subject, c.name, err)
		}
		opts.Roots = other.Pool()
		if _, err := leaf.Verify(opts); err == nil {
			t.Errorf("%s verifies against another CA", leaf.Subject)
		}
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem")
	if err := ca.Pair().WriteFiles(certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	again, err := LoadCA(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	p, err := again.Server("broker", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tc, _ := p.TLS()
	leaf, _ := x509.ParseCertificate(tc.Certificate[0])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "localhost"}); err != nil {
		t.Errorf("signed by the loaded CA: %v", err)
	}
	if _, err := LoadCA(filepath.Join(dir, "nope.pem"), keyFile); err == nil {
		t.Error("LoadCA of a missing file: no error")
	}
}

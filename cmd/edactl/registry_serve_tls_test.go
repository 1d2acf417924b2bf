package main

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/edactl/edactl/internal/tlsgen"
)

// syncBuffer is a strings.Builder safe for a server goroutine to write.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRegistryServeTLS runs `edactl registry serve` with --tls-cert,
// --tls-key and --tls-client-ca: clients must present a certificate of
// the client CA; one whose subject the auth file lists gets its role with
// no other credentials, one it does not list must authenticate otherwise.
// SIGHUP reloads the files: after the certificate and the client CA are
// replaced, new connections use the new ones; files that do not load leave
// the previous ones in use.
func TestRegistryServeTLS(t *testing.T) {
	pki := newTestPKI(t)
	dir := t.TempDir()
	auth := writeFile(t, dir, "auth.yaml", "users:\n  - {name: ops, password: ops-Secret-1, role: admin}\n"+
		"certificates:\n  - {subject: CN=edactl-ci, role: admin}\n")
	certFile, keyFile, caFile := filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem"), filepath.Join(dir, "client-ca.pem")
	if err := pki.ServerPair.WriteFiles(certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "client-ca.pem", string(pki.CA.CertPEM))
	addr := freeAddr(t)
	url := "https://" + addr

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"registry", "serve", "--addr", addr, "--data", filepath.Join(dir, "data"), "--auth-file", auth,
			"--tls-cert", certFile, "--tls-key", keyFile, "--tls-client-ca", caFile, "--access-log=false"},
			Stdio{In: strings.NewReader(""), Out: &strings.Builder{}, Err: &stderr}, func(string) string { return "" })
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("registry serve: exit %d\n%s", code, stderr.String())
		}
	})

	// get does GET /subjects with a client of the CA in caFile presenting
	// cert (none when the pair is empty), with basic auth when user is set.
	get := func(ca *tlsgen.CA, cert tlsgen.Pair, user, pass string) (int, error) {
		cfg := &tls.Config{RootCAs: ca.Pool()}
		if cert.CertPEM != nil {
			c, err := cert.TLS()
			if err != nil {
				t.Fatal(err)
			}
			cfg.Certificates = []tls.Certificate{c}
		}
		cl := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}}
		req, _ := http.NewRequest("GET", url+"/subjects", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := cl.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if code, err := get(pki.CA, pki.ClientPair, "", ""); err == nil && code == 200 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("registry serve does not answer: %d %v\n%s", code, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "url=https://"+addr) || !strings.Contains(stderr.String(), "client certificates required") {
		t.Errorf("the log does not say https and mTLS:\n%s", stderr.String())
	}

	stranger, err := pki.CA.Client(pkix.Name{CommonName: "stranger"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if code, err := get(pki.CA, stranger, "", ""); err != nil || code != 401 {
		t.Errorf("an unlisted certificate without credentials: %d %v, want 401", code, err)
	}
	if code, err := get(pki.CA, stranger, "ops", "ops-Secret-1"); err != nil || code != 200 {
		t.Errorf("an unlisted certificate with basic auth: %d %v, want 200", code, err)
	}
	if _, err := get(pki.CA, tlsgen.Pair{}, "ops", "ops-Secret-1"); err == nil {
		t.Error("a client without a certificate got an answer")
	}

	// The edactl client with the certificate settings only.
	env := map[string]string{"EDACTL_REGISTRY": url, "EDACTL_REGISTRY_CA_FILE": pki.CAFile,
		"EDACTL_REGISTRY_CERT_FILE": pki.ClientCert, "EDACTL_REGISTRY_KEY_FILE": pki.ClientKey}
	schema := writeFile(t, dir, "v1.avsc", `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}`)
	if code, out, errOut := runEnv(t, env, "registry", "register", "orders-value", schema); code != 0 || !strings.Contains(out, "version 1") {
		t.Errorf("register over mTLS: exit %d\n%s%s", code, out, errOut)
	}

	// Reload: a new CA signs the server's certificate and the clients'.
	ca2, err := tlsgen.NewCA("second CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv2, _ := ca2.Server("server", time.Hour)
	cli2, _ := ca2.Client(pkix.Name{CommonName: "edactl-ci"}, time.Hour)
	if err := srv2.WriteFiles(certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "client-ca.pem", string(ca2.CertPEM))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		if code, err := get(ca2, cli2, "", ""); err == nil && code == 200 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("after SIGHUP the new certificate is not served: %d %v\n%s", code, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := get(pki.CA, pki.ClientPair, "", ""); err == nil {
		t.Error("after SIGHUP the old CA's certificates still work")
	}

	// Files that do not load: logged, and the last good ones stay.
	writeFile(t, dir, "server.pem", "not a certificate")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "TLS files not reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("no log of the failed reload:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, err := get(ca2, cli2, "", ""); err != nil || code != 200 {
		t.Errorf("after a failed reload: %d %v, want the previous certificate in use", code, err)
	}
	if strings.Contains(stderr.String(), "ops-Secret-1") {
		t.Errorf("the log shows a password:\n%s", stderr.String())
	}

	// Usage errors.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", certFile}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-client-ca", caFile}, "--tls-client-ca needs them"},
		{[]string{"--tls-cert", filepath.Join(dir, "nope.pem"), "--tls-key", keyFile}, "--tls-cert " + filepath.Join(dir, "nope.pem")},
	} {
		code, _, errOut := run(t, nil, append([]string{"registry", "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, c.args...)...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q, want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

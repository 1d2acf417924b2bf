package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// serverTLS is the TLS configuration of `edactl registry serve`: its
// certificate and key, and optionally the CAs that client certificates
// must chain to (mTLS). reload reads the files again; a handshake always
// uses the last configuration that loaded, so a renewed certificate is
// picked up by new connections without a restart (SIGHUP), and a bad file
// leaves the previous configuration in use.
type serverTLS struct {
	certFile, keyFile, clientCAFile string
	current                         atomic.Pointer[tls.Config]
}

// newServerTLS loads the files; an error names the flag and the file.
func newServerTLS(certFile, keyFile, clientCAFile string) (*serverTLS, error) {
	switch {
	case certFile == "" && keyFile == "" && clientCAFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, usageErrorf("--tls-cert and --tls-key go together, and --tls-client-ca needs them")
	}
	s := &serverTLS{certFile: certFile, keyFile: keyFile, clientCAFile: clientCAFile}
	if err := s.reload(); err != nil {
		return nil, &usageError{err}
	}
	return s, nil
}

// reload reads the certificate, key and client CAs again.
func (s *serverTLS) reload() error {
	cert, err := tls.LoadX509KeyPair(s.certFile, s.keyFile)
	if err != nil {
		return fmt.Errorf("--tls-cert %s with --tls-key %s: %w", s.certFile, s.keyFile, err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if s.clientCAFile != "" {
		pem, err := os.ReadFile(s.clientCAFile)
		if err != nil {
			return fmt.Errorf("--tls-client-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("--tls-client-ca %s: no PEM certificate in it", s.clientCAFile)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	s.current.Store(cfg)
	return nil
}

// config is what the listener uses: each handshake takes the current
// configuration.
func (s *serverTLS) config() *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return s.current.Load(), nil },
	}
}

// reloadOnSIGHUP reloads s at every SIGHUP until ctx ends, logging the
// outcome.
func (s *serverTLS) reloadOnSIGHUP(ctx context.Context, logger *slog.Logger) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	go func() {
		defer signal.Stop(ch)
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
				if err := s.reload(); err != nil {
					logger.Error("SIGHUP: TLS files not reloaded; the previous certificate stays in use", "err", err)
					continue
				}
				logger.Info("SIGHUP: TLS certificate reloaded", "cert", s.certFile, "client_ca", s.clientCAFile)
			}
		}
	}()
}

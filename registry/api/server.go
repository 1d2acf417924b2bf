package api

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/store"
)

// Server is a complete registry: log, registry service and HTTP handler.
type Server struct {
	Log      store.Log
	Registry *registry.Registry
	Handler  *Handler
}

// Open replays log into a registry and builds its handler. The Server owns
// log from here on: Close closes it.
func Open(ctx context.Context, log store.Log, regOpts []registry.Option, opts ...Option) (*Server, error) {
	reg, err := registry.Open(ctx, log, regOpts...)
	if err != nil {
		log.Close()
		return nil, err
	}
	h, err := newHandler(reg, opts...)
	if err != nil {
		reg.Close()
		log.Close()
		return nil, err
	}
	return &Server{Log: log, Registry: reg, Handler: h}, nil
}

// Close flushes the access log, stops the registry's writer and closes the
// log.
func (s *Server) Close() error {
	return errors.Join(s.Handler.Close(), s.Registry.Close(), s.Log.Close())
}

// Serve serves the handler on ln with Serve, through a listener that keeps
// at most WithMaxConnections connections open (refusing the others with
// 503) and answers requests net/http cannot parse (a bad %-escape in the
// path, oversized headers) with Confluent error bodies instead of
// net/http's plain text.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	l := newListener(ln, s.Handler.cfg.maxConnections)
	s.Handler.conns.Store(l)
	if cfg := s.Handler.cfg.tls; cfg != nil {
		// TLS outside the connection limit: net/http sees *tls.Conn, so
		// requests carry their TLS state (r.TLS) and peer certificates.
		return serve(ctx, tls.NewListener(l, cfg), s.Handler, s.Handler.log)
	}
	return serve(ctx, l, s.Handler, s.Handler.log)
}

// Timeouts of the HTTP server Serve runs.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
	ShutdownGrace     = 10 * time.Second
)

// Serve serves h on ln until ctx is done, then shuts down gracefully:
// in-flight requests get ShutdownGrace to finish. It returns nil after a
// clean shutdown. Requests net/http cannot parse get Confluent error
// bodies; Server.Serve also applies the handler's connection limit.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	if _, ok := ln.(*listener); !ok {
		ln = newListener(ln, 0)
	}
	return serve(ctx, ln, h, logger)
}

// serve is Serve on a listener that is already wrapped.
func serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down the HTTP server", "grace", ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

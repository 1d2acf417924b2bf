package api

import (
	"errors"
	"log/slog"
)

// Option configures the handler Open builds.
type Option func(*config)

type config struct {
	logger       *slog.Logger
	maxBody      int64
	auth         *Auth
	version      string
	accessLog    bool
	schemaSearch int
}

func defaultConfig() config {
	return config{logger: slog.New(slog.DiscardHandler), maxBody: 16 << 20, version: "dev", accessLog: true, schemaSearch: 1000}
}

// WithLogger sets the logger for errors and access logs, overriding the
// default of discarding them.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithMaxBodyBytes sets the request body limit, overriding the default of
// 16 MiB; larger bodies get 413 with error_code 413.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithAuth requires authentication with the given users and tokens,
// overriding the default of an open server.
func WithAuth(a *Auth) Option { return func(c *config) { c.auth = a } }

// WithVersion sets the version GET /v1/metadata/version reports, overriding
// the default "dev".
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithAccessLog turns the per-request access log (at Info level) on or off,
// overriding the default of on.
func WithAccessLog(on bool) Option { return func(c *config) { c.accessLog = on } }

func (c *config) validate() error {
	if c.logger == nil {
		return errors.New("api: nil logger")
	}
	if c.maxBody < 1 {
		return errors.New("api: body limit must be positive")
	}
	return nil
}

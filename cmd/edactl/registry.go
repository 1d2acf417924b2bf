package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/sr"
)

// The `edactl registry` group: serve (registry_serve.go), passwd
// (registry_passwd.go), the subject and
// version commands (registry_subjects.go), config and mode
// (registry_config.go), export, import and verify (registry_migrate.go).

func newRegistryCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registry",
		Short: "Run the schema registry, or talk to one",
		Long: `Run edactl's schema registry (a Confluent Schema Registry compatible
server on an embedded, crash-safe log), or manage subjects, versions,
compatibility config and modes on any Confluent-compatible registry
(--registry, env EDACTL_REGISTRY).

Client credentials: --user/--password (HTTP basic) or --token (bearer), also
from EDACTL_REGISTRY_USER, EDACTL_REGISTRY_PASSWORD and EDACTL_REGISTRY_TOKEN,
a context or edactl.yaml; HTTPS with --registry-ca-file, and mTLS with
--registry-cert-file and --registry-key-file. They are global: every command
that talks to a registry uses them (check, push, gen go --from-registry,
consume, produce, trace, replay, tui). See docs/security.md.`,
		Example: `  edactl registry serve --data ./.edactl/registry
  edactl registry register orders-value schemas/shop/order/v1.avsc
  edactl registry subjects -o json
  edactl registry get orders-value latest
  edactl registry schema 1 -o json
  edactl registry compat orders-value v2.avsc --version latest`,
	}
	cmd.AddCommand(
		newRegistryServeCmd(g),
		newRegistryPasswdCmd(g),
		newRegistrySubjectsCmd(g),
		newRegistryVersionsCmd(g),
		newRegistryGetCmd(g),
		newRegistrySchemaCmd(g),
		newRegistryCompatCmd(g),
		newRegistryRegisterCmd(g),
		newRegistryDeleteCmd(g),
		newRegistryConfigCmd(g),
		newRegistryModeCmd(g),
		newRegistryExportCmd(g),
		newRegistryImportCmd(g),
		newRegistryVerifyCmd(g),
	)
	return cmd
}

// registryCall is what a registry client command runs with: the client,
// the registry named in its errors, and where and how it reports.
type registryCall struct {
	cl     *sr.Client
	url    string
	w      io.Writer
	format string // text or json
}

// registryCall returns the registryCall of a client command writing format
// to cmd's stdout.
func (g *globals) registryCall(cmd *cobra.Command, format string) (registryCall, error) {
	cl, err := g.registryClient()
	if err != nil {
		return registryCall{}, err
	}
	return registryCall{cl: cl, url: g.Registry, w: cmd.OutOrStdout(), format: format}, nil
}

// fail adds the HTTP status and Confluent error code to a registry error,
// and names the registry when it cannot be reached.
func (r registryCall) fail(err error) error {
	var re *sr.ResponseError
	if errors.As(err, &re) {
		return fmt.Errorf("registry %s: %s (HTTP %d, error_code %d)", r.url, re.Message, re.StatusCode, re.ErrorCode)
	}
	return fmt.Errorf("registry %s: %w", r.url, err)
}

// parseVersionArg parses "latest", -1 or a positive version number.
func parseVersionArg(s string) (int, error) {
	if strings.EqualFold(s, "latest") {
		return -1, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v == 0 || v < -1 {
		return 0, usageErrorf("invalid version %q: want a positive number or latest", s)
	}
	return v, nil
}

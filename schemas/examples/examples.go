// Package examples is edactl's sample catalogue: a small shop whose
// services talk through Kafka, kept as a real schema tree (edactl.yaml and
// schemas/<domain>/<event>/vN.avsc).
//
// It has nine messages across the orders, payments, inventory and shipping
// domains, of all four kinds (event, command, document, query). Their
// histories exercise what schemas go through: fields added with defaults,
// a field renamed through an alias, int→long promotions, enums that grow
// behind a default symbol (under FULL and FULL_TRANSITIVE), and a command
// with exactly one consumer. `edactl check` on it is clean.
//
// The tree is embedded in the binary so that `edactl dev` can register it on
// first start and the code generator can generate from it without files on
// disk:
//
//	tree, err := schemas.LoadFS(ctx, examples.FS())
package examples

import (
	"embed"
	"io/fs"
)

// files is the embedded tree. A package-level variable is the only way to
// use embed; it is never written.
//
//go:embed edactl.yaml schemas
var files embed.FS

// FS returns the catalogue as a read-only file system whose root holds
// edactl.yaml and the schemas directory.
func FS() fs.FS { return files }

// Package schemas loads and validates a versioned schema tree and its
// edactl.yaml configuration. It is the only place the layout rules live:
//
//	edactl.yaml
//	schemas/<domain>/<event>/v1.avsc
//	schemas/<domain>/<event>/v2.avsc
//
// A published version file never changes; a new version is a new file.
package schemas

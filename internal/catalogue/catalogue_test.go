package catalogue

import (
	"context"
	"testing"

	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
)

func sampleTree(t *testing.T) *schemas.Tree {
	t.Helper()
	tree, err := schemas.LoadFS(context.Background(), examples.FS())
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func sampleFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := Generate(sampleTree(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

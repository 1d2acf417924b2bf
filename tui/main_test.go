package tui

import (
	"os"
	"testing"

	"github.com/edactl/edactl/internal/testenv"
)

// TestMain makes the test binary BenchmarkTail's helper process (a kfake
// broker and a paced producer) when the benchmark starts it.
func TestMain(m *testing.M) {
	testenv.MaybeServeKfake(map[string]testenv.KfakeDriver{tailProducerDriver: produceTail})
	os.Exit(m.Run())
}

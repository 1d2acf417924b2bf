package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"

	"github.com/edactl/edactl/registry/compat"
)

// TestSetCheckedRecordsTheVerdict checks a command's checked record: the
// hex keys of every version found compatible, sorted as strings, and
// nothing found incompatible; and that verdictOf gives back the verdict,
// from the candidate when the record is its own and by decoding otherwise.
func TestSetCheckedRecordsTheVerdict(t *testing.T) {
	for _, n := range []int{0, 1, 2, 75} {
		v := verdict{level: compat.BackwardTransitive, ok: map[[32]byte]bool{}, def: compat.Backward, budget: 1000}
		var want []string
		for i := range n {
			k := sha256.Sum256(fmt.Appendf(nil, "version %d", i))
			v.ok[k] = true
			want = append(want, hex.EncodeToString(k[:]))
		}
		v.ok[sha256.Sum256([]byte("not compatible"))] = false
		slices.Sort(want)
		var rec record
		rec.setChecked(&v)
		c := rec.Checked
		if c.Level != v.level || c.Default != v.def || c.Budget != v.budget || !slices.Equal(c.Keys, want) {
			t.Fatalf("%d keys: checked record %+v, want keys %v", n, c, want)
		}
		decoded := verdictOf(&rec, nil)
		cand := &candidate{checked: &v, checkedRec: c}
		own := verdictOf(&rec, cand)
		if own != &v || cand.checked != nil {
			t.Errorf("%d keys: verdictOf did not take the candidate's own verdict", n)
		}
		for name, got := range map[string]*verdict{"decoded": decoded, "own": own} {
			trues := 0
			for k, ok := range got.ok {
				if ok {
					trues++
					if !slices.Contains(want, hex.EncodeToString(k[:])) {
						t.Errorf("%d keys, %s: key %x is not in the record", n, name, k)
					}
				}
			}
			if got.level != v.level || got.def != v.def || got.budget != v.budget || trues != n {
				t.Errorf("%d keys, %s: verdict %+v with %d keys", n, name, got, trues)
			}
		}
		if again := verdictOf(&rec, cand); again == &v {
			t.Errorf("%d keys: a second decision took the verdict again", n)
		}
	}
}

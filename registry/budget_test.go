package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/edactl/edactl/registry/compat"
)

// unionOfRecords is a record whose one field is a union of n records.
func unionOfRecords(n int, extra string) string {
	var b strings.Builder
	b.WriteString(`{"type":"record","name":"Wide","fields":[{"name":"u","type":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"record","name":"B%d","fields":[{"name":"x","type":"int"}%s]}`, i, extra)
	}
	b.WriteString(`]}]}`)
	return b.String()
}

// A registration whose compatibility check needs more than the configured
// budget is refused with 422/42201 saying so, promptly, and the registry
// goes on serving reads and writes.
func TestRegisterOverTheBudgetIs422(t *testing.T) {
	ctx := context.Background()
	r := openTest(t, nil, WithCompatibilityBudget(1000))
	if _, err := r.Register(ctx, "wide", RegisterRequest{Schema: unionOfRecords(2000, "")}); err != nil {
		t.Fatal(err) // the first version is compared with nothing
	}
	v2 := RegisterRequest{Schema: unionOfRecords(2000, `,{"name":"y","type":"int","default":0}`)}
	start := time.Now()
	_, err := r.Register(ctx, "wide", v2)
	re := wantCode(t, "register over the budget", err, CodeInvalidSchema)
	if re.HTTPStatus() != 422 || !errors.Is(err, compat.ErrTooComplex) ||
		!strings.Contains(re.Message, "work budget of 1000 steps") || !strings.Contains(re.Message, "simplify the schema") {
		t.Fatalf("error = %d %q (is ErrTooComplex: %v)", re.HTTPStatus(), re.Message, errors.Is(err, compat.ErrTooComplex))
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("refusing took %v", d)
	}
	_, err = r.CheckCompatibility(ctx, "wide", 0, v2)
	wantCode(t, "compatibility check over the budget", err, CodeInvalidSchema)

	// Still serving: a small registration, and reads.
	res, err := r.Register(ctx, "small", RegisterRequest{Schema: `"string"`})
	if err != nil || res.ID != 2 {
		t.Fatalf("register after the refusal = %+v, %v", res, err)
	}
	if got := fmt.Sprint(r.Subjects("", LiveOnly)); got != "[small wide]" {
		t.Fatalf("Subjects = %s", got)
	}
	if vs, err := r.Versions("wide", LiveOnly); err != nil || len(vs) != 1 {
		t.Fatalf("Versions(wide) = %v, %v", vs, err)
	}
}

func TestCompatibilityBudgetMustBePositive(t *testing.T) {
	if _, err := Open(context.Background(), nil, WithCompatibilityBudget(0)); err == nil || !strings.Contains(err.Error(), "budget") {
		t.Fatalf("Open with a zero budget: %v", err)
	}
}

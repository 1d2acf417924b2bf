package registry_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/registrytest"
)

// Over HTTP, a registration that blows a small budget answers 422 with
// error_code 42201 in Confluent's error shape, quickly, and the registry
// keeps answering.
func TestRegisterOverTheBudgetOverHTTP(t *testing.T) {
	srv := registrytest.Start(t, registrytest.InMemory(),
		registrytest.WithRegistryOptions(registry.WithCompatibilityBudget(1000)))
	post := func(subject, schema string) (int, string) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"schema": schema})
		resp, err := http.Post(srv.URL+"/subjects/"+subject+"/versions", "application/vnd.schemaregistry.v1+json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	wide := func(extra string) string {
		var b strings.Builder
		b.WriteString(`{"type":"record","name":"Wide","fields":[{"name":"u","type":[`)
		for i := range 2000 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"type":"record","name":"B%d","fields":[{"name":"x","type":"int"}%s]}`, i, extra)
		}
		b.WriteString(`]}]}`)
		return b.String()
	}
	if code, body := post("wide", wide("")); code != 200 {
		t.Fatalf("first version: %d %s", code, body)
	}
	start := time.Now()
	code, body := post("wide", wide(`,{"name":"y","type":"int","default":0}`))
	var e struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || code != 422 || e.ErrorCode != 42201 || !strings.Contains(e.Message, "work budget") {
		t.Fatalf("over the budget: %d %s", code, body)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("refusing took %v", d)
	}
	if code, body := post("small", `"string"`); code != 200 || body != `{"id":2}` {
		t.Fatalf("after the refusal: %d %s", code, body)
	}
}

package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/store"
)

// FuzzHandler sends arbitrary methods, paths and bodies to the API: it must
// never panic, never answer 500 to a client mistake, and always answer an
// error in Confluent's {"error_code","message"} shape.
func FuzzHandler(f *testing.F) {
	srv, err := api.Open(context.Background(), store.NewMemory(), []registry.Option{registry.WithCommitDelay(0)}, api.WithMaxBodyBytes(1<<16))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	ctx := context.Background()
	money := `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}`
	srv.Registry.Register(ctx, "money", registry.RegisterRequest{Schema: money})
	srv.Registry.Register(ctx, "order", registry.RegisterRequest{Schema: `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"Money"}]}`,
		References: []registry.Reference{{Name: "shop.Money", Subject: "money", Version: 1}}})
	for _, s := range []struct{ m, p, b string }{
		{"GET", "/schemas/ids/1", ""},
		{"GET", "/schemas/ids/2?format=resolved&fetchMaxId=true", ""},
		{"POST", "/subjects/a%2Fb/versions", `{"schema":"\"string\""}`},
		{"POST", "/subjects/money/versions", `{"schema":"{\"type\":\"record\",\"name\":\"Money\",\"namespace\":\"shop\",\"fields\":[]}"}`},
		{"POST", "/compatibility/subjects/order/versions/latest?verbose=true", `{"schema":"{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}","references":[{"name":"x","subject":"money","version":-1}]}`},
		{"DELETE", "/subjects/order?permanent=true", ""},
		{"PUT", "/config/x", `{"compatibility":"FULL","compatibilityGroup":"g"}`},
		{"PUT", "/mode?force=true", `{"mode":"IMPORT"}`},
		{"POST", "/subjects/imp/versions", `{"schema":"\"int\"","id":7,"version":3,"metadata":{"properties":{"a":"b"}}}`},
		{"GET", "/contexts/.c/subjects?subjectPrefix=:*:&offset=-1&limit=2", ""},
		{"DELETE", "/mode?recursive=true", ""},
		{"POST", "/subjects/x", `{"schema":1}`},
		{"GET", "/subjects/x/versions/latest/referencedby", ""},
		{"GET", "/subjects/imp/metadata?key=a&value=b&key=c&deleted=true&format=resolved", ""},
		{"HEAD", "/schemas?limit=0", ""},
		{"HEAD", "/subjects/nope/versions", ""},
		{"OPTIONS", "/config/:.c:", ""},
		{"PUT", "/mode/:.c:", `{"mode":"READONLY"}`},
		{"DELETE", "/subjects/\xda", "0"},
		{"DELETE", "/subjects/__GLOBAL/versions/latest?permanent=true", ""},
	} {
		f.Add(s.m, s.p, []byte(s.b))
	}
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		req, err := http.NewRequest(method, "http://registry"+path, bytes.NewReader(body))
		if err != nil {
			return // not an HTTP request a client could send
		}
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.Handler.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q %q: %d %s", method, path, body, w.Code, w.Body)
		}
		if method == "HEAD" {
			if w.Body.Len() != 0 {
				t.Fatalf("HEAD %q: a body: %s", path, w.Body)
			}
			return
		}
		if w.Code >= 400 {
			var e struct {
				ErrorCode *int    `json:"error_code"`
				Message   *string `json:"message"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.ErrorCode == nil || e.Message == nil {
				t.Fatalf("%s %q: error body not in Confluent's shape: %d %s", method, path, w.Code, w.Body)
			}
		}
	})
}

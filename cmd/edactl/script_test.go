package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/schemas/examples"
)

// TestMain lets testscript run the real edactl Main in-process as the
// "edactl" command of the scripts under testdata/script, and makes the
// test binary the kfake helper process of the stream benchmarks when they
// start it (testenv.KfakeProcess).
func TestMain(m *testing.M) {
	testenv.MaybeServeKfake(nil)
	// The edactl processes the tests start (built binaries, kill tests)
	// must not read the developer's contexts: a current context would
	// add its TLS and SASL settings to every command. (Processes this
	// binary re-executes inherit the directory.)
	if !strings.Contains(os.Getenv("XDG_CONFIG_HOME"), "edactl-test-config-") {
		dir, err := os.MkdirTemp("", "edactl-test-config-")
		if err != nil {
			panic(err)
		}
		os.Setenv("XDG_CONFIG_HOME", dir)
		if filepath.Base(os.Args[0]) != "edactl" { // not a script's edactl: scripts set their own
			os.Unsetenv("EDACTL_USER_CONFIG")
			os.Unsetenv("EDACTL_CONTEXT")
		}
	}
	testscript.Main(m, map[string]func(){
		"edactl": func() {
			os.Exit(Main(context.Background(), os.Args[1:], Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, os.Getenv))
		},
	})
}

// TestScripts runs every testdata/script/<command>_<case>.txtar end-to-end.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Scripts must not see the developer's configuration.
			env.Setenv("NO_COLOR", "1")
			// Every script gets its own real registry over HTTP, at
			// $REGISTRY_URL; scripts opt in with --registry or
			// EDACTL_REGISTRY, so the others stay offline.
			tb, ok := env.T().(testing.TB)
			if !ok {
				return errors.New("testscript: T is not a testing.TB")
			}
			env.Setenv("REGISTRY_URL", registrytest.Start(tb, registrytest.InMemory()).URL)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"jsonvalid": cmdJSONValid,
			"xmlvalid":  cmdXMLValid,
			"examples":  cmdExamples,
		},
	})
}

// jsonvalid FILE: the file holds exactly one JSON value.
func cmdJSONValid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: jsonvalid FILE")
	}
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	var v any
	err := dec.Decode(&v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if (err == nil) == neg {
		ts.Fatalf("jsonvalid %s: %v", args[0], err)
	}
}

// xmlvalid FILE: the file is well-formed XML.
func cmdXMLValid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: xmlvalid FILE")
	}
	dec := xml.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	var err error
	elements := 0
	for {
		var tok xml.Token
		tok, err = dec.Token()
		if err == io.EOF {
			err = nil
			if elements == 0 {
				err = errors.New("no element")
			}
			break
		}
		if err != nil {
			break
		}
		if _, ok := tok.(xml.StartElement); ok {
			elements++
		}
	}
	if (err == nil) == neg {
		ts.Fatalf("xmlvalid %s: %v", args[0], err)
	}
}

// examples DIR: writes the embedded sample catalogue into DIR.
func cmdExamples(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: examples DIR")
	}
	dst := ts.MkAbs(args[0])
	err := fs.WalkDir(examples.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(examples.FS(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	ts.Check(err)
}

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/edactl/edactl/codegen"
)

// genHook is a conversion hook and whether the output directory has it.
type genHook struct {
	codegen.Hook
	// Written is set when a file of the user's in the output directory
	// declares the function.
	Written bool `json:"written"`
}

// genHooks lists the hooks the conversions of in call and looks for them in
// the files of dir that edactl did not generate.
func genHooks(in codegen.Input, dir string) ([]genHook, error) {
	hooks, err := codegen.Hooks(in)
	if err != nil || len(hooks) == 0 {
		return nil, err
	}
	var own [][]byte
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if !bytes.HasPrefix(data, []byte(codegen.Header+"\n")) {
			own = append(own, data)
		}
	}
	out := make([]genHook, len(hooks))
	for i, h := range hooks {
		out[i].Hook = h
		for _, data := range own {
			if bytes.Contains(data, []byte("func "+h.Func+"(")) {
				out[i].Written = true
			}
		}
	}
	return out, nil
}

// printHooks tells which hooks the generated conversions call, with the
// fields each must set and why, and which are still to be written.
func printHooks(w io.Writer, dir string, hooks []genHook) {
	if len(hooks) == 0 {
		return
	}
	missing := 0
	for _, h := range hooks {
		if !h.Written {
			missing++
		}
	}
	fmt.Fprintf(w, "the conversions call %d hook(s) that you write in a file of your own in %s (%d missing: the package does not compile without them):\n", len(hooks), filepath.ToSlash(dir), missing)
	for _, h := range hooks {
		state := "missing"
		if h.Written {
			state = "written"
		}
		fmt.Fprintf(w, "  [%s] %s\n", state, strings.ReplaceAll(h.String(), "\n", "\n  "))
	}
}

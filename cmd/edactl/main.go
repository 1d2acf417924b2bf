// Command edactl is the toolchain for teams whose services talk through Kafka
// events: a Confluent-compatible schema registry, a CI compatibility gate, a
// code generator and stream tools.
//
// main is deliberately tiny: all behaviour lives in Main so that tests
// (testscript) run the very same code in-process.
//
// Commands are thin: each parses its flags into an options struct and calls
// a run function or a package (stream, schemas/gate, codegen, registry/api,
// tui). Every registry and Kafka client is built by one constructor from one
// set of connection settings (clients.go), so the credentials, user agent
// and timeouts are the same for every command, the TUI and edactl dev's
// demo. Exit codes are decided in one place (exitCode): 0 ok, 1 failed, 2
// usage or configuration error, recognised by the *usageError type, never
// by an error's text (usage.go).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}

// Command edactl is the toolchain for teams whose services talk through Kafka
// events: a Confluent-compatible schema registry, a CI compatibility gate, a
// code generator and stream tools.
//
// main is deliberately tiny: all behaviour lives in Main so that tests
// (testscript) run the very same code in-process.
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

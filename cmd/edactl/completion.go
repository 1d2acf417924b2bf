package main

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/schemas"
)

// Dynamic shell completion. `edactl completion bash|zsh|fish|powershell`
// prints a script that asks the hidden `edactl __complete ARGS...` for the
// candidates of the word being typed; these functions answer it for topic,
// consumer group, subject and event names, from the cluster, the registry
// and the schema tree the command line (flags, EDACTL_*, context,
// edactl.yaml) points at. A completion is a convenience: every lookup is
// bounded by completionTimeout, and on any error — nothing reachable, bad
// settings — there are simply no candidates, with nothing printed.

// completionTimeout bounds one completion's lookups.
const completionTimeout = 2 * time.Second

// completionKind is what a word names.
type completionKind int

const (
	completeTopic completionKind = iota
	completeGroup
	completeSubject
	completeEvent
)

// completeFunc is cobra's signature of argument and flag completion.
type completeFunc = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective)

// completeArgs completes positional arguments: position i with kinds[i],
// and every position after the last with the last kind when repeat is set
// (consume TOPIC...). Positions without a kind complete file names.
func (g *globals) completeArgs(repeat bool, kinds ...completionKind) completeFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		i := len(args)
		if i >= len(kinds) {
			if !repeat || len(kinds) == 0 {
				return nil, cobra.ShellCompDirectiveDefault
			}
			i = len(kinds) - 1
		}
		names := g.completionNames(cmd, kinds[i])
		if repeat {
			names = slices.DeleteFunc(names, func(n string) bool { return slices.Contains(args, n) })
		}
		return withPrefix(names, "", toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeFlag completes a flag's value; with list set, the value is a
// comma-separated list and its last element is completed.
func (g *globals) completeFlag(kind completionKind, list bool) completeFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		head, word := "", toComplete
		if list {
			if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
				head, word = toComplete[:i+1], toComplete[i+1:]
			}
		}
		names := g.completionNames(cmd, kind)
		if list {
			given := strings.Split(head, ",")
			names = slices.DeleteFunc(names, func(n string) bool { return slices.Contains(given, n) })
		}
		return withPrefix(names, head, word), cobra.ShellCompDirectiveNoFileComp
	}
}

// withPrefix returns head+name for the names starting with word.
func withPrefix(names []string, head, word string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, word) {
			out = append(out, head+n)
		}
	}
	return out
}

// completionContext resolves the settings as a command run would (the
// completion command does not run the root's PersistentPreRunE), keeping
// every message off the terminal, and returns the context that bounds a
// completion's lookups; ok is false when the settings do not resolve.
func (g *globals) completionContext(cmd *cobra.Command) (ctx context.Context, cancel context.CancelFunc, ok bool) {
	g.warned = true // no settings warnings in the middle of a command line
	if err := g.resolve(cmd.Flags()); err != nil {
		return nil, nil, false
	}
	parent := cmd.Context()
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel = context.WithTimeout(parent, completionTimeout)
	return ctx, cancel, true
}

// completionRegistry returns a client of the registry the settings name,
// with the completion's timeout; ok is false when none is set or usable.
func (g *globals) completionRegistry() (*sr.Client, bool) {
	conn := g.clientOptions()
	if len(conn.Registry.URLs) == 0 {
		return nil, false
	}
	conn.Registry.Timeout = completionTimeout
	cl, err := newRegistryClient(conn.Registry)
	return cl, err == nil
}

// completionNames looks up the names of kind, or returns none.
func (g *globals) completionNames(cmd *cobra.Command, kind completionKind) []string {
	ctx, cancel, ok := g.completionContext(cmd)
	if !ok {
		return nil
	}
	defer cancel()
	var names []string
	var err error
	switch kind {
	case completeTopic, completeGroup:
		silent := &cobra.Command{}
		silent.SetErr(io.Discard)
		c, closeAll, cerr := g.streamClient(silent, roles{admin: true})
		if cerr != nil {
			return nil
		}
		defer closeAll()
		if kind == completeTopic {
			names, err = c.TopicNames(ctx)
		} else {
			names, err = c.GroupNames(ctx)
		}
	case completeSubject:
		cl, ok := g.completionRegistry()
		if !ok {
			return nil
		}
		names, err = cl.Subjects(ctx)
		slices.Sort(names)
	case completeEvent:
		if g.ConfigPath == "" {
			return nil
		}
		var tree *schemas.Tree
		tree, err = schemas.Load(ctx, g.ConfigPath)
		if err == nil {
			for _, e := range tree.Events {
				names = append(names, e.ID())
			}
		}
	}
	if err != nil {
		return nil
	}
	return names
}

// versionNames returns "latest" and the version numbers of subject, or
// nothing when the registry cannot say.
func (g *globals) versionNames(cmd *cobra.Command, subject string) []string {
	ctx, cancel, ok := g.completionContext(cmd)
	if !ok {
		return nil
	}
	defer cancel()
	cl, ok := g.completionRegistry()
	if !ok {
		return nil
	}
	versions, err := cl.SubjectVersions(ctx, subject)
	if err != nil {
		return nil
	}
	names := []string{"latest"}
	for _, v := range versions {
		names = append(names, strconv.Itoa(v))
	}
	return names
}

// completeVersionFlag completes a --version flag with the versions of the
// subject given as the first argument.
func (g *globals) completeVersionFlag(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return withPrefix(g.versionNames(cmd, args[0]), "", toComplete), cobra.ShellCompDirectiveNoFileComp
}

// registerCompletions wires the completions into the command tree: which
// arguments and flags name topics, groups, subjects and events.
func registerCompletions(g *globals, root *cobra.Command) {
	find := func(path ...string) *cobra.Command {
		c, _, err := root.Find(path)
		if err != nil || c == root {
			panic("completion: no command " + strings.Join(path, " "))
		}
		return c
	}
	args := func(c *cobra.Command, f completeFunc) { c.ValidArgsFunction = f }
	flag := func(c *cobra.Command, name string, kind completionKind, list bool) {
		if err := c.RegisterFlagCompletionFunc(name, g.completeFlag(kind, list)); err != nil {
			panic("completion: " + c.CommandPath() + " --" + name + ": " + err.Error())
		}
	}

	consume := find("consume")
	args(consume, g.completeArgs(true, completeTopic))
	flag(consume, "group", completeGroup, false)
	args(find("produce"), g.completeArgs(false, completeTopic))
	flag(find("produce"), "subject", completeSubject, false)
	flag(find("trace"), "topics", completeTopic, true)
	for _, sub := range []string{"describe", "config", "partitions", "delete"} {
		args(find("topics", sub), g.completeArgs(false, completeTopic))
	}
	args(find("groups", "describe"), g.completeArgs(false, completeGroup))
	rewind := find("rewind")
	args(rewind, g.completeArgs(false, completeGroup))
	flag(rewind, "topic", completeTopic, false)
	args(find("replay"), g.completeArgs(false, completeTopic, completeTopic))
	transform := find("transform")
	args(transform, g.completeArgs(false, completeTopic, completeTopic))
	flag(transform, "group", completeGroup, false)
	flag(transform, "subject", completeSubject, false)
	flag(find("tui"), "topic", completeTopic, false)

	for _, sub := range []string{"versions", "compat", "register", "delete", "config", "mode"} {
		args(find("registry", sub), g.completeArgs(false, completeSubject))
	}
	// registry get SUBJECT [VERSION]: the subject's versions second.
	args(find("registry", "get"), func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return g.completeArgs(false, completeSubject)(cmd, args, toComplete)
		case 1:
			return g.completeVersionFlag(cmd, args, toComplete)
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	})
	for _, sub := range []string{"delete", "compat"} {
		if err := find("registry", sub).RegisterFlagCompletionFunc("version", g.completeVersionFlag); err != nil {
			panic("completion: registry " + sub + " --version: " + err.Error())
		}
	}
	flag(find("registry", "schema"), "subject", completeSubject, false)
	flag(find("registry", "verify"), "topics", completeTopic, true)

	gengo := find("gen", "go")
	flag(gengo, "from-registry", completeSubject, true)
	args(gengo, func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if !cmd.Flags().Changed("from-registry") {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		given, _ := cmd.Flags().GetStringSlice("from-registry")
		return g.completeArgs(true, completeSubject)(cmd, append(given, args...), toComplete)
	})
	args(find("gen", "transformer"), g.completeArgs(false, completeEvent))
	processor := find("gen", "processor")
	args(processor, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveNoFileComp // NAME is new
	})
	flag(processor, "join", completeEvent, true)
	flag(processor, "emit", completeEvent, false)
}

package main

import (
	"github.com/edactl/edactl/internal/atomicfile"

	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/edactl/edactl/registry/api"
)

// registryPasswdOptions are the flags of `edactl registry passwd`.
type registryPasswdOptions struct {
	Name     string
	Role     string
	AuthFile string
}

// maxPasswordBytes bounds the password line read from stdin.
const maxPasswordBytes = 4096

func newRegistryPasswdCmd(g *globals) *cobra.Command {
	opts := &registryPasswdOptions{}
	cmd := &cobra.Command{
		Use:   "passwd NAME --role ROLE [--auth-file FILE]",
		Short: "Write an auth-file entry for a user of registry serve",
		Long: `Write the entry of user NAME for the auth file of 'edactl registry serve
--auth-file': the password is stored as its SHA-256 (password_sha256), never
as text, with the role read, write or admin.

The password is read from the terminal without echo (asked twice), or, when
stdin is not a terminal, as the first line of stdin. It is never printed.

Without --auth-file the entry is printed as a one-user auth file; its second
line can be pasted under users: of an existing file. With --auth-file FILE
the user is added to FILE, or its entry replaced (other entries and comments
stay); a new file is created readable by its owner only. A running server
reads the file again on restart.`,
		Example: `  # Print an entry (the password from a prompt, or a pipe)
  echo 'a-Long-passw0rd' | edactl registry passwd alice --role admin

  # Add or replace the entry in the file registry serve reads
  echo 'ci-Secret-2' | edactl registry passwd ci --role write --auth-file auth.yaml`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if opts.Role == "" {
				return usageErrorf("--role is required: read, write or admin")
			}
			// The role and name are checked before the password is asked.
			switch strings.ToLower(opts.Role) {
			case "read", "write", "admin":
			default:
				return usageErrorf("--role %q: want read, write or admin", opts.Role)
			}
			if _, err := api.UserEntry(opts.Name, "-", opts.Role); err != nil {
				return usageErrorf("%w", err)
			}
			return runRegistryPasswd(g.io.In, cmd.OutOrStdout(), cmd.ErrOrStderr(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Role, "role", "", "the user's role: read, write or admin")
	f.StringVar(&opts.AuthFile, "auth-file", "", "add the user to this auth file, or replace its entry (created if missing)")
	_ = cmd.RegisterFlagCompletionFunc("role", cobra.FixedCompletions([]string{"read", "write", "admin"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// runRegistryPasswd reads the password and prints the entry, or writes it
// into opts.AuthFile.
func runRegistryPasswd(in io.Reader, w, errw io.Writer, opts *registryPasswdOptions) error {
	password, err := readPassword(in, errw, opts.Name)
	if err != nil {
		return err
	}
	if opts.AuthFile == "" {
		out, err := api.UserEntry(opts.Name, password, opts.Role)
		if err != nil {
			return err
		}
		_, err = w.Write(out)
		return err
	}
	data, err := os.ReadFile(opts.AuthFile)
	mode := fs.FileMode(0o600)
	switch {
	case err == nil:
		if st, err := os.Stat(opts.AuthFile); err == nil {
			mode = st.Mode().Perm()
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return fmt.Errorf("--auth-file: %w", err)
	}
	out, replaced, err := api.SetUser(data, opts.Name, password, opts.Role)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.AuthFile, err)
	}
	if err := atomicfile.WriteFile(opts.AuthFile, out, mode); err != nil {
		return fmt.Errorf("--auth-file: %w", err)
	}
	verb := "added"
	if replaced {
		verb = "replaced"
	}
	fmt.Fprintf(w, "%s user %s (role %s) in %s\n", verb, opts.Name, strings.ToLower(opts.Role), opts.AuthFile)
	return nil
}

// readPassword reads the password: from a terminal without echo, asked
// twice; otherwise the first line of in.
func readPassword(in io.Reader, errw io.Writer, name string) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(f.Fd()) {
		fmt.Fprintf(errw, "Password for %s: ", name)
		p1, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(errw)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		fmt.Fprintf(errw, "Again: ")
		p2, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(errw)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		if !bytes.Equal(p1, p2) {
			return "", errors.New("the passwords differ; nothing written")
		}
		if len(p1) == 0 {
			return "", errors.New("the password is empty; nothing written")
		}
		return string(p1), nil
	}
	r := bufio.NewReaderSize(io.LimitReader(in, maxPasswordBytes+2), maxPasswordBytes+2)
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	if len(line) > maxPasswordBytes+1 {
		return "", fmt.Errorf("the password on stdin is longer than %d bytes", maxPasswordBytes)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("no password: give it on the first line of stdin, or run in a terminal to be asked")
	}
	return line, nil
}

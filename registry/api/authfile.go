package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Writing auth-file entries (edactl registry passwd). The entries are built
// as YAML nodes and every result is parsed again with ParseAuth before it
// is returned, so what is written is exactly what LoadAuthFile reads.

// UserEntry returns an auth file holding one user, the password as its
// SHA-256 (password_sha256), in the one-line form of the LoadAuthFile
// example:
//
//	users:
//	  - {name: alice, password_sha256: 2bb8…, role: admin}
//
// role is read, write or admin; an empty name or password is an error.
func UserEntry(name, password, role string) ([]byte, error) {
	out, _, err := SetUser(nil, name, password, role)
	return out, err
}

// SetUser adds the user name to the auth file data, or replaces the entry
// of that name, with password stored as its SHA-256 and role (read, write
// or admin). The rest of the file (other entries, tokens, certificates,
// comments) is kept; data may be empty. replaced says whether an entry of
// that name was replaced. It reports an error, and returns no file, when
// data is not an auth file or the result would not load.
func SetUser(data []byte, name, password, role string) (out []byte, replaced bool, err error) {
	if name == "" {
		return nil, false, errors.New("auth file: the user needs a name")
	}
	if password == "" {
		return nil, false, fmt.Errorf("auth file: user %q: the password is empty", name)
	}
	r, perr := parseRole(role)
	if perr != nil {
		return nil, false, fmt.Errorf("auth file: user %q: %w", name, perr)
	}
	sum := sha256.Sum256([]byte(password))
	entry := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
		scalar("name"), scalar(name),
		scalar("password_sha256"), scalar(hex.EncodeToString(sum[:])),
		scalar("role"), scalar(r.String()),
	}}

	var doc yaml.Node
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, false, fmt.Errorf("auth file: %w", err)
		}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, false, fmt.Errorf("auth file: line %d: want a mapping with users, tokens and certificates", root.Line)
	}
	var users *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "users" {
			users = root.Content[i+1]
		}
	}
	switch {
	case users == nil:
		users = &yaml.Node{Kind: yaml.SequenceNode}
		root.Content = append(root.Content, scalar("users"), users)
	case users.Kind == yaml.ScalarNode && users.Tag == "!!null":
		*users = yaml.Node{Kind: yaml.SequenceNode, HeadComment: users.HeadComment, LineComment: users.LineComment}
	case users.Kind != yaml.SequenceNode:
		return nil, false, fmt.Errorf("auth file: line %d: users must be a list", users.Line)
	}
	for i, u := range users.Content {
		if u.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(u.Content); j += 2 {
			if u.Content[j].Value == "name" && u.Content[j+1].Value == name {
				entry.HeadComment, entry.LineComment = u.HeadComment, u.LineComment
				users.Content[i] = entry
				replaced = true
			}
		}
	}
	if !replaced {
		users.Content = append(users.Content, entry)
	}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, false, fmt.Errorf("auth file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, false, fmt.Errorf("auth file: %w", err)
	}
	if _, err := ParseAuth(buf.Bytes()); err != nil {
		return nil, false, fmt.Errorf("auth file with user %q added would not load: %w", name, err)
	}
	return buf.Bytes(), replaced, nil
}

func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

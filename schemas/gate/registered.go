package gate

import (
	"context"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/schemas"
)

// Registered is where one version file of the tree is registered.
type Registered struct {
	// Subject is the registry subject.
	Subject string `json:"subject"`
	// Version is the registry's version number of the schema in Subject.
	Version int `json:"version"`
	// ID is the registry's global schema id.
	ID int `json:"id"`
}

// RegisteredVersions asks the registry which version files of tree it
// holds, matching content the way Check does (a registry's normalised form
// of a file is the same schema). The result maps an event id
// ("<domain>/<event>") and a local version number to where that version is
// registered; versions the registry does not hold are absent.
func RegisteredVersions(ctx context.Context, tree *schemas.Tree, cl *sr.Client) (map[string]map[int]Registered, error) {
	states, err := fetchSubjects(ctx, cl, tree.Events)
	if err != nil {
		return nil, err
	}
	out := map[string]map[int]Registered{}
	for _, e := range tree.Events {
		st, ok := states[e]
		if !ok {
			continue
		}
		p := planSubject(e, st)
		ids := map[int]int{}
		for _, rs := range st.versions {
			ids[rs.Version] = rs.ID
		}
		for local, version := range p.held {
			if out[e.ID()] == nil {
				out[e.ID()] = map[int]Registered{}
			}
			out[e.ID()][local] = Registered{Subject: e.Subject, Version: version, ID: ids[version]}
		}
	}
	return out, nil
}

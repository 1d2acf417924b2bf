package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/schemas"
)

// Push statuses of a subject.
const (
	StatusUpToDate   = "up-to-date" // the registry holds every local version
	StatusRegistered = "registered" // new versions were registered
	StatusPlanned    = "planned"    // --dry-run: new versions would be registered
	StatusRefused    = "refused"    // nothing was registered for this subject
)

// PushOptions configures Push.
type PushOptions struct {
	// DryRun computes and verifies the plan but registers nothing.
	DryRun bool
	// Logger receives debug logs (default: none).
	Logger *slog.Logger
	// Progress, when set, receives one line per subject (stderr).
	Progress io.Writer
}

// PushedVersion is one version registered (or planned) by Push.
type PushedVersion struct {
	// File is the version file.
	File string `json:"file"`
	// Local is the local version number (N in vN.avsc).
	Local int `json:"local"`
	// Version and ID are what the registry assigned (0 in a dry run).
	Version int `json:"version,omitempty"`
	ID      int `json:"id,omitempty"`
}

// SubjectPush is what Push did for one subject.
type SubjectPush struct {
	Subject string `json:"subject"`
	Event   string `json:"event"`
	Status  string `json:"status"`
	// Held counts the local versions the registry already holds.
	Held int `json:"held"`
	// Versions are the versions registered, or planned in a dry run.
	Versions []PushedVersion `json:"versions,omitempty"`
	// Reason says why a subject was refused.
	Reason string `json:"reason,omitempty"`
	// Findings are the problems behind a refusal.
	Findings []schemas.Finding `json:"findings,omitempty"`
}

// PushResult is the outcome of Push.
type PushResult struct {
	DryRun   bool          `json:"dry_run"`
	Subjects []SubjectPush `json:"subjects"`
	// Registered counts versions registered (or planned in a dry run).
	Registered int `json:"registered"`
	// Refused counts refused subjects.
	Refused int `json:"refused"`
}

// Push registers every local version the registry does not hold yet, in
// version order, subject by subject. A subject is refused, with nothing
// registered for it, when the tree has a problem with the event, a
// published version differs from its file, or a new version is
// incompatible with the registry's history under the registry's level.
// If the registry rejects a version anyway, the versions this run
// registered for that subject are deleted again. Other subjects go on.
// Running Push again registers nothing.
func Push(ctx context.Context, tree *schemas.Tree, cl *sr.Client, opts PushOptions) (*PushResult, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	res := &PushResult{DryRun: opts.DryRun, Subjects: []SubjectPush{}}

	// Problems the local gate finds make an event unpushable.
	blocking := map[string][]schemas.Finding{}
	for _, f := range tree.Problems {
		if f.Event != "" {
			blocking[f.Event] = append(blocking[f.Event], f)
		}
	}
	hist, err := schemas.CheckHistory(ctx, tree)
	if err != nil {
		return nil, err
	}
	for _, f := range hist {
		blocking[f.Event] = append(blocking[f.Event], f)
	}

	for i, e := range tree.Events {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		progress(opts.Progress, "push [%d/%d] %s", i+1, len(tree.Events), e.Subject)
		sp := SubjectPush{Subject: e.Subject, Event: e.ID()}
		if fs := blocking[e.ID()]; len(fs) > 0 || e.Subject == "" {
			sp.Status, sp.Reason, sp.Findings = StatusRefused, "the schema tree has errors for this event (see edactl check)", fs
			res.add(sp)
			continue
		}
		st, err := fetchSubject(ctx, cl, e.Subject)
		if err != nil {
			return res, err
		}
		p := planSubject(e, st)
		sp.Held = len(p.held)
		if len(p.conflicts) > 0 {
			sp.Status, sp.Reason, sp.Findings = StatusRefused, "the registry and the tree disagree about published versions", p.conflicts
			res.add(sp)
			continue
		}
		if len(p.pending) == 0 {
			sp.Status = StatusUpToDate
			res.add(sp)
			continue
		}
		if fs := p.checkPending(); len(fs) > 0 {
			sp.Status, sp.Findings = StatusRefused, fs
			sp.Reason = fmt.Sprintf("new versions are incompatible with the registry's history under its level %s", st.level)
			res.add(sp)
			continue
		}
		if opts.DryRun {
			sp.Status = StatusPlanned
			for _, v := range p.pending {
				sp.Versions = append(sp.Versions, PushedVersion{File: v.File, Local: v.Number})
			}
			res.add(sp)
			continue
		}
		registerPending(ctx, cl, p, &sp, log)
		res.add(sp)
	}
	return res, nil
}

func (r *PushResult) add(sp SubjectPush) {
	switch sp.Status {
	case StatusRefused:
		r.Refused++
	case StatusRegistered, StatusPlanned:
		r.Registered += len(sp.Versions)
	}
	r.Subjects = append(r.Subjects, sp)
}

// registerPending registers p's pending versions in order; on the first
// rejection it deletes the versions this run created and refuses the
// subject. A version the registry already held (someone registered the same
// schema meanwhile) is never counted as created, so it is never deleted.
func registerPending(ctx context.Context, cl *sr.Client, p *subjectPlan, sp *SubjectPush, log *slog.Logger) {
	var done []PushedVersion
	existed := map[int]bool{}
	maxBefore := 0
	for _, rs := range p.st.versions {
		existed[rs.Version] = true
		maxBefore = max(maxBefore, rs.Version)
	}
	for _, v := range p.pending {
		s := sr.Schema{Schema: string(v.Source), Type: sr.TypeAvro}
		id, err := cl.RegisterSchema(ctx, p.e.Subject, s, -1, -1)
		var ver int
		if err == nil {
			ver, err = registeredVersion(ctx, cl, p.e.Subject, s, id)
			if err != nil {
				// Registered, but which version it became is unknown: keep
				// it (it is not deleted) and say so.
				err = fmt.Errorf("registered as id %d, but its version could not be read back: %w", id, err)
			} else if existed[ver] || ver <= maxBefore {
				err = fmt.Errorf("the registry answered with version %d, which it already held: nothing new was registered", ver)
			}
		}
		if err != nil {
			sp.Status = StatusRefused
			sp.Reason = fmt.Sprintf("the registry rejected v%d.avsc: %s", v.Number, describeError(err))
			sp.Findings = []schemas.Finding{{File: v.File, Line: 1, Event: p.e.ID(), Version: v.Number, Subject: p.e.Subject,
				Rule: "REGISTRY_REJECTED", Severity: schemas.Error, Message: sp.Reason}}
			if rb := rollback(context.WithoutCancel(ctx), cl, p.e.Subject, done); rb != nil {
				sp.Reason += "; rolling back failed: " + rb.Error()
			} else if len(done) > 0 {
				sp.Reason += fmt.Sprintf("; the %d version(s) registered before it were deleted again", len(done))
			}
			return
		}
		log.Debug("registered", "subject", p.e.Subject, "file", v.File, "version", ver, "id", id)
		done = append(done, PushedVersion{File: v.File, Local: v.Number, Version: ver, ID: id})
	}
	sp.Status, sp.Versions = StatusRegistered, done
}

// registeredVersion finds the version a registration became: by lookup,
// else through the id's subject-versions.
func registeredVersion(ctx context.Context, cl *sr.Client, subject string, s sr.Schema, id int) (int, error) {
	ss, err := cl.LookupSchema(ctx, subject, s)
	if err == nil {
		return ss.Version, nil
	}
	svs, err2 := cl.SchemaVersionsByID(ctx, id)
	if err2 != nil {
		return 0, errors.Join(err, err2)
	}
	ver := 0
	for _, sv := range svs {
		if sv.Subject == subject {
			ver = max(ver, sv.Version)
		}
	}
	if ver == 0 {
		return 0, err
	}
	return ver, nil
}

// rollback deletes (soft, then hard) the versions registered this run,
// newest first.
func rollback(ctx context.Context, cl *sr.Client, subject string, done []PushedVersion) error {
	var errs []error
	for i := len(done) - 1; i >= 0; i-- {
		v := done[i].Version
		if err := cl.DeleteSchema(ctx, subject, v, sr.SoftDelete); err != nil {
			errs = append(errs, fmt.Errorf("delete version %d: %w", v, err))
			continue
		}
		if err := cl.DeleteSchema(ctx, subject, v, sr.HardDelete); err != nil {
			errs = append(errs, fmt.Errorf("permanently delete version %d: %w", v, err))
		}
	}
	return errors.Join(errs...)
}

// describeError renders a registry error with its HTTP status and
// Confluent error code.
func describeError(err error) string {
	var re *sr.ResponseError
	if errors.As(err, &re) {
		return fmt.Sprintf("HTTP %d, error %d: %s", re.StatusCode, re.ErrorCode, re.Message)
	}
	return err.Error()
}

// WritePush writes the outcome of Push as text (one line per subject, the
// findings behind each refusal, then a summary) or JSON.
func WritePush(w io.Writer, r *PushResult, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	var b strings.Builder
	upToDate := 0
	subjects := 0
	for _, sp := range r.Subjects {
		switch sp.Status {
		case StatusUpToDate:
			upToDate++
			fmt.Fprintf(&b, "%s: up to date (%d version(s))\n", sp.Subject, sp.Held)
		case StatusPlanned, StatusRegistered:
			subjects++
			parts := make([]string, len(sp.Versions))
			for i, v := range sp.Versions {
				parts[i] = fmt.Sprintf("v%d", v.Local)
				if v.Version > 0 {
					parts[i] += fmt.Sprintf(" as version %d (id %d)", v.Version, v.ID)
				}
			}
			verb := "registered"
			if sp.Status == StatusPlanned {
				verb = "would register"
			}
			fmt.Fprintf(&b, "%s: %s %s", sp.Subject, verb, strings.Join(parts, ", "))
			if sp.Held > 0 {
				fmt.Fprintf(&b, " (%d already registered)", sp.Held)
			}
			b.WriteByte('\n')
		case StatusRefused:
			fmt.Fprintf(&b, "%s: refused, nothing registered: %s\n", orDash(sp.Subject), sp.Reason)
			for _, f := range sp.Findings {
				b.WriteString("  " + f.String() + "\n")
			}
		}
	}
	verb := "registered"
	if r.DryRun {
		verb = "would register"
	}
	if r.Registered == 0 && r.Refused == 0 {
		fmt.Fprintf(&b, "push: nothing to do, %d subject(s) up to date\n", upToDate)
	} else {
		fmt.Fprintf(&b, "push: %s %d version(s) in %d subject(s); %d up to date; %d refused\n", verb, r.Registered, subjects, upToDate, r.Refused)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

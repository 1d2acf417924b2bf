package codegen

import (
	"fmt"
	"go/format"
	"slices"
	"strconv"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avrovalue"
)

// Hook is a piece of a conversion between two adjacent versions that
// Avro schema resolution cannot derive: the generated step calls a
// function the user writes (in a file of their own, which edactl never
// overwrites), so a missing hook is a compile error.
type Hook struct {
	// Event is the event's id (orders/order-placed).
	Event string `json:"event"`
	// Func is the function the user writes, e.g. upcastOrderPlacedV3ToV4.
	Func string `json:"func"`
	// Signature is its Go signature.
	Signature string `json:"signature"`
	// From and To are the version numbers of the step.
	From int `json:"from"`
	To   int `json:"to"`
	// Fields are the target fields the hook must set, with the reason.
	Fields []HookField `json:"fields"`
}

// HookField is one target field a hook must fill, and why the generated
// code cannot.
type HookField struct {
	// Path is the field path in the target version (lines[].sku).
	Path string `json:"path"`
	// Why says what resolution lacks.
	Why string `json:"why"`
}

// String formats the hook for people: its signature and fields.
func (h Hook) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s v%d → v%d: write %s", h.Event, h.From, h.To, h.Signature)
	for _, f := range h.Fields {
		fmt.Fprintf(&b, "\n    %s: %s", f.Path, f.Why)
	}
	return b.String()
}

// Hooks lists the hooks the conversions generated for in need, events in
// the order Go sorts them, steps oldest first. It fails like Go does.
func Hooks(in Input) ([]Hook, error) {
	var out []Hook
	for _, ev := range in.Events {
		m, err := buildEvent(ev)
		if err != nil {
			return nil, err
		}
		cf := convertEvent(m)
		out = append(out, cf.hooks...)
	}
	slices.SortStableFunc(out, func(a, b Hook) int { return strings.Compare(a.Func, b.Func) })
	return out, nil
}

// convFile is the generated conversion code of one event.
type convFile struct {
	ev    *eventModel
	funcs strings.Builder // helper functions, in the order first needed
	done  map[string]bool
	hooks []Hook
	uses  map[string]bool
	// step state
	needs []HookField
	tmp   int
	// where: for each version, the runtime expression of each named
	// schema's definition (for decoding defaults).
	where map[*versionModel]map[avro.Schema]string
}

// convertFileName names the conversion file of an event.
func convertFileName(m *eventModel) string {
	return strings.TrimSuffix(m.File, ".go") + "_convert.go"
}

// convertEvent generates the conversions of an event with two or more
// versions (nothing for one version).
func convertEvent(m *eventModel) *convFile {
	cf := &convFile{ev: m, done: map[string]bool{}, uses: map[string]bool{"fmt": true}, where: map[*versionModel]map[avro.Schema]string{}}
	if len(m.Versions) < 2 {
		return cf
	}
	for i := 0; i+1 < len(m.Versions); i++ {
		cf.step(m.Versions[i], m.Versions[i+1], "upcast", "Upcast")
		cf.step(m.Versions[i+1], m.Versions[i], "downcast", "Downcast")
	}
	return cf
}

// step emits one exported step function (UpcastXV1ToV2) and what it
// needs.
func (cf *convFile) step(from, to *versionModel, verb, Verb string) {
	cf.needs = nil
	fn := cf.record(from, to, from.schema, to.schema, "")
	name := fmt.Sprintf("%s%sV%dToV%d", Verb, cf.ev.GoName, from.Number, to.Number)
	hook := fmt.Sprintf("%s%sV%dToV%d", verb, cf.ev.GoName, from.Number, to.Number)
	var b strings.Builder
	fmt.Fprintf(&b, "\n// %s converts version %d of %s to version %d, field by field as Avro\n", name, from.Number, cf.ev.FullName, to.Number)
	b.WriteString("// schema resolution maps them (see docs/codegen.md).")
	if len(cf.needs) > 0 {
		fmt.Fprintf(&b, " Resolution cannot derive\n// every field: it calls %s, which you write in a file of your own,\n// to set these fields of out:\n", hook)
		for _, f := range cf.needs {
			fmt.Fprintf(&b, "//   - %s: %s\n", f.Path, f.Why)
		}
	} else {
		b.WriteString("\n")
	}
	b.WriteString("// The result may share slices, maps and pointers with in.\n")
	fmt.Fprintf(&b, "func %s(in *%s) (*%s, error) {\n", name, from.GoName, to.GoName)
	fmt.Fprintf(&b, "if in == nil {\nreturn nil, fmt.Errorf(\"%s: nil %s\")\n}\n", name, from.GoName)
	fmt.Fprintf(&b, "out := new(%s)\nif err := %s(in, out); err != nil {\nreturn nil, err\n}\n", to.GoName, stepName(cf.ev, from, to))
	b.WriteString("return out, nil\n}\n")
	fmt.Fprintf(&b, "\nfunc %s(in *%s, out *%s) error {\n", stepName(cf.ev, from, to), from.GoName, to.GoName)
	fmt.Fprintf(&b, "if err := %s(in, out); err != nil {\nreturn fmt.Errorf(\"%s %s v%d to v%d: %%w\", err)\n}\n", fn, verb, cf.ev.ID, from.Number, to.Number)
	if len(cf.needs) > 0 {
		fmt.Fprintf(&b, "if err := %s(in, out); err != nil {\nreturn fmt.Errorf(\"%s %s v%d to v%d: %s: %%w\", err)\n}\n", hook, verb, cf.ev.ID, from.Number, to.Number, hook)
		cf.hooks = append(cf.hooks, Hook{
			Event: cf.ev.ID, Func: hook, From: from.Number, To: to.Number, Fields: cf.needs,
			Signature: fmt.Sprintf("func %s(in *%s, out *%s) error", hook, from.GoName, to.GoName),
		})
	}
	b.WriteString("return nil\n}\n")
	cf.funcs.WriteString(b.String())
}

func amp(yes bool) string {
	if yes {
		return "&"
	}
	return ""
}

// stepName names the unexported step function that converts in place.
func stepName(m *eventModel, from, to *versionModel) string {
	return fmt.Sprintf("step%sV%dToV%d", m.GoName, from.Number, to.Number)
}

// newTmp returns a fresh local variable name.
func (cf *convFile) newTmp() string {
	cf.tmp++
	return "v" + strconv.Itoa(cf.tmp)
}

// useType notes the imports a Go type written in the file needs.
func (cf *convFile) useType(goType string) {
	if strings.Contains(goType, "time.") {
		cf.uses["time"] = true
	}
	if strings.Contains(goType, "big.") {
		cf.uses["math/big"] = true
	}
}

func (cf *convFile) need(path, why string) {
	cf.needs = append(cf.needs, HookField{Path: path, Why: why})
}

// goOf is the Go type a version gives a (dereferenced) schema node.
func goOf(v *versionModel, s avro.Schema) string {
	return v.types[deref(s)]
}

// record emits (once) the function converting a record of version from
// into one of version to, and returns its name.
func (cf *convFile) record(from, to *versionModel, s, d *avro.RecordSchema, path string) string {
	sg, dg := goOf(from, s), goOf(to, d)
	name := "conv" + sg + "To" + dg
	if cf.done[name] {
		return name
	}
	cf.done[name] = true
	saved := cf.tmp
	cf.tmp = 0
	var b strings.Builder
	fmt.Fprintf(&b, "\nfunc %s(in *%s, out *%s) error {\n", name, sg, dg)
	srcFields := fieldsOf(from, sg)
	dstFields := fieldsOf(to, dg)
	for di, df := range d.Fields() {
		fpath := joinPath(path, df.Name())
		si := matchField(s, df)
		if si < 0 {
			if df.HasDefault() {
				cf.assignDefault(&b, to, d, di, "out."+dstFields[df.Name()], fpath)
			} else {
				cf.need(fpath, fmt.Sprintf("new field with no default and no field of version %d to take it from", from.Number))
			}
			continue
		}
		sf := s.Fields()[si]
		var def func(*strings.Builder, string)
		if df.HasDefault() {
			def = func(b *strings.Builder, out string) { cf.assignDefault(b, to, d, di, out, fpath) }
		}
		var fb strings.Builder
		if why := cf.value(&fb, from, to, sf.Type(), df.Type(), "in."+srcFields[sf.Name()], "out."+dstFields[df.Name()], fpath, def); why != "" {
			cf.need(fpath, why)
			continue
		}
		b.WriteString(fb.String())
	}
	b.WriteString("return nil\n}\n")
	cf.tmp = saved
	cf.funcs.WriteString(b.String())
	return name
}

// fieldsOf maps the Avro field names of a generated record to Go names.
func fieldsOf(v *versionModel, goName string) map[string]string {
	out := map[string]string{}
	for _, r := range v.Records {
		if r.GoName == goName {
			for _, f := range r.Fields {
				out[f.AvroName] = f.GoName
			}
		}
	}
	return out
}

// matchField finds the source field that fills target field df, as Avro
// resolution does: the same name, or a source name among df's aliases.
// When df has no default (resolution would fail), a source field whose
// own aliases name df is taken too, so a rename with an alias converts
// both ways.
func matchField(s *avro.RecordSchema, df *avro.Field) int {
	if i := slices.IndexFunc(s.Fields(), func(f *avro.Field) bool { return f.Name() == df.Name() }); i >= 0 {
		return i
	}
	if i := slices.IndexFunc(s.Fields(), func(f *avro.Field) bool { return slices.Contains(df.Aliases(), f.Name()) }); i >= 0 {
		return i
	}
	if !df.HasDefault() {
		return slices.IndexFunc(s.Fields(), func(f *avro.Field) bool { return slices.Contains(f.Aliases(), df.Name()) })
	}
	return -1
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// assignDefault emits out = the default of field di of record d (version
// to): a Go literal for plain scalars, else the default's Avro encoding
// decoded with the field's schema.
func (cf *convFile) assignDefault(b *strings.Builder, to *versionModel, d *avro.RecordSchema, di int, out, path string) {
	f := d.Fields()[di]
	t := deref(f.Type())
	if lit, ok := defaultLiteral(to, t, f.Default()); ok {
		fmt.Fprintf(b, "%s = %s\n", out, lit)
		return
	}
	p := avrovalue.Path{}
	enc, err := avrovalue.AppendDefault(nil, f.Type(), f.Default(), &p, 0)
	if err != nil {
		// The schema tree's loader rejects bad defaults; keep the message.
		fmt.Fprintf(b, "return fmt.Errorf(%q)\n", path+": the default does not encode: "+err.Error())
		return
	}
	expr := cf.schemaExpr(to, d) + fmt.Sprintf(".(*avro.RecordSchema).Fields()[%d].Type()", di)
	cf.uses["github.com/hamba/avro/v2"] = true
	fmt.Fprintf(b, "if err := %sType().API.Unmarshal(%s, []byte(%s), &%s); err != nil {\nreturn fmt.Errorf(\"%s: default: %%w\", err)\n}\n",
		to.Var, expr, strconv.Quote(string(enc)), out, path)
}

// defaultLiteral writes plain defaults as Go literals.
func defaultLiteral(v *versionModel, t avro.Schema, def any) (string, bool) {
	goType := goOf(v, t)
	switch t := t.(type) {
	case *avro.UnionSchema:
		if def == nil && strings.HasPrefix(goType, "*") {
			return "nil", true
		}
	case *avro.EnumSchema:
		sym, _ := def.(string)
		for _, e := range v.Enums {
			if e.GoName == goType {
				for _, s := range e.Symbols {
					if s.Value == sym {
						return s.GoName, true
					}
				}
			}
		}
	case *avro.PrimitiveSchema:
		if t.Logical() != nil && t.Logical().Type() != avro.UUID {
			return "", false
		}
		switch t.Type() {
		case avro.Boolean:
			if x, ok := def.(bool); ok {
				return strconv.FormatBool(x), true
			}
		case avro.String:
			if x, ok := def.(string); ok {
				return strconv.Quote(x), true
			}
		case avro.Int, avro.Long, avro.Float, avro.Double:
			var f float64
			switch x := def.(type) {
			case float64:
				f = x
			case int:
				f = float64(x)
			case int32:
				f = float64(x)
			case int64:
				f = float64(x)
			case float32:
				f = float64(x)
			default:
				return "", false
			}
			if t.Type() == avro.Int || t.Type() == avro.Long {
				return goType + "(" + strconv.FormatInt(int64(f), 10) + ")", true
			}
			return goType + "(" + strconv.FormatFloat(f, 'g', -1, 64) + ")", true
		}
	}
	return "", false
}

// schemaExpr is the runtime expression of the schema node n of version v
// (a record where a default is decoded): a walk from the version's root
// through fields, items, values and branches, found once per version.
func (cf *convFile) schemaExpr(v *versionModel, n avro.Schema) string {
	w := cf.where[v]
	if w == nil {
		w = map[avro.Schema]string{}
		cf.where[v] = w
		var walk func(s avro.Schema, expr string)
		walk = func(s avro.Schema, expr string) {
			if _, ok := s.(*avro.RefSchema); ok {
				return // defined elsewhere, walked there
			}
			if _, ok := w[s]; ok {
				return
			}
			w[s] = expr
			switch t := s.(type) {
			case *avro.RecordSchema:
				for i, f := range t.Fields() {
					walk(f.Type(), fmt.Sprintf("%s.(*avro.RecordSchema).Fields()[%d].Type()", expr, i))
				}
			case *avro.ArraySchema:
				walk(t.Items(), expr+".(*avro.ArraySchema).Items()")
			case *avro.MapSchema:
				walk(t.Values(), expr+".(*avro.MapSchema).Values()")
			case *avro.UnionSchema:
				for i, br := range t.Types() {
					walk(br, fmt.Sprintf("%s.(*avro.UnionSchema).Types()[%d]", expr, i))
				}
			}
		}
		walk(v.schema, v.Var+"Type().Schema")
	}
	return w[deref(n)]
}

// unionOf finds the wrapper model of a union's Go type (nil for *T and
// struct{} forms).
func unionOf(v *versionModel, goType string) *unionModel {
	for _, u := range v.Unions {
		if "*"+u.GoName == goType {
			return u
		}
	}
	return nil
}

func enumOf(v *versionModel, goType string) *enumModel {
	for _, e := range v.Enums {
		if e.GoName == goType {
			return e
		}
	}
	return nil
}

func nonNullBranches(u *avro.UnionSchema) (types []avro.Schema, idx []int, hasNull bool) {
	for i, t := range u.Types() {
		if t.Type() == avro.Null {
			hasNull = true
			continue
		}
		types = append(types, t)
		idx = append(idx, i)
	}
	return types, idx, hasNull
}

// value emits statements that set out (an assignable Go expression of
// version to) from in (an addressable expression of version from), for
// source schema s and target schema d. def, when not nil, sets out to the
// target field's default (used for a null where the target has no null).
// It returns why the conversion cannot be derived, or "".
func (cf *convFile) value(b *strings.Builder, from, to *versionModel, s, d avro.Schema, in, out, path string, def func(*strings.Builder, string)) string {
	s, d = deref(s), deref(d)
	sg, dg := goOf(from, s), goOf(to, d)
	if sg == dg && sg != "" {
		// The same Go type in both versions (no named type of a version in
		// it): the value carries over as it is.
		fmt.Fprintf(b, "%s = %s\n", out, in)
		return ""
	}

	if su, ok := s.(*avro.UnionSchema); ok {
		return cf.fromUnion(b, from, to, su, d, in, out, path, def)
	}
	if s.Type() == avro.Null {
		return cf.fromNull(b, to, d, out, path, def)
	}
	if du, ok := d.(*avro.UnionSchema); ok {
		return cf.toUnion(b, from, to, s, du, in, out, path)
	}

	switch dt := d.(type) {
	case *avro.PrimitiveSchema:
		st, ok := s.(*avro.PrimitiveSchema)
		if !ok {
			return fmt.Sprintf("%s became %s", typeDesc(s), typeDesc(d))
		}
		return cf.primitive(b, st, dt, sg, dg, in, out, path)
	case *avro.EnumSchema:
		st, ok := s.(*avro.EnumSchema)
		if !ok {
			return fmt.Sprintf("%s became %s", typeDesc(s), typeDesc(d))
		}
		if !namesMatch(st, dt) {
			return fmt.Sprintf("enum %s became enum %s (names differ and no alias)", st.FullName(), dt.FullName())
		}
		return cf.enum(b, from, to, st, dt, sg, dg, in, out, path)
	case *avro.FixedSchema:
		st, ok := s.(*avro.FixedSchema)
		if !ok {
			return fmt.Sprintf("%s became %s", typeDesc(s), typeDesc(d))
		}
		if !namesMatch(st, dt) {
			return fmt.Sprintf("fixed %s became fixed %s (names differ and no alias)", st.FullName(), dt.FullName())
		}
		if st.Size() != dt.Size() {
			return fmt.Sprintf("fixed %s changed size from %d to %d", dt.FullName(), st.Size(), dt.Size())
		}
		if sg == dg || (sg == "*big.Rat" && dg == "*big.Rat") {
			fmt.Fprintf(b, "%s = %s\n", out, in)
			return ""
		}
		if sg == "*big.Rat" || dg == "*big.Rat" {
			return fmt.Sprintf("the decimal logical type of fixed %s changed", dt.FullName())
		}
		fmt.Fprintf(b, "%s = %s(%s)\n", out, dg, in)
		return ""
	case *avro.ArraySchema:
		st, ok := s.(*avro.ArraySchema)
		if !ok {
			return fmt.Sprintf("%s became %s", typeDesc(s), typeDesc(d))
		}
		if sg == dg {
			fmt.Fprintf(b, "%s = %s\n", out, in)
			return ""
		}
		i := cf.newTmp()
		var inner strings.Builder
		if why := cf.value(&inner, from, to, st.Items(), dt.Items(), in+"["+i+"]", out+"["+i+"]", path+"[]", nil); why != "" {
			return why
		}
		fmt.Fprintf(b, "if %s != nil {\n%s = make(%s, len(%s))\nfor %s := range %s {\n%s}\n}\n", in, out, dg, in, i, in, inner.String())
		return ""
	case *avro.MapSchema:
		st, ok := s.(*avro.MapSchema)
		if !ok {
			return fmt.Sprintf("%s became %s", typeDesc(s), typeDesc(d))
		}
		if sg == dg {
			fmt.Fprintf(b, "%s = %s\n", out, in)
			return ""
		}
		k, x, y := cf.newTmp(), cf.newTmp(), cf.newTmp()
		cf.useType(goOf(to, dt.Values()))
		var inner strings.Builder
		if why := cf.value(&inner, from, to, st.Values(), dt.Values(), x, y, path+"{}", nil); why != "" {
			return why
		}
		fmt.Fprintf(b, "if %s != nil {\n%s = make(%s, len(%s))\nfor %s, %s := range %s {\nvar %s %s\n%s%s[%s] = %s\n}\n}\n",
			in, out, dg, in, k, x, in, y, goOf(to, dt.Values()), inner.String(), out, k, y)
		return ""
	case *avro.RecordSchema:
		st, ok := s.(*avro.RecordSchema)
		if !ok {
			return fmt.Sprintf("%s became %s", typeDesc(s), typeDesc(d))
		}
		if !namesMatch(st, dt) {
			return fmt.Sprintf("record %s became record %s (names differ and no alias)", st.FullName(), dt.FullName())
		}
		fn := cf.record(from, to, st, dt, path)
		fmt.Fprintf(b, "if err := %s(&%s, &%s); err != nil {\nreturn err\n}\n", fn, in, out)
		return ""
	}
	return fmt.Sprintf("%s became %s", typeDesc(s), typeDesc(d))
}

// primitive converts between primitives: the same type, a promotion, or a
// checked narrowing.
func (cf *convFile) primitive(b *strings.Builder, s, d *avro.PrimitiveSchema, sg, dg, in, out, path string) string {
	st, dt := s.Type(), d.Type()
	if st == dt && sg == dg {
		fmt.Fprintf(b, "%s = %s\n", out, in)
		return ""
	}
	if sg != primGo(st) || dg != primGo(dt) {
		return fmt.Sprintf("%s became %s (a logical type changed)", typeDesc(s), typeDesc(d))
	}
	switch {
	case st == avro.Int && dt == avro.Long,
		(st == avro.Int || st == avro.Long) && (dt == avro.Float || dt == avro.Double),
		st == avro.Float && dt == avro.Double:
		fmt.Fprintf(b, "%s = %s(%s)\n", out, dg, in)
	case st == avro.String && dt == avro.Bytes:
		fmt.Fprintf(b, "%s = []byte(%s)\n", out, in)
	case st == avro.Bytes && dt == avro.String:
		fmt.Fprintf(b, "%s = string(%s)\n", out, in)
	case st == avro.Long && dt == avro.Int:
		cf.uses["math"] = true
		fmt.Fprintf(b, "if %s < math.MinInt32 || %s > math.MaxInt32 {\nreturn fmt.Errorf(\"%s: %%d does not fit in an int: %%w\", %s, serde.ErrInvalidValue)\n}\n%s = int32(%s)\n", in, in, path, in, out, in)
	case st == avro.Double && dt == avro.Float:
		cf.uses["math"] = true
		fmt.Fprintf(b, "if !math.IsInf(%s, 0) && math.Abs(%s) > math.MaxFloat32 {\nreturn fmt.Errorf(\"%s: %%g does not fit in a float: %%w\", %s, serde.ErrInvalidValue)\n}\n%s = float32(%s)\n", in, in, path, in, out, in)
	default:
		return fmt.Sprintf("%s became %s", typeDesc(s), typeDesc(d))
	}
	return ""
}

func primGo(t avro.Type) string {
	switch t {
	case avro.Boolean:
		return "bool"
	case avro.Int:
		return "int32"
	case avro.Long:
		return "int64"
	case avro.Float:
		return "float32"
	case avro.Double:
		return "float64"
	case avro.Bytes:
		return "[]byte"
	case avro.String:
		return "string"
	}
	return ""
}

// enum maps symbols by name; a symbol the target lacks becomes its default,
// or, without one, is left for the hook (the generated code copies the
// symbol and the hook must replace it).
func (cf *convFile) enum(b *strings.Builder, from, to *versionModel, s, d *avro.EnumSchema, sg, dg, in, out, path string) string {
	if slices.Equal(s.Symbols(), d.Symbols()) {
		fmt.Fprintf(b, "%s = %s(%s)\n", out, dg, in)
		return ""
	}
	se, de := enumOf(from, sg), enumOf(to, dg)
	dsym := func(sym string) string {
		for _, x := range de.Symbols {
			if x.Value == sym {
				return x.GoName
			}
		}
		return ""
	}
	fmt.Fprintf(b, "switch %s {\n", in)
	var missing []string
	for _, x := range se.Symbols {
		t := dsym(x.Value)
		if t == "" && d.HasDefault() {
			t = dsym(d.Default())
		}
		if t == "" {
			missing = append(missing, x.Value)
			fmt.Fprintf(b, "case %s:\n%s = %s(%s) // no such symbol in version %d: the hook replaces it\n", x.GoName, out, dg, in, to.Number)
			continue
		}
		fmt.Fprintf(b, "case %s:\n%s = %s\n", x.GoName, out, t)
	}
	fmt.Fprintf(b, "default:\nreturn fmt.Errorf(\"%s: %%q is not a symbol of enum %s: %%w\", %s, serde.ErrInvalidValue)\n}\n", path, s.FullName(), in)
	if len(missing) > 0 {
		cf.need(path, fmt.Sprintf("enum %s of version %d has no symbol %s and no default", d.FullName(), to.Number, strings.Join(missing, ", ")))
	}
	return ""
}

// fromNull sets out from a null source value.
func (cf *convFile) fromNull(b *strings.Builder, to *versionModel, d avro.Schema, out, path string, def func(*strings.Builder, string)) string {
	switch dt := d.(type) {
	case *avro.NullSchema:
		return ""
	case *avro.UnionSchema:
		if _, _, hasNull := nonNullBranches(dt); hasNull {
			if strings.HasPrefix(goOf(to, dt), "*") {
				fmt.Fprintf(b, "%s = nil\n", out)
			}
			return ""
		}
	}
	if def != nil {
		def(b, out)
		return ""
	}
	fmt.Fprintf(b, "return fmt.Errorf(\"%s: null cannot be written as %s (version %d): %%w\", serde.ErrInvalidValue)\n", path, typeDesc(d), to.Number)
	return ""
}

// fromUnion switches on the source union's branch.
func (cf *convFile) fromUnion(b *strings.Builder, from, to *versionModel, su *avro.UnionSchema, d avro.Schema, in, out, path string, def func(*strings.Builder, string)) string {
	types, _, hasNull := nonNullBranches(su)
	sg := goOf(from, su)
	if len(types) == 0 {
		return cf.fromNull(b, to, d, out, path, def)
	}
	// A branch that cannot be written as d fails when a value has it, as
	// Avro's resolving decoders do; if no branch can, the field needs a hook.
	branch := func(bt avro.Schema, inExpr string) (string, bool) {
		var bb strings.Builder
		if why := cf.value(&bb, from, to, bt, d, inExpr, out, path, def); why != "" {
			return fmt.Sprintf("return fmt.Errorf(\"%s: a %s cannot be written as %s (version %d): %%w\", serde.ErrInvalidValue)\n", path, typeDesc(bt), typeDesc(d), to.Number), false
		}
		return bb.String(), true
	}
	u := unionOf(from, sg)
	if u == nil { // *T
		code, ok := branch(types[0], "(*"+in+")")
		if !ok && !canHoldNull(d, def) {
			return fmt.Sprintf("%s became %s", unionDesc(su), typeDesc(d))
		}
		var nb strings.Builder
		cf.fromNull(&nb, to, d, out, path, def)
		fmt.Fprintf(b, "if %s == nil {\n%s} else {\n%s}\n", in, nb.String(), code)
		return ""
	}
	readable := false
	var sw strings.Builder
	sw.WriteString("switch {\n")
	if hasNull {
		var nb strings.Builder
		cf.fromNull(&nb, to, d, out, path, def)
		fmt.Fprintf(&sw, "case %s == nil:\n%s", in, nb.String())
		if canHoldNull(d, def) {
			readable = true
		}
	} else {
		fmt.Fprintf(&sw, "case %s == nil:\nreturn fmt.Errorf(\"%s: no branch of the union is set: %%w\", serde.ErrInvalidValue)\n", in, path)
	}
	for i, bt := range types {
		br := u.Branches[i]
		inExpr := "(*" + in + "." + br.Field + ")"
		if br.Type == br.Value {
			inExpr = in + "." + br.Field
		}
		code, ok := branch(bt, inExpr)
		readable = readable || ok
		fmt.Fprintf(&sw, "case %s.%s != nil:\n%s", in, br.Field, code)
	}
	fmt.Fprintf(&sw, "default:\nreturn fmt.Errorf(\"%s: no branch of the union is set: %%w\", serde.ErrInvalidValue)\n}\n", path)
	if !readable {
		return fmt.Sprintf("%s became %s", unionDesc(su), typeDesc(d))
	}
	b.WriteString(sw.String())
	return ""
}

func canHoldNull(d avro.Schema, def func(*strings.Builder, string)) bool {
	if def != nil || d.Type() == avro.Null {
		return true
	}
	if du, ok := d.(*avro.UnionSchema); ok {
		_, _, hasNull := nonNullBranches(du)
		return hasNull
	}
	return false
}

// toUnion writes a non-union source value into the target union's branch
// that resolution picks.
func (cf *convFile) toUnion(b *strings.Builder, from, to *versionModel, s avro.Schema, du *avro.UnionSchema, in, out, path string) string {
	i := readerBranch(s, du)
	if i < 0 {
		return fmt.Sprintf("%s became %s, which has no branch for it", typeDesc(s), unionDesc(du))
	}
	bt := deref(du.Types()[i])
	dg := goOf(to, du)
	inner := goOf(to, bt)
	tmp := cf.newTmp()
	var bb strings.Builder
	if why := cf.value(&bb, from, to, s, bt, in, tmp, path, nil); why != "" {
		return why
	}
	cf.useType(inner)
	fmt.Fprintf(b, "{\nvar %s %s\n%s", tmp, inner, bb.String())
	if u := unionOf(to, dg); u != nil {
		// The wrapper's branches are the non-null ones, in order.
		_, idx, _ := nonNullBranches(du)
		br := u.Branches[slices.Index(idx, i)]
		if br.Type == br.Value {
			fmt.Fprintf(b, "%s = &%s{%s: %s}\n", out, u.GoName, br.Field, tmp)
		} else {
			fmt.Fprintf(b, "%s = &%s{%s: &%s}\n", out, u.GoName, br.Field, tmp)
		}
	} else {
		fmt.Fprintf(b, "%s = &%s\n", out, tmp)
	}
	b.WriteString("}\n")
	return ""
}

func typeDesc(s avro.Schema) string {
	s = deref(s)
	if n, ok := s.(avro.NamedSchema); ok {
		return string(s.Type()) + " " + n.FullName()
	}
	if p, ok := s.(*avro.PrimitiveSchema); ok && p.Logical() != nil {
		return string(s.Type()) + " (" + string(p.Logical().Type()) + ")"
	}
	return string(s.Type())
}

// namesMatch follows Avro: the unqualified names are equal, or the
// target's aliases contain the source's name.
func namesMatch(s, d avro.NamedSchema) bool {
	if s.Name() == d.Name() {
		return true
	}
	for _, a := range d.Aliases() {
		if a == s.FullName() || a == s.Name() {
			return true
		}
	}
	return false
}

// readerBranch picks the target union branch for a non-union source, as
// serde's Resolver does: the first branch of the same type (and name),
// else the first primitive the source promotes to. -1 if none.
func readerBranch(s avro.Schema, du *avro.UnionSchema) int {
	s = deref(s)
	for i, rb := range du.Types() {
		rb = deref(rb)
		if rb.Type() != s.Type() {
			continue
		}
		sn, sok := s.(avro.NamedSchema)
		rn, rok := rb.(avro.NamedSchema)
		if !sok || !rok || namesMatch(sn, rn) {
			return i
		}
	}
	sp, ok := s.(*avro.PrimitiveSchema)
	if !ok {
		return -1
	}
	for i, rb := range du.Types() {
		if rp, ok := deref(rb).(*avro.PrimitiveSchema); ok && promotes(sp.Type(), rp.Type()) {
			return i
		}
	}
	return -1
}

func promotes(s, d avro.Type) bool {
	switch {
	case s == avro.Int && (d == avro.Long || d == avro.Float || d == avro.Double),
		s == avro.Long && (d == avro.Float || d == avro.Double),
		s == avro.Float && d == avro.Double,
		s == avro.String && d == avro.Bytes, s == avro.Bytes && d == avro.String:
		return true
	}
	return false
}

// render writes the event's conversion file: the steps, the chain
// functions and the codec converters.
func (cf *convFile) render(pkg string) ([]byte, error) {
	m := cf.ev
	cf.uses["sync"] = true
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n// Source: %s\n\npackage %s\n\n", Header, m.ID, pkg)
	std, other := []string{"fmt"}, []string{"github.com/edactl/edactl/serde"}
	for _, imp := range []string{"math", "math/big", "sync", "time"} {
		if cf.uses[imp] {
			std = append(std, imp)
		}
	}
	if cf.uses["github.com/hamba/avro/v2"] {
		other = append([]string{"github.com/hamba/avro/v2"}, other...)
		slices.Sort(other)
	}
	b.WriteString("import (\n")
	for _, imp := range std {
		fmt.Fprintf(&b, "%q\n", imp)
	}
	b.WriteString("\n")
	for _, imp := range other {
		fmt.Fprintf(&b, "%q\n", imp)
	}
	b.WriteString(")\n")
	b.WriteString(cf.funcs.String())

	latest := m.Latest
	fmt.Fprintf(&b, `
// Upcast%[1]s converts any version of %[2]s to the latest (%[3]s),
// one adjacent step at a time (Upcast%[1]sV1ToV2, ...).
func Upcast%[1]s(in serde.Record) (*%[3]s, error) {
	out, err := convert%[1]s(in, %[4]d)
	if err != nil {
		return nil, err
	}
	return out.(*%[3]s), nil
}

// Downcast%[1]s converts the latest version of %[2]s to version
// version, one adjacent step at a time (Downcast%[1]sV%[4]dToV%[5]d, ...).
func Downcast%[1]s(in *%[3]s, version int) (serde.Record, error) {
	return convert%[1]s(in, version)
}
`, m.GoName, m.FullName, latest.GoName, latest.Number, m.Versions[len(m.Versions)-2].Number)

	fmt.Fprintf(&b, "\n// convert%s converts a version of %s to version version through\n// the adjacent steps.\n", m.GoName, m.FullName)
	fmt.Fprintf(&b, "func convert%s(in serde.Record, version int) (serde.Record, error) {\nswitch version {\ncase ", m.GoName)
	for i, v := range m.Versions {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(v.Number))
	}
	fmt.Fprintf(&b, ":\ndefault:\nreturn nil, fmt.Errorf(\"%s has no version %%d\", version)\n}\nfor {\nswitch v := in.(type) {\n", m.ID)
	for i, v := range m.Versions {
		fmt.Fprintf(&b, "case *%s:\nif v == nil {\nreturn nil, fmt.Errorf(\"convert %s: nil %s\")\n}\nswitch {\ncase version == %d:\nreturn v, nil\n", v.GoName, m.ID, v.GoName, v.Number)
		if i+1 < len(m.Versions) {
			fmt.Fprintf(&b, "case version > %d:\nnext, err := Upcast%sV%dToV%d(v)\nif err != nil {\nreturn nil, err\n}\nin = next\n", v.Number, m.GoName, v.Number, m.Versions[i+1].Number)
		}
		if i > 0 {
			fmt.Fprintf(&b, "default:\nnext, err := Downcast%sV%dToV%d(v)\nif err != nil {\nreturn nil, err\n}\nin = next\n", m.GoName, v.Number, m.Versions[i-1].Number)
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(&b, "default:\nreturn nil, fmt.Errorf(\"%%T is not a version of %s\", in)\n}\n}\n}\n", m.ID)

	for ti, to := range m.Versions {
		fmt.Fprintf(&b, "\n// %sConverters lets the codec of %s decode records of every other\n// version through the conversions, hooks included, so that every read\n// path gives what the steps give.\n", to.Var, to.GoName)
		fmt.Fprintf(&b, "func %sConverters() []serde.Converter {\nreturn []serde.Converter{\n", to.Var)
		for fi, from := range m.Versions {
			if fi != ti {
				fmt.Fprintf(&b, "{Fingerprint: %s, Convert: func(body []byte, out any) error { return %sBodyTo%s(body, out.(*%s)) }},\n", from.Fingerprint, from.Var, to.GoName, to.GoName)
			}
		}
		b.WriteString("}\n}\n")
	}
	for _, v := range m.Versions {
		fmt.Fprintf(&b, "\nvar %sPool = sync.Pool{New: func() any { return new(%s) }}\n", v.Var, v.GoName)
	}
	for fi, from := range m.Versions {
		for ti, to := range m.Versions {
			if fi == ti {
				continue
			}
			// The decoded value comes from a pool: hamba's decoder makes it
			// escape, and the result shares only its contents.
			fmt.Fprintf(&b, "\nfunc %sBodyTo%s(body []byte, out *%s) error {\nv%d := %sPool.Get().(*%s)\ndefer %sPool.Put(v%d)\nif err := v%d.UnmarshalAvro(body); err != nil {\nreturn err\n}\n",
				from.Var, to.GoName, to.GoName, from.Number, from.Var, from.GoName, from.Var, from.Number, from.Number)
			dir := 1
			if ti < fi {
				dir = -1
			}
			for i := fi; i != ti; i += dir {
				a, z := m.Versions[i], m.Versions[i+dir]
				if i+dir == ti {
					fmt.Fprintf(&b, "return %s(%sv%d, out)\n}\n", stepName(m, a, z), amp(i != fi), a.Number)
					break
				}
				fmt.Fprintf(&b, "var v%d %s\nif err := %s(%sv%d, &v%d); err != nil {\nreturn err\n}\n", z.Number, z.GoName, stepName(m, a, z), amp(i != fi), a.Number, z.Number)
			}
		}
	}
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return nil, fmt.Errorf("generated conversions do not parse (a generator bug): %w\n%s", err, b.String())
	}
	return src, nil
}

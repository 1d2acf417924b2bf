package catalogue

import (
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"strings"
)

// searchEntry is one event in the index page's search index.
type searchEntry struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Doc    string   `json:"doc"`
	Page   string   `json:"page"`
	Fields []string `json:"fields"`
}

type indexPage struct {
	*model
	Root   string
	Graph  template.HTML
	Search []searchEntry
}

// headerData is what every page's header shows.
type headerData struct {
	*model
	Root      string
	PageTitle string
	// Index is set on the index page, the one page that counts the
	// catalogue (so that a change to one event touches only its page,
	// the index and asyncapi.yaml).
	Index bool
}

type eventPage struct {
	*model
	Root  string
	Event *eventView
	Graph template.HTML
}

func renderSite(m *model, files map[string][]byte) error {
	t, err := template.New("site").Funcs(template.FuncMap{
		"join": func(s []string) string { return strings.Join(s, ", ") },
		"indent": func(depth int) template.CSS {
			return template.CSS(fmt.Sprintf("padding-left: %.1fem", 0.4+1.2*float64(depth)))
		},
		"pageOf": func(page any, title string) headerData {
			switch p := page.(type) {
			case indexPage:
				return headerData{model: p.model, Root: p.Root, PageTitle: title, Index: true}
			case eventPage:
				return headerData{model: p.model, Root: p.Root, PageTitle: title + " · " + p.Title}
			}
			return headerData{PageTitle: title}
		},
	}).Parse(siteTemplates)
	if err != nil {
		return err
	}
	files["style.css"] = []byte(styleCSS)

	ip := indexPage{model: m, Root: "", Graph: graph(m.Events, "")}
	for _, ev := range m.Events {
		se := searchEntry{ID: ev.ID, Name: ev.FullName, Doc: ev.Doc, Page: ev.Page}
		seen := map[string]bool{}
		for _, v := range ev.Versions {
			for _, f := range v.Fields {
				if !seen[f.Path] {
					seen[f.Path] = true
					se.Fields = append(se.Fields, f.Path)
				}
			}
		}
		sort.Strings(se.Fields)
		ip.Search = append(ip.Search, se)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "index", ip); err != nil {
		return fmt.Errorf("index.html: %w", err)
	}
	files["index.html"] = b.Bytes()

	for _, ev := range m.Events {
		root := rel(ev.Page, "")
		root = strings.TrimSuffix(root, ".")
		p := eventPage{model: m, Root: root, Event: ev, Graph: graph([]*eventView{ev}, root)}
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, "event", p); err != nil {
			return fmt.Errorf("%s: %w", ev.Page, err)
		}
		files[ev.Page] = b.Bytes()
	}
	return nil
}

// graph draws producers → topics → consumers as an inline SVG: three
// columns of boxes, an edge per producer and topic and per topic and
// consumer. Topics link to their first event's page (root is the path to
// the site's root from the page that embeds it).
func graph(events []*eventView, root string) template.HTML {
	var producers, topics, consumers []string
	seenP, seenT, seenC := map[string]bool{}, map[string]bool{}, map[string]bool{}
	type edge struct{ from, to string }
	var left, right []edge
	seenE := map[edge]bool{}
	topicPage := map[string]string{}
	for _, ev := range events {
		if !seenT[ev.Topic] {
			seenT[ev.Topic] = true
			topics = append(topics, ev.Topic)
			topicPage[ev.Topic] = ev.Page
		}
		for _, p := range ev.Producers {
			if !seenP[p] {
				seenP[p] = true
				producers = append(producers, p)
			}
			if e := (edge{p, ev.Topic}); !seenE[e] {
				seenE[e] = true
				left = append(left, e)
			}
		}
		for _, c := range ev.Consumers {
			if !seenC[c] {
				seenC[c] = true
				consumers = append(consumers, c)
			}
			if e := (edge{ev.Topic, "c:" + c}); !seenE[e] {
				seenE[e] = true
				right = append(right, e)
			}
		}
	}
	sort.Strings(producers)
	sort.Strings(topics)
	sort.Strings(consumers)

	const (
		rowH, boxH       = 34, 24
		colW, gap, top   = 190, 140, 40
		width            = 3*colW + 2*gap
		xP, xT, xC       = 0, colW + gap, 2 * (colW + gap)
		maxLabel, padTop = 26, 6
	)
	rows := max(len(producers), len(topics), len(consumers), 1)
	height := top + rows*rowH + padTop
	y := func(list []string, name string) int {
		off := (rows - len(list)) * rowH / 2
		for i, n := range list {
			if n == name {
				return top + off + i*rowH
			}
		}
		return top
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="producers, topics and consumers">`, width, height, width, height)
	b.WriteString("\n<title>Producers → topics → consumers</title>\n")
	fmt.Fprintf(&b, `<text class="col" x="%d" y="18">producers</text><text class="col" x="%d" y="18">topics</text><text class="col" x="%d" y="18">consumers</text>`+"\n",
		xP+colW/2, xT+colW/2, xC+colW/2)
	for _, e := range left {
		y1, y2 := y(producers, e.from)+boxH/2, y(topics, e.to)+boxH/2
		fmt.Fprintf(&b, `<path class="edge" d="M%d,%d C%d,%d %d,%d %d,%d"/>`+"\n", xP+colW, y1, xP+colW+gap/2, y1, xT-gap/2, y2, xT, y2)
	}
	for _, e := range right {
		y1, y2 := y(topics, e.from)+boxH/2, y(consumers, strings.TrimPrefix(e.to, "c:"))+boxH/2
		fmt.Fprintf(&b, `<path class="edge" d="M%d,%d C%d,%d %d,%d %d,%d"/>`+"\n", xT+colW, y1, xT+colW+gap/2, y1, xC-gap/2, y2, xC, y2)
	}
	box := func(x, yy int, label, class, href string) {
		text := label
		if len([]rune(text)) > maxLabel {
			text = string([]rune(text)[:maxLabel-1]) + "…"
		}
		if href != "" {
			fmt.Fprintf(&b, `<a href="%s">`, template.HTMLEscapeString(href))
		}
		fmt.Fprintf(&b, `<g class="%s"><title>%s</title><rect x="%d" y="%d" width="%d" height="%d" rx="5"/><text x="%d" y="%d">%s</text></g>`,
			class, template.HTMLEscapeString(label), x, yy, colW, boxH, x+colW/2, yy+boxH/2+5, template.HTMLEscapeString(text))
		if href != "" {
			b.WriteString("</a>")
		}
		b.WriteByte('\n')
	}
	for _, p := range producers {
		box(xP, y(producers, p), p, "service", "")
	}
	for _, t := range topics {
		box(xT, y(topics, t), t, "topic", root+topicPage[t])
	}
	for _, c := range consumers {
		box(xC, y(consumers, c), c, "service", "")
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

const styleCSS = `/* Code generated by edactl docs. DO NOT EDIT. */
:root { --fg: #1d2430; --dim: #5b6575; --line: #d5dae1; --bg: #ffffff; --panel: #f5f7fa; --accent: #1f6feb; --bad: #b42318; --good: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 0.8em 1.5em; border-bottom: 1px solid var(--line); background: var(--panel); display: flex; gap: 1.5em; align-items: baseline; flex-wrap: wrap; }
header a.home { font-weight: 600; font-size: 1.15em; color: var(--fg); text-decoration: none; }
header .meta { color: var(--dim); font-size: 0.9em; }
main { padding: 1em 1.5em 3em; max-width: 1100px; }
a { color: var(--accent); }
h1 { font-size: 1.6em; margin: 0.4em 0 0.2em; }
h2 { font-size: 1.25em; margin: 1.6em 0 0.5em; border-bottom: 1px solid var(--line); padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: var(--panel); border: 1px solid var(--line); padding: 0.8em; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 1em; }
th, td { text-align: left; vertical-align: top; padding: 0.35em 0.6em; border-bottom: 1px solid var(--line); }
th { background: var(--panel); font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1.2em; }
dl.facts dt { color: var(--dim); }
dl.facts dd { margin: 0; }
.kind { display: inline-block; padding: 0 0.5em; border-radius: 1em; font-size: 0.8em; background: #e7eefc; color: #0b3d91; }
.kind-command { background: #fff1d6; color: #7a4b00; }
.kind-document { background: #e6f4ea; color: #0d5223; }
.kind-query { background: #f3e8fd; color: #5a1e91; }
.dim { color: var(--dim); }
.bad { color: var(--bad); font-weight: 600; }
.good { color: var(--good); font-weight: 600; }
table.events { table-layout: fixed; }
table.events th:nth-child(1) { width: 27%; } table.events th:nth-child(2) { width: 10%; } table.events th:nth-child(3) { width: 18%; }
table.events th:nth-child(4) { width: 7%; } table.events th:nth-child(5) { width: 14%; }
#search { width: 100%; max-width: 32em; padding: 0.5em 0.7em; font-size: 1em; border: 1px solid var(--line); border-radius: 6px; }
#results { list-style: none; padding: 0; }
#results li { padding: 0.2em 0; }
svg.graph { max-width: 100%; height: auto; }
svg.graph .col { font-size: 13px; fill: var(--dim); text-anchor: middle; }
svg.graph rect { stroke-width: 1; }
svg.graph .service rect { fill: #eef2f7; stroke: #8d99ab; }
svg.graph .topic rect { fill: #e7eefc; stroke: #1f6feb; }
svg.graph text { font-size: 12px; text-anchor: middle; fill: var(--fg); }
svg.graph .edge { fill: none; stroke: #9aa6b8; stroke-width: 1.3; }
details { margin: 0.4em 0; }
details > summary { cursor: pointer; }
.picker { display: flex; gap: 0.6em; align-items: center; flex-wrap: wrap; margin: 0.4em 0 0.8em; }
.picker select { font-size: 1em; }
`

const siteTemplates = `
{{define "header"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="edactl docs">
<title>{{.PageTitle}}</title>
<link rel="stylesheet" href="{{.Root}}style.css">
</head>
<body>
<header><a class="home" href="{{.Root}}index.html">{{.Title}}</a>
{{if .Index}}<span class="meta">{{len .Events}} message types · {{.Versions}} versions · {{.Services}} services{{if .RegistryURL}} · registry {{.RegistryURL}}{{end}}</span>{{else if .RegistryURL}}<span class="meta">registry {{.RegistryURL}}</span>{{end}}</header>
<main>
{{end}}

{{define "footer"}}</main>
</body>
</html>
{{end}}

{{define "index"}}{{template "header" (pageOf . .Title)}}
<h1>{{.Title}}</h1>
<p class="dim">Generated by edactl docs from edactl.yaml and the schema tree. Also as <a href="asyncapi.yaml">AsyncAPI 3.0</a>.</p>
<p><label for="search">Search events and fields</label><br>
<input id="search" type="search" placeholder="e.g. orderId, payment, OrderPlaced" autocomplete="off"></p>
<ul id="results" hidden></ul>
{{range .Domains}}
<h2 id="domain-{{.Name}}">{{.Name}}</h2>
<table class="events">
<thead><tr><th>message</th><th>kind</th><th>topic</th><th>latest</th><th>producers</th><th>consumers</th></tr></thead>
<tbody>
{{range .Events}}<tr data-event="{{.ID}}"><td><a href="{{.Page}}">{{.Name}}</a><br><span class="dim">{{.FullName}}</span></td><td><span class="kind kind-{{.Kind}}">{{.Kind}}</span></td><td><code>{{.Topic}}</code></td><td>v{{(index .Versions 0).Number}}</td><td>{{join .Producers}}</td><td>{{join .Consumers}}</td></tr>
{{end}}</tbody>
</table>
{{end}}
<h2 id="graph">Producers → topics → consumers</h2>
{{.Graph}}
<script id="search-index" type="application/json">{{.Search}}</script>
<script>
(function () {
  var index = JSON.parse(document.getElementById("search-index").textContent);
  var input = document.getElementById("search");
  var results = document.getElementById("results");
  function show() {
    var q = input.value.trim().toLowerCase();
    results.textContent = "";
    results.hidden = q === "";
    document.querySelectorAll("tr[data-event]").forEach(function (row) {
      var e = index.find(function (x) { return x.id === row.dataset.event; });
      var hit = q === "" || e.id.toLowerCase().includes(q) || e.name.toLowerCase().includes(q) ||
        e.fields.some(function (f) { return f.toLowerCase().includes(q); });
      row.hidden = !hit;
    });
    if (q === "") { return; }
    var n = 0;
    index.forEach(function (e) {
      var hits = [];
      if (e.id.toLowerCase().includes(q) || e.name.toLowerCase().includes(q) || e.doc.toLowerCase().includes(q)) { hits.push(""); }
      e.fields.forEach(function (f) { if (f.toLowerCase().includes(q)) { hits.push(f); } });
      hits.forEach(function (f) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = e.page + (f ? "#field-" + encodeURIComponent(f) : "");
        a.textContent = e.id + (f ? " · field " + f : " · " + e.name);
        li.appendChild(a);
        results.appendChild(li);
        n++;
      });
    });
    if (n === 0) {
      var li = document.createElement("li");
      li.className = "dim";
      li.textContent = "No event or field matches.";
      results.appendChild(li);
    }
  }
  input.addEventListener("input", show);
  if (location.hash.startsWith("#q=")) { input.value = decodeURIComponent(location.hash.slice(3)); }
  show();
})();
</script>
{{template "footer"}}{{end}}

{{define "event"}}{{with .Event}}{{template "header" (pageOf $ .ID)}}{{end}}{{$e := .Event}}
<p class="dim"><a href="{{.Root}}index.html#domain-{{$e.Domain}}">{{$e.Domain}}</a> / {{$e.Name}}</p>
<h1>{{$e.FullName}} <span class="kind kind-{{$e.Kind}}">{{$e.Kind}}</span></h1>
{{if $e.Doc}}<p>{{$e.Doc}}</p>{{end}}
<dl class="facts">
<dt>event</dt><dd><code>{{$e.ID}}</code></dd>
<dt>kind</dt><dd>{{$e.Kind}}</dd>
<dt>topic</dt><dd><code>{{$e.Topic}}</code></dd>
<dt>subject</dt><dd><code>{{$e.Subject}}</code></dd>
<dt>key</dt><dd>{{if $e.Key}}<code>{{$e.Key}}</code> <span class="dim">({{$e.KeyType}})</span>{{else}}<span class="dim">none</span>{{end}}</dd>
<dt>compatibility</dt><dd>{{$e.Level}} <span class="dim">— {{$e.LevelDesc}}</span></dd>
{{if $e.Owner}}<dt>owner</dt><dd>{{$e.Owner}}</dd>{{end}}
<dt>producers</dt><dd>{{if $e.Producers}}{{join $e.Producers}}{{else}}<span class="dim">none named</span>{{end}}</dd>
<dt>consumers</dt><dd>{{if $e.Consumers}}{{join $e.Consumers}}{{else}}<span class="dim">none named</span>{{end}}</dd>
<dt>versions</dt><dd>{{range $i, $v := $e.Versions}}{{if $i}} · {{end}}<a href="#v{{$v.Number}}">v{{$v.Number}}</a>{{end}}</dd>
</dl>
{{.Graph}}
{{if $e.Diffs}}
<h2 id="changes">Changes between versions</h2>
<div class="picker"><label>from <select id="diff-from">{{range $e.Versions}}<option value="{{.Number}}">v{{.Number}}</option>{{end}}</select></label>
<label>to <select id="diff-to">{{range $e.Versions}}<option value="{{.Number}}">v{{.Number}}</option>{{end}}</select></label></div>
{{range $e.Diffs}}<details class="diff" id="diff-{{.From}}-{{.To}}">
<summary>v{{.From}} → v{{.To}}: {{len .Changes}} change(s); BACKWARD {{if .Backward}}<span class="bad">incompatible</span>{{else}}<span class="good">compatible</span>{{end}}, FORWARD {{if .Forward}}<span class="bad">incompatible</span>{{else}}<span class="good">compatible</span>{{end}}</summary>
<h3>Changes v{{.From}} → v{{.To}}</h3>
<ul>{{range .Changes}}<li><code>{{.}}</code></li>{{else}}<li class="dim">(no field-level changes)</li>{{end}}</ul>
<h3>Compatibility</h3>
<ul>
<li>BACKWARD v{{.To}} reads v{{.From}}: {{if .Backward}}<span class="bad">incompatible ({{len .Backward}})</span>{{else}}<span class="good">compatible</span>{{end}} <span class="dim">({{if .BackwardRequired}}required by {{$e.Level}}{{else}}not required by {{$e.Level}}{{end}})</span>
{{if .Backward}}<ul>{{range .Backward}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}</li>
<li>FORWARD v{{.From}} reads v{{.To}}: {{if .Forward}}<span class="bad">incompatible ({{len .Forward}})</span>{{else}}<span class="good">compatible</span>{{end}} <span class="dim">({{if .ForwardRequired}}required by {{$e.Level}}{{else}}not required by {{$e.Level}}{{end}})</span>
{{if .Forward}}<ul>{{range .Forward}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}</li>
</ul>
</details>
{{end}}
<script>
(function () {
  var from = document.getElementById("diff-from"), to = document.getElementById("diff-to");
  if (from.options.length > 1) { from.selectedIndex = 1; }
  function pick() {
    var a = Number(from.value), b = Number(to.value);
    var id = "diff-" + Math.min(a, b) + "-" + Math.max(a, b);
    document.querySelectorAll("details.diff").forEach(function (d) { d.open = d.id === id; });
  }
  from.addEventListener("change", pick);
  to.addEventListener("change", pick);
  pick();
})();
</script>
{{end}}
<h2>Versions</h2>
{{range $e.Versions}}
<h3 id="v{{.Number}}">v{{.Number}}{{if .Registered}} <span class="dim">· registered as version {{.Registered.Version}} of {{.Registered.Subject}}, id {{.Registered.ID}}</span>{{else if $.RegistryURL}} <span class="dim">· not registered</span>{{end}}</h3>
{{if .Doc}}<p>{{.Doc}}</p>{{end}}
<table>
<thead><tr><th>field</th><th>type</th><th>default</th><th>doc</th></tr></thead>
<tbody>
{{$n := .Number}}{{range .Fields}}<tr id="{{if eq $n (index $e.Versions 0).Number}}field-{{.Path}}{{else}}v{{$n}}-field-{{.Path}}{{end}}"><td style="{{indent .Depth}}"><code>{{.Path}}</code></td><td><code>{{.Type}}</code></td><td>{{if .Default}}<code>{{.Default}}</code>{{end}}</td><td>{{.Doc}}</td></tr>
{{end}}</tbody>
</table>
<details><summary>Schema v{{.Number}}</summary>
<pre>{{.Source}}</pre>
</details>
{{end}}
{{template "footer"}}{{end}}
`

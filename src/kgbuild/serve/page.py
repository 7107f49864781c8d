"""The query page the endpoint shows at ``/``: a form that posts to ``/query`` and draws
the answer as a table, with an example query over kgbuild's vocabulary."""

from __future__ import annotations

from kgbuild.core.namespaces import PREFIXES

__all__: list[str] = []


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kgbuild SPARQL endpoint</title>
<style>
body {{ font: 15px system-ui, sans-serif; margin: 2em; max-width: 70em; }}
textarea {{ width: 100%; height: 14em; font: 13px monospace; }}
table {{ border-collapse: collapse; margin-top: 1em; font-size: 13px; }}
td, th {{ border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }}
pre {{ background: #f4f4f4; padding: 1em; overflow: auto; }}
.error {{ color: #a00; white-space: pre-wrap; }}
</style></head>
<body>
<h1>kgbuild SPARQL endpoint</h1>
<p>{source} &middot; read-only &middot; queries run over the union of all graphs and stop
after {timeout:g} s &middot; SERVICE is disabled. The endpoint is <code>/query</code>
(SPARQL 1.1 Protocol, GET or POST).</p>
<form id="f"><textarea id="q" name="query" spellcheck="false">{example}</textarea>
<p><button type="submit">Run</button> <span id="status"></span></p></form>
<div id="out"></div>
<script>
document.getElementById("f").addEventListener("submit", async (event) => {{
  event.preventDefault();
  const out = document.getElementById("out"), status = document.getElementById("status");
  out.textContent = ""; status.textContent = "running...";
  const started = performance.now();
  let response;
  try {{
    response = await fetch("query", {{method: "POST",
      headers: {{"Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"}},
      body: new URLSearchParams({{query: document.getElementById("q").value}})}});
  }} catch (err) {{ status.textContent = ""; out.textContent = String(err); return; }}
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const type = response.headers.get("Content-Type") || "";
  const body = await response.text();
  if (!response.ok) {{
    status.textContent = response.status + " " + response.statusText;
    const p = document.createElement("p"); p.className = "error"; p.textContent = body;
    out.appendChild(p); return;
  }}
  if (!type.startsWith("application/sparql-results+json")) {{
    status.textContent = seconds + " s";
    const pre = document.createElement("pre"); pre.textContent = body; out.appendChild(pre);
    return;
  }}
  const data = JSON.parse(body);
  if ("boolean" in data) {{
    status.textContent = seconds + " s"; out.textContent = String(data.boolean); return;
  }}
  const vars = data.head.vars, rows = data.results.bindings;
  status.textContent = rows.length + " row(s), " + seconds + " s";
  const table = document.createElement("table"), head = table.insertRow();
  for (const v of vars) {{
    const th = document.createElement("th"); th.textContent = "?" + v; head.appendChild(th);
  }}
  for (const row of rows) {{
    const tr = table.insertRow();
    for (const v of vars) {{ tr.insertCell().textContent = row[v] ? row[v].value : ""; }}
  }}
  out.appendChild(table);
}});
</script>
</body></html>
"""


def _example_query() -> str:
    prefixes = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("kg", "rdfs") if p in PREFIXES)
    return (f"{prefixes}\nSELECT ?type (COUNT(?s) AS ?n)\nWHERE {{ ?s a ?type }}\n"
            "GROUP BY ?type\nORDER BY DESC(?n)\nLIMIT 20\n")

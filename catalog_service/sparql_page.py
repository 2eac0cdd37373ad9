"""The SPARQL query page for browsers: a form, the example presets, and answers shown as a table.

Server-rendered and usable without JavaScript: a preset is a link (``?example=levels-sharing``) that fills the form
and runs the query, the form posts back to ``/sparql`` with ``format=html``, and the table offers the same answer
in the SPARQL formats as small download forms. Chinese first, English alongside (``lang`` attributes mark which is
which, for screen readers and for the browser's hyphenation and fonts).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from flask import current_app
from jinja2 import Environment, Template

from catalog_service import namespaces as ns
from catalog_service.harvest.records import RECORD
from catalog_service.harvest.runs import RUN
from catalog_service.query_worker import BOOLEAN, GRAPH, QueryAnswer
from catalog_service.sparql_examples import EXAMPLES, Example

PAGE_ROWS = 1000
"""Rows the page shows at most: a longer table is no use to read; the download buttons give the rest."""

_DISPLAY_PREFIXES = sorted(
    {
        **ns.PREFIXES,
        "region": ns.REGION,
        "org": ns.ORG,
        "resource": ns.RESOURCE,
        "code": ns.CODE,
        "catalog": ns.CATALOG,
        "graph": ns.GRAPH,
        "run": RUN,
        "record": RECORD,
    }.items(),
    key=lambda item: -len(item[1]),
)
"""Namespaces shortened in the table, longest first so that ``region:`` wins over the base namespace."""

FORMAT_LABELS = {
    "html": "网页表格 / HTML table",
    "json": "SPARQL JSON",
    "xml": "SPARQL XML",
    "csv": "CSV",
    "tsv": "TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF/XML",
}
_DOWNLOADS = {GRAPH: ("turtle", "ntriples", "jsonld", "rdfxml"), "other": ("json", "xml", "csv", "tsv")}


@dataclass(frozen=True)
class Cell:
    """One RDF term as the table shows it."""

    text: str
    kind: str
    """``iri``, ``literal``, ``bnode`` or ``triple``: the cell's class, for styling."""
    title: str = ""
    """The full IRI or the datatype, shown on hover."""
    lang: str = ""


@dataclass(frozen=True)
class Table:
    """An answer ready for the page: columns and rows, or the ASK verdict."""

    columns: list[str]
    rows: list[list[Cell | None]]
    boolean: bool | None
    truncated: bool
    downloads: tuple[str, ...]


def table(answer: QueryAnswer) -> Table:
    """Turn an answer serialised as SPARQL JSON (or N-Triples, for graphs) into a table."""
    if answer.form == GRAPH:
        triples = ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)
        rows = [[_cell(t.subject), _cell(t.predicate), _cell(t.object)] for t in triples]
        return Table(["subject", "predicate", "object"], rows, None, answer.truncated, _DOWNLOADS[GRAPH])
    results = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    if answer.form == BOOLEAN:
        return Table([], [], bool(results), False, _DOWNLOADS["other"])
    columns = [v.value for v in results.variables]
    rows = [[_cell(term) if term is not None else None for term in solution] for solution in results]
    return Table(columns, rows, None, answer.truncated, _DOWNLOADS["other"])


def _cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Cell:
    if isinstance(term, ox.NamedNode):
        return Cell(_compact(term.value), "iri", title=term.value)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}", "bnode")
    if isinstance(term, ox.Literal):
        if term.language:
            return Cell(term.value, "literal", lang=term.language)
        datatype = term.datatype.value
        return Cell(term.value, "literal", title="" if datatype == ns.XSD + "string" else _compact(datatype))
    parts = (_cell(term.subject).text, _cell(term.predicate).text, _cell(term.object).text)
    return Cell("<< " + " ".join(parts) + " >>", "triple")


def _compact(iri: str) -> str:
    for prefix, namespace in _DISPLAY_PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def render(
    *,
    query: str,
    chosen: Example | None = None,
    result: Table | None = None,
    error: str | None = None,
) -> str:
    """The whole page, with ``query`` in the form and, below it, its ``result`` or the ``error`` it got."""
    config = current_app.config["GOV_CATALOG"]
    return _template(current_app.jinja_env).render(
        query=query,
        examples=EXAMPLES,
        chosen=chosen,
        result=result,
        error=error,
        formats=FORMAT_LABELS,
        timeout=config.sparql_timeout,
        max_rows=config.sparql_max_rows,
        page_rows=PAGE_ROWS,
    )


@cache
def _template(environment: Environment) -> Template:
    return environment.from_string(_PAGE)


_PAGE = """{%- macro td(cell) -%}
{%- if cell is none %}<td class="unbound"></td>
{%- else %}<td class="{{ cell.kind }}"
{%- if cell.lang %} lang="{{ cell.lang }}"{% endif %}
{%- if cell.title %} title="{{ cell.title }}"{% endif %}>{{ cell.text }}</td>
{%- endif %}
{%- endmacro -%}
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SPARQL 查询 · SPARQL query — 政务信息资源目录</title>
<style>
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0;
       line-height: 1.5; color: #1a1a1a; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
.en { color: #555; font-size: .9em; }
h1 .en, h2 .en { font-weight: normal; }
.layout { display: grid; grid-template-columns: 18rem minmax(0, 1fr); gap: 2rem; align-items: start; }
@media (max-width: 50rem) { .layout { grid-template-columns: 1fr; } }
nav ul { list-style: none; padding: 0; margin: 0; }
nav li { margin: 0 0 .75rem; }
nav a[aria-current] { font-weight: bold; }
textarea { width: 100%; box-sizing: border-box; font-family: ui-monospace, "DejaVu Sans Mono", monospace;
           font-size: .9rem; }
label { font-weight: 600; }
button { font: inherit; padding: .3rem 1rem; }
:focus-visible { outline: 3px solid #1d5fbf; outline-offset: 2px; }
.error { border-left: 4px solid #b00020; padding: .5rem 1rem; background: #fdecee; white-space: pre-wrap; }
.notice { border-left: 4px solid #b26a00; padding: .5rem 1rem; background: #fff4e0; }
.results { overflow-x: auto; }
table { border-collapse: collapse; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; min-width: 4em; }
td.iri, td.bnode, td.triple { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85em;
                              overflow-wrap: anywhere; }
th { background: #f0f0f0; }
td.unbound { color: #888; }
.downloads { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; margin: .5rem 0; }
</style>
</head>
<body>
<a class="skip" href="#query">跳到查询框 <span lang="en">Skip to the query</span></a>
<main>
<h1>SPARQL 查询 <span class="en" lang="en">SPARQL query</span></h1>
<p>在政务信息资源目录的当前数据上运行只读 SPARQL 1.1 查询。默认图为全部当前数据（各采集源的现行版本、代码表、行政区划、
采集记录）。每个查询最长运行 {{ '%g' % timeout }} 秒，结果最多 {{ max_rows }} 行；本页显示前 {{ page_rows }} 行。
<span class="en" lang="en">Run read-only SPARQL 1.1 queries over the catalog as it is now. The default graph is
everything current: each harvest source's current version, the code lists, the administrative divisions and the harvest
runs. A query may run for {{ '%g' % timeout }} s and returns at most {{ max_rows }} rows; this page shows the first
{{ page_rows }}. Tools use the same address with an <code>Accept</code> header.</span></p>
<div class="layout">
<nav aria-labelledby="examples-heading">
<h2 id="examples-heading">示例查询 <span class="en" lang="en">Example queries</span></h2>
<ul>
{% for example in examples %}
<li><a href="{{ url_for('sparql.endpoint', example=example.slug) }}"
       {% if chosen and chosen.slug == example.slug %}aria-current="page"{% endif %}>{{ example.title_zh }}</a><br>
<span class="en" lang="en">{{ example.title_en }}</span></li>
{% endfor %}
</ul>
</nav>
<div>
{% if chosen and chosen.note_zh %}<p class="notice">{{ chosen.note_zh }}
<span class="en" lang="en">{{ chosen.note_en }}</span></p>{% endif %}
<form method="post" action="{{ url_for('sparql.endpoint') }}">
<p><label for="query">查询 <span class="en" lang="en">Query</span></label><br>
<textarea id="query" name="query" rows="18" spellcheck="false">{{ query }}</textarea></p>
<p><label for="format">结果格式 <span class="en" lang="en">Result format</span></label>
<select id="format" name="format">
{% for name, label in formats.items() %}<option value="{{ name }}">{{ label }}</option>
{% endfor %}
</select>
<button type="submit">运行 <span lang="en">Run</span></button></p>
</form>
{% if error or result %}
<section aria-labelledby="results-heading">
<h2 id="results-heading">结果 <span class="en" lang="en">Results</span></h2>
{% if error %}<p class="error" role="alert">{{ error }}</p>{% endif %}
{% if result %}
{% if result.boolean is not none %}
<p>ASK：<strong>{{ "是 / true" if result.boolean else "否 / false" }}</strong></p>
{% else %}
{% if result.truncated %}<p class="notice" role="status">结果已截断：只显示前 {{ result.rows|length }} 行。
<span lang="en">The results were cut off after {{ result.rows|length }} rows.</span></p>{% endif %}
<div class="results">
<table>
<caption>共 {{ result.rows|length }} 行{% if result.truncated %}（已截断）{% endif %}
<span class="en" lang="en">{{ result.rows|length }} rows{% if result.truncated %} (cut off){% endif %}</span></caption>
<thead><tr>{% for column in result.columns %}<th scope="col">{{ column }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in result.rows %}<tr>{% for cell in row %}{{ td(cell) }}{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
</div>
{% endif %}
<form class="downloads" method="post" action="{{ url_for('sparql.endpoint') }}">
<input type="hidden" name="query" value="{{ query }}">
<span>下载 <span class="en" lang="en">Download</span>:</span>
{% for name in result.downloads %}<button type="submit" name="format" value="{{ name }}">{{ formats[name] }}</button>
{% endfor %}
</form>
{% endif %}
</section>
{% endif %}
</div>
</div>
</main>
</body>
</html>
"""

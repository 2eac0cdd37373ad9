"""The web pages: home, search, dataset, catalog tree and harvest sources, in Chinese with an English switch.

Server-rendered (Jinja, ``templates/web/``) and complete without JavaScript: facets, sorting and paging are
plain links, the search box a GET form, the run history an inline SVG with the same figures as a table.

The pages show what the search index and the JSON API serve, through their Python functions, so a page and
the API never disagree: search results and facet counts come from :mod:`catalog_service.search`, a dataset
from :func:`catalog_service.api.dataset_json`, the catalog tree and the sources from the API's functions, and
quality scores (a dataset's, a catalog's with its distribution chart) from :mod:`catalog_service.quality`,
computed over what the reader may see.

The language is Chinese unless ``?lang=en`` (or ``zh``) chose otherwise; the choice is kept in a cookie.
Bad parameters get a 400 page and unknown addresses a 404 page in the reader's language, never a 500.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Any
from urllib.parse import quote, unquote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, render_template, request, url_for
from werkzeug.exceptions import HTTPException, NotFound

from catalog_service import api, harvest_web, quality
from catalog_service import namespaces as ns
from catalog_service.accounts.access import current_user
from catalog_service.accounts.models import Role
from catalog_service.app import current_store
from catalog_service.charts import bar_chart
from catalog_service.export import (
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    TURTLE,
    CurrentView,
    RdfSyntax,
    RequestError,
    check_parameters,
    concept_labels,
    dataset_iri,
    describe,
    int_parameter,
    rdf_response,
)
from catalog_service.harvest.runs import COUNTS
from catalog_service.i18n import DEFAULT_LANGUAGE, HTML_LANG, LANGUAGE_NAMES, LANGUAGES, in_language, translate
from catalog_service.search import IndexUnavailable, SearchParameterError, SearchQuery, current_index
from catalog_service.store import CatalogStore
from catalog_service.vocabulary import CodeLists

blueprint = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")

LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600
RDF_FORMATS: dict[str, RdfSyntax] = {"ttl": TURTLE, "jsonld": JSON_LD, "rdf": RDF_XML, "nt": N_TRIPLES}
"""``?format=`` of a dataset page: its description as RDF, for links (a link cannot send ``Accept``)."""
SHARING_ELEMENTS = frozenset(
    {
        "sharing-type",
        "sharing-condition",
        "sharing-method",
        "provision-method",
        "non-sharing-basis",
        "openness",
        "open-condition",
        "use-purpose",
        "use-requirement",
    }
)
"""Profile elements the dataset page groups under 共享与开放; every other element is core metadata."""
LISTED_ELSEWHERE = frozenset({"data-element"})
"""Elements shown as their own table rather than as a row of the element table."""
CHART_SERIES = ("added", "updated", "invalid")
"""The run counts the run-history chart draws."""
OVERVIEW_COUNTS = ("added", "updated", "removed", "invalid", "failed")
"""The run counts the sources overview shows for each source's last run (its run table shows them all)."""
CHART_RUNS = 20
"""Runs the chart shows at most, newest last."""


# -- language -------------------------------------------------------------------------------------


def page_language() -> str:
    """The reader's language: ``?lang=`` if valid, else the cookie, else Chinese. Never raises."""
    if "lang" not in g:
        chosen = request.args.get("lang")
        if chosen not in LANGUAGES:
            chosen = request.cookies.get(LANG_COOKIE)
        g.lang = chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
    return g.lang


@blueprint.before_request
def _check_language() -> None:
    """Refuse an unknown ``?lang=`` rather than silently showing another language."""
    chosen = request.args.get("lang")
    if chosen is not None and chosen not in LANGUAGES:
        raise RequestError(
            400,
            translate("error.language", "zh", lang=chosen),
            translate("error.language", "en", lang=chosen),
        )


@blueprint.after_request
def _remember_language(response: Response) -> Response:
    """Keep a language chosen with ``?lang=`` for the following pages."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_COOKIE_AGE, samesite="Lax", httponly=True)
    response.vary.add("Cookie")
    return response


def render(template: str, /, http_status: int = 200, **context: Any) -> tuple[str, int]:
    """Render a page with what every page needs: the language, the message catalog and the language switch."""
    lang = page_language()
    other = next(code for code in LANGUAGES if code != lang)
    here = quote(request.script_root + request.path)
    switch = f"{here}?{urlencode({**request.args.to_dict(), 'lang': other})}"
    return (
        render_template(
            template,
            lang=lang,
            html_lang=HTML_LANG[lang],
            t=lambda key, **values: translate(key, lang, **values),
            pick=lambda texts: in_language(texts, lang),
            clock=clock,
            switch={"href": switch, "hreflang": HTML_LANG[other], "name": LANGUAGE_NAMES[other]},
            **context,
        ),
        http_status,
    )


def clock(text: str) -> str:
    """An ISO 8601 date-time as people read it (``2026-11-28 17:07:33 UTC``); dates and other text unchanged.

    The store writes times in UTC with ``Z`` or ``+00:00``; both read the same on the page.
    """
    if "T" not in text.upper():
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    shown = moment.strftime("%Y-%m-%d %H:%M:%S")
    offset = moment.utcoffset()
    if offset is None:
        return shown
    if not offset:
        return f"{shown} UTC"
    zone = moment.strftime("%z")
    return f"{shown} {zone[:3]}:{zone[3:]}"


# -- errors ---------------------------------------------------------------------------------------


def error_page(status: int, message_zh: str, message_en: str) -> tuple[str, int]:
    """An error page in the reader's language; the message is given in both and shown in one."""
    message = message_en if page_language() == "en" else message_zh
    return render("web/error.html", status, status=status, message=message)


@blueprint.errorhandler(RequestError)
def _request_error(error: RequestError) -> tuple[str, int]:
    return error_page(error.status, error.zh, error.en)


@blueprint.errorhandler(SearchParameterError)
def _search_error(error: SearchParameterError) -> tuple[str, int]:
    return error_page(400, error.message_zh, error.message_en)


@blueprint.errorhandler(IndexUnavailable)
def _index_error(_: IndexUnavailable) -> tuple[str, int]:
    return error_page(503, translate("error.index", "zh"), translate("error.index", "en"))


@blueprint.app_errorhandler(NotFound)
def _not_found(error: NotFound) -> tuple[str, int] | HTTPException:
    """An HTML 404 page for browsers at any address; programs that prefer JSON keep the plain error."""
    if request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json":
        return error
    return error_page(404, translate("error.not_found", "zh"), translate("error.not_found", "en"))


# -- home -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """One figure of the home page: a code-list value, its label, how many entries have it, where they are."""

    label: str
    count: int
    href: str


@blueprint.route("/")
def home() -> tuple[str, int]:
    """Counts per level and sharing type, the search box, and the ways into the catalog."""
    check_parameters(("lang",))
    lang = page_language()
    result = current_index().search(SearchQuery(lang=lang, size=1, public_only=current_user() is None))
    return render(
        "web/home.html",
        total=result["total"],
        levels=_code_counts("level", "level", result["facets"]["level"], lang),
        sharing=_code_counts("sharing-type", "sharing", result["facets"]["sharing"], lang),
    )


def _code_counts(scheme: str, facet: str, counted: Iterable[Mapping[str, Any]], lang: str) -> list[Count]:
    """Every value of a code list with its count (zero where the facet has none), each linked to its search."""
    codes = CodeLists.default()
    counts = {entry["value"]: entry["count"] for entry in counted}
    out = []
    for iri in codes.members(scheme):
        notation = codes.notation(iri) or ""
        label = codes.label(iri, lang) or codes.label(iri, "zh") or notation
        out.append(Count(label, counts.get(notation, 0), url_for("web.search", **{facet: notation})))
    return out


# -- search ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetLink:
    """One value of a facet as a link that adds the filter, or removes it when it is chosen."""

    label: str
    count: int
    href: str
    selected: bool


@blueprint.route("/search")
def search() -> tuple[str, int]:
    """Full-text search with facets, sorting and paging: every control is a link or a GET form."""
    lang = page_language()
    repeated = sorted(name for name in request.args if len(request.args.getlist(name)) > 1)
    if repeated:
        raise SearchParameterError(
            repeated[0], f"参数 {repeated[0]} 只能出现一次", f"parameter {repeated[0]} may appear only once"
        )
    query = SearchQuery.from_args({**request.args.to_dict(), "lang": lang})
    query = dataclasses.replace(query, public_only=current_user() is None)
    result = current_index().search(query)
    pages = max(1, ceil(result["total"] / query.size))
    if query.page > pages:
        raise RequestError(404, translate("error.page", "zh", pages=pages), translate("error.page", "en", pages=pages))
    state = _search_state(query)
    link = _search_link(state)
    facets = {
        name: [
            FacetLink(
                entry["label"],
                entry["count"],
                link(**{name: None if query.filters().get(name) == entry["value"] else entry["value"]}),
                query.filters().get(name) == entry["value"],
            )
            for entry in entries
        ]
        for name, entries in result["facets"].items()
    }
    active = [
        (translate(f"facet.{name}", lang), _chosen_label(result["facets"][name], value), link(**{name: None}))
        for name, value in query.filters().items()
    ]
    first = (query.page - 1) * query.size + 1
    return render(
        "web/search.html",
        query=query,
        result=result,
        facets=facets,
        active=active,
        clear=_search_link({"q": query.q, "sort": state.get("sort")})(),
        sorts={sort: link(sort=None if sort == "relevance" else sort) for sort in ("relevance", "modified")},
        first=first,
        last=first + len(result["items"]) - 1,
        pager=_pager(query.page, pages, lambda page: link(page=None if page == 1 else page, keep_page=True)),
        hidden={name: value for name, value in state.items() if name != "q"},
    )


def _search_state(query: SearchQuery) -> dict[str, Any]:
    """The parameters that reproduce a search, without defaults (so links stay short)."""
    state: dict[str, Any] = {"q": query.q or None, **query.filters()}
    if query.sort != "relevance":
        state["sort"] = query.sort
    if query.size != SearchQuery.size:
        state["size"] = query.size
    return {name: value for name, value in state.items() if value is not None}


def _search_link(state: Mapping[str, Any]) -> Callable[..., str]:
    """A function giving the search page's URL with some parameters changed (``None`` removes one).

    Any change starts again at page 1, except a change of page itself (``keep_page``).
    """

    def link(*, keep_page: bool = False, **changes: Any) -> str:
        args = {**state, **changes} if keep_page else {**state, "page": None, **changes}
        return url_for("web.search", **{name: value for name, value in args.items() if value is not None})

    return link


def _chosen_label(entries: Iterable[Mapping[str, Any]], value: str) -> str:
    """The label the facet gives a chosen value (the facet lists every chosen value)."""
    return next((entry["label"] for entry in entries if entry["value"] == value), value)


@dataclass(frozen=True)
class PageLink:
    """A page number in the pager, or a gap (``page`` ``None``)."""

    page: int | None
    href: str = ""
    current: bool = False


def _pager(page: int, pages: int, link: Callable[[int], str]) -> dict[str, Any]:
    """Previous/next and the page numbers near the current one, with the first and last."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    numbers: list[PageLink] = []
    for number in shown:
        if numbers and numbers[-1].page is not None and number - numbers[-1].page > 1:
            numbers.append(PageLink(None))
        numbers.append(PageLink(number, link(number), number == page))
    return {
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "numbers": numbers if pages > 1 else [],
    }


# -- dataset --------------------------------------------------------------------------------------


@blueprint.route("/datasets/<path:identifier>")
def dataset(identifier: str) -> tuple[str, int] | Response:
    """One resource: every element of the guide, data elements, sharing, distributions and provenance.

    ``?format=ttl`` (``jsonld``, ``rdf``, ``nt``) gives its RDF description, as its IRI does by ``Accept``.
    """
    check_parameters(("lang", "format"))
    store = current_store()
    view = CurrentView(store)
    iri = dataset_iri(identifier)
    if not view.is_dataset(iri):
        raise RequestError(
            404,
            translate("error.no_dataset", "zh", identifier=identifier),
            translate("error.no_dataset", "en", identifier=identifier),
        )
    triples = describe(view, [iri])
    wanted = request.args.get("format")
    if wanted is not None:
        if wanted not in RDF_FORMATS:
            names = ", ".join(RDF_FORMATS)
            raise RequestError(400, f"format 只能取 {names}", f"format must be one of {names}")
        return rdf_response(triples, RDF_FORMATS[wanted], negotiated=False)
    entry = api.dataset_json(store, iri, triples)
    elements = [e for e in entry["elements"] if e["key"] not in LISTED_ELSEWHERE]
    records = entry["provenance"]["records"]
    return render(
        "web/dataset.html",
        entry=entry,
        core=[e for e in elements if e["key"] not in SHARING_ELEMENTS],
        sharing=[e for e in elements if e["key"] in SHARING_ELEMENTS],
        first_seen=min((r["firstSeen"] for r in records if r["firstSeen"]), default=None),
        last_changed=max((r["lastChanged"] for r in records if r["lastChanged"]), default=None),
        formats={name: url_for("web.dataset", identifier=identifier, format=name) for name in RDF_FORMATS},
        apply_url=_apply_url(identifier, entry),
        not_shared=current_user() is not None and not entry["visibility"]["shared"],
        not_public=current_user() is not None and not entry["visibility"]["public"],
        quality=_entry_quality(store, iri.value),
    )


def _apply_url(identifier: str, entry: dict[str, Any]) -> str | None:
    """The sharing-request form for a requester, unless the entry is 无条件共享 (which needs no request)."""
    user = current_user()
    if user is None or user.role != "requester":
        return None
    sharing = {v.get("id") for e in entry["elements"] if e["key"] == "sharing-type" for v in e["values"]}
    if ns.BASE + "code/sharing-type/1" in sharing:
        return None
    return url_for("sharing_requests.new_page", dataset=identifier)


def _entry_quality(store: CatalogStore, dataset: str) -> dict[str, Any] | None:
    """The entry's score with its failed checks and the catalogs it is in (title and page), for the page."""
    score = quality.score_entries(store, [dataset]).get(dataset)
    if score is None:
        return None
    out = score.to_dict()
    out["failed"] = [c for c in out["checks"] if not c["passed"]]
    out["dimension_rows"] = [{"key": key, **points} for key, points in out["dimensions"].items()]
    titles = _catalog_titles(store, score.catalogs)
    out["catalogs"] = [{"id": c, "title": titles.get(c, {}), "href": catalog_page(c)} for c in score.catalogs]
    return out


# -- catalog tree and sources ---------------------------------------------------------------------


@blueprint.route("/catalogs")
def catalogs() -> tuple[str, int]:
    """The catalog tree national → province → city → county → department, as nested, collapsible lists."""
    check_parameters(("lang",))
    return render("web/catalogs.html", tree=api.catalog_tree(current_store()), catalog_page=catalog_page)


QUALITY_CACHE = "gov_catalog.quality"
_CATALOG_QUERY = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?field ?value ?name WHERE {
  { {catalog} a dcat:Catalog BIND("type" AS ?field) }
  UNION { {catalog} dct:title ?value BIND("title" AS ?field) }
  UNION { {catalog} dct:description ?value BIND("description" AS ?field) }
  UNION { {catalog} dct:spatial ?value BIND("spatial" AS ?field) }
  UNION { {catalog} dct:publisher ?value BIND("publisher" AS ?field) OPTIONAL { ?value foaf:name ?name } }
  UNION { {catalog} dcat:catalog ?value BIND("child" AS ?field) }
  UNION { ?value dcat:catalog {catalog} BIND("parent" AS ?field) }
}"""
_TITLES_QUERY = """
SELECT ?c ?title WHERE { VALUES ?c { {catalogs} } ?c <http://purl.org/dc/terms/title> ?title }"""


def catalog_page(iri: str) -> str:
    """The address of a catalog's page: ``/catalogs/<path>`` for this node's catalog IRIs, else by ``?iri=``."""
    key = iri.removeprefix(ns.CATALOG)
    if iri.startswith(ns.CATALOG) and ns.catalog(unquote(key)) == iri:
        return url_for("web.catalog", key=unquote(key))
    return url_for("web.catalog", iri=iri)


@blueprint.route("/catalogs/by-iri", defaults={"key": None})
@blueprint.route("/catalogs/<path:key>")
def catalog(key: str | None) -> tuple[str, int]:
    """One catalog: what it is, the catalogs above and within it, and the metadata quality of its entries —
    score, ratings and distribution chart, over the entries the reader may see (the public: those open to
    society)."""
    check_parameters(("lang",) if key is not None else ("lang", "iri"))
    store = current_store()
    iri = ns.catalog(key) if key is not None else request.args.get("iri", "")
    facts = _catalog_facts(store, iri)
    if facts is None:
        raise RequestError(404, translate("catalog.none", "zh", iri=iri), translate("catalog.none", "en", iri=iri))
    cache = current_app.extensions.setdefault(QUALITY_CACHE, quality.QualityCache())
    scores = cache.catalog(store, iri)
    lang = page_language()
    return render(
        "web/catalog.html",
        catalog=facts,
        quality=scores,
        chart=bar_chart([(f"{band['from']}–{band['to']}", band["count"]) for band in scores["histogram"]]),
        chart_title=translate("catalog.chart", lang, title=in_language(facts["title"], lang) or iri),
        public=current_user() is None,
    )


def _catalog_facts(store: CatalogStore, iri: str) -> dict[str, Any] | None:
    """Title, description, division, publisher, parents and children of a catalog, or ``None`` if the reader
    sees no catalog of that IRI."""
    try:
        node = str(ox.NamedNode(iri))
    except ValueError:
        return None
    rows = list(store.query(_CATALOG_QUERY.replace("{catalog}", node)))
    if not any(row["field"].value == "type" for row in rows):
        return None
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row["field"].value, []).append(row)
    codes = CodeLists.default()
    related = sorted({row["value"].value for field in ("child", "parent") for row in found.get(field, [])})
    titles = _catalog_titles(store, related)

    def linked(field: str) -> list[dict[str, Any]]:
        iris = sorted({row["value"].value for row in found.get(field, [])})
        return [{"id": c, "title": titles.get(c, {}), "href": catalog_page(c)} for c in iris]

    def texts(field: str) -> dict[str, str]:
        return {row["value"].language or "": row["value"].value for row in found.get(field, [])}

    publishers = {}
    for row in found.get("publisher", []):
        names = publishers.setdefault(row["value"].value, {})
        if row["name"] is not None:
            names.setdefault(row["name"].language or "", row["name"].value)
    return {
        "id": iri,
        "title": texts("title"),
        "description": texts("description"),
        "regions": [
            {"code": codes.notation(r["value"].value), "label": concept_labels(r["value"].value)}
            for r in found.get("spatial", [])
        ],
        "publishers": [{"id": p, "name": n, "href": url_for("web.search", publisher=p)} for p, n in publishers.items()],
        "parents": linked("parent"),
        "children": linked("child"),
    }


def _catalog_titles(store: CatalogStore, iris: list[str]) -> dict[str, dict[str, str]]:
    """Each catalog's title by language, in one query."""
    if not iris:
        return {}
    titles: dict[str, dict[str, str]] = {}
    for row in store.query(_TITLES_QUERY.replace("{catalogs}", quality.iri_list(iris))):
        titles.setdefault(row["c"].value, {}).setdefault(row["title"].language or "", row["title"].value)
    return titles


@blueprint.route("/sources")
def sources() -> tuple[str, int]:
    """Each harvest source: its last runs with status, counts and errors, and a chart of its run history.

    ``runs`` (as ``/api/sources``) is how many recent runs each source lists.
    """
    check_parameters(("lang", "runs"))
    listed = api.sources_json(current_store(), int_parameter("runs", api.DEFAULT_RUNS, api.MAX_RUNS))
    scheduler = harvest_web.scheduler_of(current_app)
    user = current_user()
    controllable = scheduler.scheduled() if scheduler and user and user.role == Role.ADMIN else []
    return render(
        "web/sources.html",
        sources=listed,
        controllable=controllable,
        charts={s["name"]: run_chart(s["runs"], s["totalRuns"]) for s in listed if s["runs"]},
        counts=COUNTS,
        overview_counts=OVERVIEW_COUNTS,
        chart_series=CHART_SERIES,
    )


@dataclass(frozen=True)
class Bar:
    """One bar of the run-history chart."""

    x: float
    y: float
    height: float
    series: str
    value: int


@dataclass(frozen=True)
class RunChart:
    """The run-history chart's geometry, in SVG user units: bars grouped by run, oldest run first."""

    width: float
    height: float
    bar_width: float
    baseline: float
    maximum: int
    bars: list[Bar]
    labels: list[tuple[float, int]]
    """The x of each run's label, and the run's number (1 = the source's first run)."""


_BAR, _GAP, _LEFT, _TOP, _BOTTOM, _PLOT_HEIGHT = 14.0, 12.0, 40.0, 12.0, 24.0, 120.0
_MIN_GROUPS = 8
"""The chart is at least this many runs wide, so that a new source's one run does not make a sliver."""


def run_chart(runs: list[dict[str, Any]], total: int) -> RunChart:
    """Bars of records added, updated and invalid per run, for the newest :data:`CHART_RUNS` of ``runs`` (given
    newest first, as the API lists them, out of ``total`` runs: a run's label is its number since the first)."""
    shown = runs[:CHART_RUNS]
    maximum = max((run["counts"].get(series, 0) for run in shown for series in CHART_SERIES), default=0)
    scale = _PLOT_HEIGHT / maximum if maximum else 0.0
    baseline = _TOP + _PLOT_HEIGHT
    group = _BAR * len(CHART_SERIES) + _GAP
    bars, labels = [], []
    for slot, age in enumerate(reversed(range(len(shown)))):
        run, left = shown[age], _LEFT + _GAP + slot * group
        for position, series in enumerate(CHART_SERIES):
            value = run["counts"].get(series, 0)
            height = value * scale
            bars.append(Bar(left + position * _BAR, baseline - height, height, series, value))
        labels.append((left + _BAR * len(CHART_SERIES) / 2, total - age))
    width = _LEFT + _GAP + max(len(shown), _MIN_GROUPS) * group
    return RunChart(width, baseline + _BOTTOM, _BAR - 1, baseline, maximum, bars, labels)

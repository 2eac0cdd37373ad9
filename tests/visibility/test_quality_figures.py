"""Adversarial tests: the quality figures the public sees (catalog pages, dataset pages, /api/quality) are
computed over the entries open to society only, so no count, mean or histogram reveals the others."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.store import PUBLIC, CatalogStore

HTML = {"Accept": "text/html"}
MEMBERS = "SELECT ?c ?d WHERE { ?c <http://www.w3.org/ns/dcat#dataset> ?d . ?d a <http://www.w3.org/ns/dcat#Dataset> }"


@pytest.fixture(scope="module")
def members(catalog: CatalogStore) -> dict[str, tuple[set[str], set[str]]]:
    """Per catalog that lists entries directly: the entries the public sees, and all of them."""
    public: dict[str, set[str]] = {}
    every: dict[str, set[str]] = {}
    for row in catalog.query(MEMBERS, audience=PUBLIC):
        public.setdefault(row["c"].value, set()).add(row["d"].value)
    for row in catalog.query(MEMBERS):
        every.setdefault(row["c"].value, set()).add(row["d"].value)
    return {c: (public.get(c, set()), every[c]) for c in every}


@pytest.fixture(scope="module")
def mixed(members: dict[str, tuple[set[str], set[str]]]) -> list[str]:
    """Catalogs listing both public and hidden entries: where a leak would show in a count."""
    found = sorted(c for c, (shown, every) in members.items() if shown and shown != every)
    assert found, "the sample federation should have catalogs with hidden entries"
    return found[:3]


def scope(html: str) -> str:
    return re.search(r'<p class="note" id="quality-scope">(.*?)</p>', html, re.S).group(1)


def histogram_total(html: str) -> int:
    if 'id="quality-histogram"' not in html:
        return 0
    table = html[html.index('id="quality-histogram"') :]
    table = table[: table.index("</table>")]
    return sum(int(n) for n in re.findall(r'<td class="num">(\d+)</td>', table))


def page_of(iri: str) -> str:
    return "/catalogs/" + iri.removeprefix(ns.CATALOG)


def test_public_catalog_page_counts_public_entries_only(
    public: FlaskClient, government: FlaskClient, members, mixed: list[str], hidden: list[str]
) -> None:
    for iri in mixed:
        shown, every = members[iri]
        anonymous = public.get(page_of(iri), headers=HTML).get_data(as_text=True)
        assert f"向社会开放的 {len(shown)} 条信息资源" in scope(anonymous)
        assert histogram_total(anonymous) == len(shown)
        passing = re.findall(r'<td class="num">(\d+)</td><td class="num">\d+%</td>', anonymous)
        assert passing and all(int(n) <= len(shown) for n in passing)
        assert not [d for d in hidden if d in anonymous or d.removeprefix(ns.RESOURCE) in anonymous]

        signed_in = government.get(page_of(iri), headers=HTML).get_data(as_text=True)
        assert f"全部 {len(every)} 条信息资源，含不予开放的条目" in scope(signed_in)
        assert histogram_total(signed_in) == len(every) > len(shown)


def test_public_mean_is_the_mean_of_public_scores(public: FlaskClient, members, mixed: list[str]) -> None:
    iri = mixed[0]
    shown, _ = members[iri]
    points = [public.get(f"/api/quality/datasets/{d}").get_json()["points"] for d in sorted(shown)]
    html = public.get(page_of(iri), headers=HTML).get_data(as_text=True)
    assert f"<strong>{round(sum(points) / len(points), 1)} / 360 分</strong>" in html


def test_a_catalog_of_hidden_entries_only_shows_the_public_nothing(
    public: FlaskClient, government: FlaskClient, members
) -> None:
    closed = [c for c, (shown, every) in members.items() if every and not shown]
    if not closed:
        pytest.skip("no catalog of the sample federation lists only hidden entries")
    anonymous = public.get(page_of(closed[0]), headers=HTML)
    if anonymous.status_code == 200:
        assert "向社会开放的 0 条信息资源" in scope(anonymous.get_data(as_text=True))
        assert 'id="quality-histogram"' not in anonymous.get_data(as_text=True)
    else:
        assert anonymous.status_code == 404
    assert government.get(page_of(closed[0]), headers=HTML).status_code == 200


def test_api_quality_counts_public_entries_only(
    public: FlaskClient, government: FlaskClient, shown: list[str], hidden: list[str], members
) -> None:
    anonymous = public.get("/api/quality").get_json()
    assert anonymous["overall"]["entries"] == len(shown)
    assert sum(d["entries"] for d in anonymous["departments"]) == len(shown)
    per_catalog = Counter({c["key"]: c["entries"] for c in anonymous["catalogs"]})
    assert all(per_catalog[c] == len(s) for c, (s, _) in members.items())
    assert government.get("/api/quality").get_json()["overall"]["entries"] == len(shown) + len(hidden)


def test_hidden_entry_has_no_quality_page_for_the_public(public: FlaskClient, hidden: list[str]) -> None:
    identifier = hidden[0].removeprefix(ns.RESOURCE)
    assert public.get(f"/datasets/{identifier}", headers=HTML).status_code == 404
    assert public.get(f"/api/quality/datasets/{identifier}").status_code == 404

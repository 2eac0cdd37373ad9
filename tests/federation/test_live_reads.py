"""A node that harvests while it serves (``serve --schedule``, the embedded store's one writer): readers hammering
``/sparql`` and ``/api/search`` during a harvest get 200 and the old catalog or the new one, never a mix."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_service.federation import Federation, Node, NodeSpec
from tests.federation.nodes import free_ports
from tests.harvest.catalogs import entry, write

COUNT = "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset }"


def public_entries(first: int, count: int) -> list[dict[str, str]]:
    return [entry(seq, 是否向社会开放="是") for seq in range(first, first + count)]


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Federation]:
    """One node serving a spreadsheet source, started empty."""
    (port,) = free_ports(1)
    config = tmp_path / "node.toml"
    config.write_text(
        "[catalog]\nsparql_workers = 1\n\n[[sources]]\n"
        f'name = "live"\ntype = "spreadsheet"\nurl = "{tmp_path / "live.csv"}"\n'
        'level = "县"\nregion = "320102"\nschedule = "1d"\n',
        encoding="utf-8",
    )
    federation = Federation(tmp_path)
    federation.nodes["solo"] = Node(NodeSpec("solo", "单节点", "live", None, None), port, config, tmp_path / "data")
    try:
        federation.start_node("solo")
        yield federation
    finally:
        federation.stop()


class Reader(threading.Thread):
    """Asks the node, again and again until stopped, how many datasets it has: by SPARQL and by search."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.answers: list[tuple[str, int, int | None]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        sparql = self.base + "/sparql?" + urllib.parse.urlencode({"query": COUNT})
        while not self.stopping.is_set():
            self.ask("sparql", sparql, lambda body: int(body["results"]["bindings"][0]["n"]["value"]))
            self.ask("search", self.base + "/api/search?size=1", lambda body: body["total"])

    def ask(self, kind: str, url: str, count) -> None:
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json, application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                self.answers.append((kind, response.status, count(json.load(response))))
        except urllib.error.HTTPError as error:
            self.answers.append((kind, error.code, None))

    def during(self, action) -> list[tuple[str, int, int | None]]:
        """The answers given from before ``action`` starts until after it ends."""
        start = len(self.answers)
        action()
        end = len(self.answers)
        while len(self.answers) < end + 2:  # a full round after the action too
            self.stopping.wait(0.05)
        return self.answers[start:]


def test_reads_during_a_harvest_see_the_old_or_the_new_catalog(node: Federation, tmp_path: Path) -> None:
    reader = Reader(node.nodes["solo"].url)
    reader.start()
    try:
        # First a new version of the source (an empty node gets its first one), then a change made in place.
        for before, after in ((0, 60), (60, 120)):
            write(tmp_path / "live.csv", public_entries(1, after))
            answers = reader.during(lambda: node.reharvest({"solo": ["live"]}))
            assert {status for _, status, _ in answers} == {200}
            for kind in ("sparql", "search"):
                seen = [n for k, _, n in answers if k == kind]
                assert set(seen) <= {before, after}, kind
                assert (seen[0], seen[-1]) == (before, after), kind  # the reads went on while the run did
                assert seen == sorted(seen), kind  # once the new catalog shows, the old does not come back
    finally:
        reader.stopping.set()
        reader.join(timeout=30)

"""What the benchmarks share: serving files and a node over local HTTP, timing a SPARQL query both through the
endpoint and on pyoxigraph, percentiles, memory, and writing figures into a section of docs/benchmarks.md.

Each benchmark keeps its own generator, phases and report; only the plumbing that would otherwise be copied
from one script to the next lives here.
"""

from __future__ import annotations

import http.client
import json
import re
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog_service import namespaces as ns  # noqa: E402

SPARQL_JSON = "application/sparql-results+json"


# -- serving ------------------------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_folder(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``folder`` over HTTP on a free port of 127.0.0.1 from a daemon thread; return the server and its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def write_page(path: Path, triples: list[ox.Triple], page_url: str, next_url: str | None) -> None:
    """Write one page of a paged DCAT catalog as Turtle, linked to the next page with ``hydra:next``."""
    if next_url is not None:
        view = ox.NamedNode(page_url)
        triples = [
            *triples,
            ox.Triple(view, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.HYDRA + "PartialCollectionView")),
            ox.Triple(view, ox.NamedNode(ns.HYDRA + "next"), ox.NamedNode(next_url)),
        ]
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=ns.PREFIXES))


def start_node(data_dir: Path, config: Path) -> tuple[subprocess.Popen, int]:
    """``gov-catalog serve`` on a free port, as deployed (a threaded werkzeug server with its query workers);
    returns once ``/sparql`` answers. Its first start on a new store also builds the search index."""
    port = free_port()
    command = [sys.executable, "-m", "catalog_service.cli", "serve", "--data-dir", str(data_dir)]
    command += ["--config", str(config), "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while server.poll() is None:
        try:
            sparql_get(port, "ASK {}")
            return server, port
        except ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"the server exited with status {server.returncode}: {shlex.join(command)}")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (for a server started next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(port: int, path: str, headers: dict[str, str]) -> bytes:
    """One GET with a lean client: the server closes each connection, so one connection per request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"{path[:200]}: {response.status}: {body[:500]!r}")
    return body


def sparql_get(port: int, query: str, token: str | None = None) -> bytes:
    """A SELECT or ASK through the node's ``/sparql`` as JSON; with ``token``, as that API token's user."""
    headers = {"Accept": SPARQL_JSON} | ({"Authorization": f"Bearer {token}"} if token else {})
    return http_get(port, "/sparql?" + urllib.parse.urlencode({"query": query}), headers)


# -- timing -------------------------------------------------------------------------------------------


def seconds(call: Callable[[], object]) -> float:
    """Wall-clock seconds of one call."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def percentile(values: list[float], percent: float) -> float:
    """The value below which ``percent`` % of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def compare_query(
    name: str,
    query: str,
    port: int,
    store: Any,
    *,
    budget: float,
    min_runs: int,
    max_runs: int,
    token: str | None = None,
) -> dict:
    """Time ``query`` through the endpoint and directly on ``store`` (a ``CatalogStore``), alternating runs.

    About ``budget`` seconds per way (judged by a first, untimed run), between ``min_runs`` and ``max_runs`` runs;
    the first run of each way also checks that both give the same answer. Returns the medians and 95th
    percentiles in seconds.
    """

    def endpoint() -> bytes:
        return sparql_get(port, query, token)

    def direct() -> bytes:
        return store.query(query).serialize(format=ox.QueryResultsFormat.JSON)

    started = time.perf_counter()
    answer = json.loads(direct())
    first = time.perf_counter() - started
    same = json.loads(endpoint()) == answer
    runs = max(min_runs, min(max_runs, int(budget / max(first, 1e-6))))
    endpoint_times, direct_times = [], []
    for _ in range(runs):
        endpoint_times.append(seconds(endpoint))
        direct_times.append(seconds(direct))
    rows = len(answer["results"]["bindings"])
    return {
        "name": name,
        "rows": rows,
        "runs": runs,
        "same": same,
        "direct": statistics.median(direct_times),
        "direct95": percentile(direct_times, 95),
        "endpoint": statistics.median(endpoint_times),
        "endpoint95": percentile(endpoint_times, 95),
    }


def duration(value: float) -> str:
    """Seconds for a reader: milliseconds up to ten seconds, with decimals only where they mean something."""
    if value >= 10:
        return f"{value:,.1f} s"
    return f"{value * 1000:,.2f} ms" if value < 0.1 else f"{value * 1000:,.0f} ms"


# -- memory and disk ----------------------------------------------------------------------------------


def own_memory() -> tuple[int, int]:
    """Resident and peak resident memory of this process, in bytes."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) * 1024
    return values["VmRSS"], values["VmHWM"]


def tree_rss(pid: int) -> int:
    """Resident memory of a process and its children (a server and its query workers), in bytes."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(entry.name) == pid or int(fields.get("PPid", "0").strip()) == pid:
            total += int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    return total


def disk_size(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# -- docs/benchmarks.md -------------------------------------------------------------------------------

_SECTION = r"^{heading}\n.*?(?=^## |\Z)"
_SUBSECTION = re.compile(r"^### .*?(?=^### |\Z)", re.M | re.S)


def update_doc(path: Path, heading: str, body: str) -> None:
    """Replace (or append) the section ``heading`` (``## …``) of a Markdown file, leaving the others as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = f"{heading}\n\n{body.strip()}\n"
    found = re.search(_SECTION.format(heading=re.escape(heading)), text, re.M | re.S)
    if found:
        rest = text[found.end() :]
        text = text[: found.start()] + section + ("\n" + rest if rest else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def update_subsection(path: Path, heading: str, intro: str, subsection: str, order: Callable[[str], Any]) -> None:
    """Rewrite the section ``heading`` as ``intro`` followed by its ``###`` subsections, ``subsection`` replacing
    the earlier one of the same heading; the others (earlier runs, text written by hand) stay, sorted by
    ``order`` of their heading line. Every other section of the file stays as it is.

    Benchmarks that run at several sizes keep one subsection per size this way.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    found = re.search(_SECTION.format(heading=re.escape(heading)), text, re.M | re.S)
    earlier = _SUBSECTION.findall(found.group(0)) if found else []
    title = subsection.split("\n", 1)[0]
    parts = [part.strip() for part in earlier if part.split("\n", 1)[0] != title] + [subsection.strip()]
    parts.sort(key=lambda part: order(part.split("\n", 1)[0]))
    update_doc(path, heading, "\n\n".join([intro.strip(), *parts]))

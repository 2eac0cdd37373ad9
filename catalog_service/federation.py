"""A four-level federation of real gov-catalog nodes on local ports: county → city → province → national.

Each node is its own process with its own data directory and configuration (``examples/federation-nodes``):

* 县级 玄武区 (``county``) serves the ``xuanwu`` catalog and takes the national node's national-level basic
  information resources down (``national-to-xuanwu``);
* 市级 南京市 (``city``) serves ``nanjing`` and harvests the county node (``node-xuanwu``);
* 省级 江苏省 (``province``) serves ``jiangsu``, harvests the city node (``node-nanjing``) and takes the
  national node's basic information resources down (``national-to-jiangsu``);
* 国家 (``national``) serves ``national`` and harvests the province node (``node-jiangsu``).

Every node serves with ``--schedule``: it harvests its sources on their schedules while it serves, being its
store's one writer, and ``SIGUSR1`` makes it harvest them at once (:meth:`Federation.reharvest`). So the nodes
start empty and fill while serving: each its own file, then bottom-up the node below, then the county and the
province take the national node's entries down.

:func:`start_federation` is what ``gov-catalog demo --federation`` runs; the tests use the same functions.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalog_service.resources import resource_dir

PYTHON_CLI = [sys.executable, "-m", "catalog_service.cli"]
EXAMPLE_BASE_PORT = 8081
"""The county's port in the example configurations; each node source's URL names its peer by port from it."""


@dataclass(frozen=True)
class NodeSpec:
    """One level of the federation: its key, its name, its own source and the node sources it harvests."""

    key: str
    name: str
    own_source: str
    lower: str | None
    """Key of the node below, harvested through a ``type = "node"`` source; ``None`` for the county."""
    node_source: str | None
    """Name of that ``node`` source in the node's configuration."""
    upper_source: str | None = None
    """Name of the ``node`` source taking entries down from the national node, if the node has one."""


CHAIN: tuple[NodeSpec, ...] = (
    NodeSpec("county", "玄武区", "xuanwu", None, None, "national-to-xuanwu"),
    NodeSpec("city", "南京市", "nanjing", "county", "node-xuanwu"),
    NodeSpec("province", "江苏省", "jiangsu", "city", "node-nanjing", "national-to-jiangsu"),
    NodeSpec("national", "国家", "national", "province", "node-jiangsu"),
)
"""Bottom-up: the order nodes are harvested and started in."""


class FederationError(RuntimeError):
    """A node did not harvest or did not come up."""


@dataclass
class Node:
    """A running (or stopped) node: its spec, port, configuration file and data directory."""

    spec: NodeSpec
    port: int
    config: Path
    data_dir: Path
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def serving(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Federation:
    """The nodes of a federation rooted in ``base_dir``; use as a context manager to stop them all at the end."""

    base_dir: Path
    nodes: dict[str, Node] = field(default_factory=dict)
    harvest_timeout: float = 300.0
    start_timeout: float = 60.0

    def __enter__(self) -> Federation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- harvesting -------------------------------------------------------------------------------

    def reharvest(self, jobs: dict[str, list[str]]) -> dict[str, dict[str, dict[str, Any]]]:
        """Make serving nodes harvest now and wait for the named sources' runs: node key → source names.

        Each node gets ``SIGUSR1``, on which ``serve --schedule`` runs every scheduled source at once, in its
        own process. Returns node key → source name → the finished run as ``/api/sources`` gives it.
        """
        before = {key: self._last_runs(key) for key in jobs}
        for key in jobs:
            node = self.nodes[key]
            if not node.serving:
                raise FederationError(f"{key} is not serving")
            node.process.send_signal(signal.SIGUSR1)
        finished: dict[str, dict[str, dict[str, Any]]] = {key: {} for key in jobs}
        deadline = time.monotonic() + self.harvest_timeout
        while time.monotonic() < deadline:
            time.sleep(0.5)
            for key, names in jobs.items():
                runs = self._last_runs(key)
                for name in names:
                    run = runs.get(name)
                    if run and run["id"] != (before[key].get(name) or {}).get("id") and run["status"] != "running":
                        finished[key][name] = run
            if all(len(finished[key]) == len(names) for key, names in jobs.items()):
                return finished
        raise FederationError(f"runs did not finish within {self.harvest_timeout:.0f} s: {jobs}")

    def _last_runs(self, key: str) -> dict[str, dict[str, Any]]:
        """Source name → its last run, from the node's ``/api/sources``."""
        request = urllib.request.Request(self.nodes[key].url + "/api/sources", headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return {s["name"]: s["lastRun"] for s in json.load(response)["sources"] if s["lastRun"]}

    # -- serving ----------------------------------------------------------------------------------

    def start_node(self, key: str) -> Node:
        """Start ``gov-catalog serve --schedule`` for a node and wait until it answers."""
        return self.start_nodes([key])[0]

    def start_nodes(self, keys: list[str]) -> list[Node]:
        """Start several nodes at once and wait until each answers; on failure the ones started are stopped."""
        for key in keys:
            self._launch(key)
        try:
            return [self._await_answer(key) for key in keys]
        except BaseException:
            for key in keys:
                self.stop_node(key)
            raise

    def _launch(self, key: str) -> None:
        node = self.nodes[key]
        node.log = self.base_dir / f"{key}.log"
        with node.log.open("ab") as log:
            node.process = subprocess.Popen(
                [
                    *PYTHON_CLI,
                    "serve",
                    "--schedule",
                    "--config",
                    str(node.config),
                    "--data-dir",
                    str(node.data_dir),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(node.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=_child_env(),
                start_new_session=True,
            )

    def _await_answer(self, key: str) -> Node:
        node = self.nodes[key]
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if node.process.poll() is not None:
                raise FederationError(f"{key} exited with {node.process.returncode}; see {node.log}")
            try:
                with urllib.request.urlopen(node.url + "/catalog.ttl?page_size=1", timeout=5) as response:
                    if response.status == 200:
                        return node
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise FederationError(f"{key} did not answer on {node.url} within {self.start_timeout:.0f} s; see {node.log}")

    def stop_node(self, key: str) -> None:
        """Stop a node's server (and the SPARQL workers it started: they share its process group)."""
        node = self.nodes[key]
        process, node.process = node.process, None
        if process is None or process.poll() is not None:
            return
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout=10)

    def stop(self) -> None:
        """Stop every node: the chain top-down, then any other node."""
        chain = [spec.key for spec in reversed(CHAIN) if spec.key in self.nodes]
        for key in chain + [key for key in self.nodes if key not in chain]:
            self.stop_node(key)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # the group start_new_session made for this child only


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOV_CATALOG_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def node_configs_dir() -> Path:
    """``examples/federation-nodes``: one ``<key>/gov-catalog.toml`` per level."""
    return resource_dir("examples") / "federation-nodes"


def prepare(base_dir: str | Path, base_port: int = 8081, ports: dict[str, int] | None = None) -> Federation:
    """Lay out a federation in ``base_dir``: a data directory and a configuration per node.

    The configurations are the examples' with each ``node`` source's ``url`` pointed at the port its peer
    actually uses (county on ``base_port``, city on the next, and so on, unless ``ports`` says otherwise), the
    nodes it harvests and those next to it in the chain allow-listed for federated SPARQL, and local files
    copied to ``<base_dir>/files/``, so that the federation's sources can change without touching the examples.
    """
    base = Path(base_dir).resolve()
    (base / "files").mkdir(parents=True, exist_ok=True)
    ports = ports or {spec.key: base_port + n for n, spec in enumerate(CHAIN)}
    federation = Federation(base)
    for n, spec in enumerate(CHAIN):
        example = node_configs_dir() / spec.key / "gov-catalog.toml"
        document = tomllib.loads(example.read_text(encoding="utf-8"))
        neighbours = {c.key for c in CHAIN[max(n - 1, 0) : n + 2]} - {spec.key}
        for source in document.get("sources", []):
            if source.get("type") == "node":
                peer = _example_peer(source["url"])
                source["url"] = f"http://127.0.0.1:{ports[peer]}"
                neighbours.add(peer)
            elif "://" not in source["url"]:
                original = (example.parent / source["url"]).resolve()
                copy = base / "files" / original.name
                shutil.copyfile(original, copy)
                source["url"] = str(copy)
        peers = [f"http://127.0.0.1:{ports[c.key]}/sparql" for c in CHAIN if c.key in neighbours]
        document.setdefault("catalog", {})["sparql_service_peers"] = peers
        config = base / f"{spec.key}.toml"
        config.write_text(_toml(document), encoding="utf-8")
        federation.nodes[spec.key] = Node(spec, ports[spec.key], config, base / spec.key)
    return federation


def _example_peer(url: str) -> str:
    """The key of the node an example ``node`` source points at, from its port (county on 8081 …)."""
    position = (urlsplit(url).port or 0) - EXAMPLE_BASE_PORT
    if not 0 <= position < len(CHAIN):
        raise FederationError(f"{url} is none of the example ports {EXAMPLE_BASE_PORT}–{EXAMPLE_BASE_PORT + 3}")
    return CHAIN[position].key


def _toml(document: dict) -> str:
    """The examples' configurations back as TOML: a ``[catalog]`` table and ``[[sources]]`` of scalars and lists."""

    def value(v: object) -> str:
        return ("true" if v else "false") if isinstance(v, bool) else json.dumps(v, ensure_ascii=False)

    lines = ["# Written by catalog_service.federation from examples/federation-nodes."]
    if document.get("catalog"):
        lines += ["", "[catalog]", *(f"{k} = {value(v)}" for k, v in document["catalog"].items())]
    for source in document.get("sources", []):
        lines += ["", "[[sources]]", *(f"{k} = {value(v)}" for k, v in source.items())]
    return "\n".join(lines) + "\n"


def start_federation(
    base_dir: str | Path,
    base_port: int = 8081,
    ports: dict[str, int] | None = None,
    *,
    echo: Callable[[str], object] | None = None,
) -> Federation:
    """Start the four nodes and fill them while they serve; on any failure the nodes are stopped.

    All four start at once, empty, and harvest in rounds (:func:`harvest_rounds`), each round waiting for the
    runs of the one before. ``echo`` (for example ``print``) receives a line per step.
    """
    federation = prepare(base_dir, base_port, ports)
    try:
        for node in federation.start_nodes([spec.key for spec in CHAIN]):
            if echo:
                echo(f"[{node.spec.key} {node.spec.name}] serving {node.url}/")
        for jobs in harvest_rounds():
            for key, runs in federation.reharvest(jobs).items():
                for name, run in runs.items():
                    _check_run(federation.nodes[key], name, run, echo)
    except BaseException:
        federation.stop()
        raise
    return federation


def _check_run(node: Node, name: str, run: dict[str, Any], echo: Callable[[str], object] | None) -> None:
    if echo:
        counts = ", ".join(f"{kind} {n}" for kind, n in run["counts"].items() if n)
        echo(f"[{node.spec.key} {node.spec.name}] {name}: {run['status']} ({counts or 'nothing new'})")
    if run["status"] != "succeeded":
        raise FederationError(f"{node.spec.key} could not harvest {name}: {run['errors']}")


def harvest_rounds() -> list[dict[str, list[str]]]:
    """What the nodes harvest in turn to fill the federation: node key → the sources to wait for.

    First every node's own file; then bottom-up each node below, the node above waiting for it; last the
    downward sources, once the national node holds every level (so that what the province sent up is there to
    be left out). A node runs all its scheduled sources each time it is asked (``SIGUSR1``): the others are
    runs whose peers were not filled yet, and are simply run again later.
    """
    return [
        {spec.key: [spec.own_source] for spec in CHAIN},
        *({spec.key: [spec.node_source]} for spec in CHAIN if spec.node_source),
        {spec.key: [spec.upper_source] for spec in CHAIN if spec.upper_source},
    ]


def run_demo(base_dir: str | Path, base_port: int = 8081) -> int:
    """``gov-catalog demo --federation``: start the four nodes, print their URLs, serve until Ctrl-C or SIGTERM."""
    federation = start_federation(base_dir, base_port, echo=lambda line: print(line, flush=True))

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        print("\n四级节点 / the four nodes (Ctrl-C stops them; kill -USR1 <pid> makes one harvest now):")
        for spec in reversed(CHAIN):
            node = federation.nodes[spec.key]
            print(
                f"  {spec.name:<4} {spec.key:<9} {node.url}/  SPARQL: {node.url}/sparql  pid {node.process.pid}  "
                f"data: {node.data_dir}"
            )
        sys.stdout.flush()
        while all(n.serving for n in federation.nodes.values()):
            time.sleep(1)
        print("a node exited; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        federation.stop()

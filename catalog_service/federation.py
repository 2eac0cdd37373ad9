"""A four-level federation of real gov-catalog nodes on local ports: county → city → province → national.

Each node is its own process with its own data directory and configuration (``examples/federation-nodes``):

* 县级 玄武区 (``county``) serves the ``xuanwu`` catalog;
* 市级 南京市 (``city``) serves ``nanjing`` and harvests the county node (``node-xuanwu``);
* 省级 江苏省 (``province``) serves ``jiangsu`` and harvests the city node (``node-nanjing``);
* 国家 (``national``) serves ``national`` and harvests the province node (``node-jiangsu``).

The embedded store takes one process at a time, so a node harvests before it serves: going bottom-up, each
node runs ``gov-catalog harvest`` (its own files, then the node below, which is already serving) and then
``gov-catalog serve``. Re-harvesting a serving node means stopping it first (:meth:`Federation.stop_node`).

:func:`start_federation` is what ``gov-catalog demo --federation`` runs; the tests use the same functions.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from catalog_service.resources import resource_dir

PYTHON_CLI = [sys.executable, "-m", "catalog_service.cli"]


@dataclass(frozen=True)
class NodeSpec:
    """One level of the federation: its key, its name, the example configuration and the node it harvests."""

    key: str
    name: str
    own_source: str
    lower: str | None
    """Key of the node below, harvested through a ``type = "node"`` source; ``None`` for the county."""
    node_source: str | None
    """Name of that ``node`` source in the node's configuration."""


CHAIN: tuple[NodeSpec, ...] = (
    NodeSpec("county", "玄武区", "xuanwu", None, None),
    NodeSpec("city", "南京市", "nanjing", "county", "node-xuanwu"),
    NodeSpec("province", "江苏省", "jiangsu", "city", "node-nanjing"),
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

    def harvest(self, key: str, names: list[str] | None = None) -> subprocess.CompletedProcess:
        """Run ``gov-catalog harvest`` for a node (which must not be serving); returns the finished process."""
        return self.harvest_many({key: names})[key]

    def harvest_many(self, jobs: dict[str, list[str] | None]) -> dict[str, subprocess.CompletedProcess]:
        """Harvest several nodes at once (each its own process and store): node key → source names (all if None)."""
        running = {}
        for key, names in jobs.items():
            node = self.nodes[key]
            if node.process is not None and node.process.poll() is None:
                raise FederationError(f"{key} is serving; stop it before harvesting (the store is single-process)")
            command = [*PYTHON_CLI, "harvest", "--config", str(node.config), "--data-dir", str(node.data_dir)]
            running[key] = subprocess.Popen(
                [*command, *(names or [])],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                env=_child_env(),
            )
        results = {}
        for key, process in running.items():
            try:
                stdout, stderr = process.communicate(timeout=self.harvest_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
            results[key] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        return results

    # -- serving ----------------------------------------------------------------------------------

    def start_node(self, key: str) -> Node:
        """Start ``gov-catalog serve`` for a node and wait until it answers."""
        node = self.nodes[key]
        node.log = self.base_dir / f"{key}.log"
        with node.log.open("ab") as log:
            node.process = subprocess.Popen(
                [
                    *PYTHON_CLI,
                    "serve",
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
        self.stop_node(key)
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
        """Stop every node, top-down."""
        for spec in reversed(CHAIN):
            if spec.key in self.nodes:
                self.stop_node(spec.key)


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

    The configurations are the examples' with local file paths made absolute and each ``node`` source's
    ``url`` pointed at the port of the node below (county on ``base_port``, city on the next, and so on,
    unless ``ports`` says otherwise).
    """
    base = Path(base_dir).resolve()
    base.mkdir(parents=True, exist_ok=True)
    ports = ports or {spec.key: base_port + n for n, spec in enumerate(CHAIN)}
    federation = Federation(base)
    for spec in CHAIN:
        example = node_configs_dir() / spec.key / "gov-catalog.toml"
        document = tomllib.loads(example.read_text(encoding="utf-8"))
        for source in document.get("sources", []):
            if source.get("type") == "node":
                source["url"] = f"http://127.0.0.1:{ports[spec.lower]}"
            elif "://" not in source["url"] and not Path(source["url"]).is_absolute():
                source["url"] = str((example.parent / source["url"]).resolve())
        config = base / f"{spec.key}.toml"
        config.write_text(_toml(document), encoding="utf-8")
        federation.nodes[spec.key] = Node(spec, ports[spec.key], config, base / spec.key)
    return federation


def _toml(document: dict) -> str:
    """The examples' configurations back as TOML: a ``[catalog]`` table and ``[[sources]]`` of scalars."""

    def value(v: object) -> str:
        return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else str(v).lower()

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
    echo=None,
) -> Federation:
    """Harvest and start the four nodes bottom-up; on any failure the nodes already started are stopped.

    Every node first harvests its own file at the same time as the others (their stores are separate); then,
    bottom-up, each harvests the node below (already serving) and starts serving itself.
    ``echo`` (for example ``print``) receives a line per step.
    """
    federation = prepare(base_dir, base_port, ports)

    def check(key: str, result: subprocess.CompletedProcess) -> None:
        if echo:
            name = federation.nodes[key].spec.name
            echo(f"[{key} {name}] harvest exit {result.returncode}\n{result.stdout.rstrip()}")
        if result.returncode != 0:
            raise FederationError(f"harvest of {key} failed ({result.returncode}):\n{result.stdout}{result.stderr}")

    try:
        for key, result in federation.harvest_many({s.key: [s.own_source] for s in CHAIN}).items():
            check(key, result)
        for spec in CHAIN:
            if spec.node_source:
                check(spec.key, federation.harvest(spec.key, [spec.node_source]))
            node = federation.start_node(spec.key)
            if echo:
                echo(f"[{spec.key} {spec.name}] serving {node.url}/")
    except BaseException:
        federation.stop()
        raise
    return federation


def run_demo(base_dir: str | Path, base_port: int = 8081) -> int:
    """``gov-catalog demo --federation``: start the four nodes, print their URLs, serve until Ctrl-C or SIGTERM."""
    federation = start_federation(base_dir, base_port, echo=lambda line: print(line, flush=True))

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        print("\n四级节点 / the four nodes (Ctrl-C stops them):")
        for spec in reversed(CHAIN):
            node = federation.nodes[spec.key]
            print(f"  {spec.name:<4} {spec.key:<9} {node.url}/  SPARQL: {node.url}/sparql  data: {node.data_dir}")
        sys.stdout.flush()
        while all(n.process is not None and n.process.poll() is None for n in federation.nodes.values()):
            time.sleep(1)
        print("a node exited; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        federation.stop()

"""The ``gov-catalog`` command line: init, load, validate, serve and demo.

Every command takes ``--data-dir`` (default ``./var``) and ``--config`` (default ``./gov-catalog.toml``).
``validate`` exits 0 when every file conforms, 1 when some record does not, 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from catalog_service.accounts import cli as accounts_cli
from catalog_service.config import Config, ConfigError
from catalog_service.rdfio import InputError
from catalog_service.store import CatalogStore, StoreError

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = Config.load(
            args.config,
            data_dir=args.data_dir,
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
        )
        return args.run(args, config)
    except (ConfigError, StoreError, ValueError) as error:
        print(f"错误 / error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=None, help="store folder (default ./var)")
    common.add_argument("--config", type=Path, default=None, help="configuration file (default ./gov-catalog.toml)")
    parser = argparse.ArgumentParser(
        prog="gov-catalog", description="政务信息资源目录 / government information resource catalog"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    init = commands.add_parser("init", parents=[common], help="create the store and load the vocabularies")
    init.set_defaults(run=_init)

    load = commands.add_parser("load", parents=[common], help="validate a catalog file and store its valid records")
    load.add_argument("file", type=Path)
    load.add_argument("--source", required=True, help="name of the source graph to replace")
    load.set_defaults(run=_load)

    validate = commands.add_parser("validate", parents=[common], help="check catalog files against the profile")
    validate.add_argument("files", type=Path, nargs="+")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the text report")
    validate.set_defaults(run=_validate)

    harvest = commands.add_parser("harvest", parents=[common], help="run configured sources once")
    harvest.add_argument("names", nargs="*", metavar="NAME", help="sources to run (default: all)")
    harvest.set_defaults(run=_harvest)

    scheduler = commands.add_parser("scheduler", parents=[common], help="run sources on their schedules until stopped")
    scheduler.add_argument("--workers", type=int, default=4, help="sources harvested at once (default 4)")
    scheduler.set_defaults(run=_scheduler)

    reindex = commands.add_parser("reindex", parents=[common], help="rebuild the search index from the store")
    reindex.set_defaults(run=_reindex)

    for name, run, text in (
        ("serve", _serve, "serve the web UI and SPARQL endpoint"),
        ("demo", _demo, "load the sample federation and serve it"),
    ):
        command = commands.add_parser(name, parents=[common], help=text)
        command.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
        command.add_argument("--port", type=int, default=None, help="port (default 8080)")
        command.set_defaults(run=run)
    commands.choices["serve"].add_argument(
        "--schedule", action="store_true", help="also harvest the sources on their schedules (docs/federation.md)"
    )
    commands.choices["demo"].add_argument("--no-serve", action="store_true", help="load only, do not serve")
    commands.choices["demo"].add_argument(
        "--federation", action="store_true", help="start four real nodes, county to national (docs/federation.md)"
    )
    commands.choices["demo"].add_argument(
        "--base-port", type=int, default=8081, help="with --federation: port of the county node, the others follow"
    )
    escalate = commands.add_parser("escalate", parents=[common], help="escalate overdue sharing requests (daily)")
    escalate.add_argument("--now", default=None, help="the present as ISO 8601 with a time zone (default: now)")
    escalate.set_defaults(run=_escalate)
    accounts_cli.add_commands(commands, common)
    return parser


def _open_store(config: Config) -> CatalogStore:
    store = CatalogStore.from_config(config)
    store.init_vocabulary()
    return store


def _init(args: argparse.Namespace, config: Config) -> int:
    _open_store(config).close()
    print(f"已初始化 / initialised: {config.data_dir.resolve()}")
    return EXIT_OK


def _load(args: argparse.Namespace, config: Config) -> int:
    from catalog_service.loading import load_file

    store = _open_store(config)
    try:
        result = load_file(store, args.file, args.source)
    except InputError as error:
        print(f"无法读取 / cannot read: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    finally:
        store.close()
    _print_row_errors(result.document.row_errors)
    invalid = result.report.invalid_records()
    print(
        f"{args.source}: 已入库 {len(result.stored_records)} 条，不合规 {len(invalid)} 条，行错误 "
        f"{len(result.document.row_errors)} 条 / stored {len(result.stored_records)} records, "
        f"{len(invalid)} invalid, {len(result.document.row_errors)} row errors (version {result.version.version})"
    )
    if invalid:
        print(result.report.to_text("zh"))
    return EXIT_OK


def _validate(args: argparse.Namespace, config: Config) -> int:
    from catalog_service.loading import check_document, read_catalog_file

    outcome, documents = EXIT_OK, []
    for path in args.files:
        try:
            document = read_catalog_file(path)
        except InputError as error:
            documents.append(
                {
                    "file": str(path),
                    "readable": False,
                    "error": str(error),
                    "line": error.line,
                    "column": error.column,
                }
            )
            if args.format == "text":
                print(f"无法读取 / cannot read: {error}", file=sys.stderr)
            outcome = EXIT_UNREADABLE
            continue
        report = check_document(document)
        conforms = report.conforms and not document.row_errors
        if not conforms and outcome == EXIT_OK:
            outcome = EXIT_INVALID
        documents.append(
            {
                "file": str(path),
                "readable": True,
                "conforms": conforms,
                "rowErrors": [vars(e) for e in document.row_errors],
                "report": report.to_dict(),
            }
        )
        if args.format == "text":
            verdict = "符合 / conforms" if conforms else "不符合 / does not conform"
            print(f"{path}: {verdict}")
            _print_row_errors(document.row_errors)
            if report.results:
                print(report.to_text(args.lang))
    if args.format == "json":
        print(json.dumps({"conforms": outcome == EXIT_OK, "files": documents}, ensure_ascii=False, indent=2))
    return outcome


def _print_row_errors(row_errors: list) -> None:
    for e in row_errors:
        print(f"  第 {e.row} 行 / row {e.row} [{e.column}] {e.value!r}: {e.message_zh} / {e.message_en}")


def _configured_sources(config: Config, names: list[str] | None = None) -> list:
    from catalog_service.harvest.sources import parse_sources

    sources = parse_sources(config.sources, base_dir=config.path.parent if config.path else None)
    unknown = set(names or []) - {s.name for s in sources}
    if unknown:
        raise ConfigError(f"未配置的数据源 / unknown source(s): {', '.join(sorted(unknown))}")
    return [s for s in sources if not names or s.name in names]


def _harvest(args: argparse.Namespace, config: Config) -> int:
    sources = _configured_sources(config, args.names)
    if not sources:
        print("没有配置数据源 / no sources configured ([[sources]] in gov-catalog.toml)", file=sys.stderr)
        return EXIT_UNREADABLE
    store = _open_store(config)
    try:
        runs = harvest_all(store, sources, interactive=sys.stderr.isatty(), index=_open_index(config, store))
    finally:
        store.close()
    return EXIT_OK if all(r.status == "succeeded" for r in runs) else EXIT_INVALID


def _open_index(config: Config, store: CatalogStore):
    from catalog_service.search import open_index

    return open_index(config.data_dir, store)


def harvest_all(store: CatalogStore, sources: list, *, interactive: bool = False, index=None) -> list:
    """Run sources one after another, printing one report per run (and a progress line on a terminal)."""
    from catalog_service.harvest.pipeline import harvest
    from catalog_service.harvest.runs import fail_interrupted_runs

    fail_interrupted_runs(store)
    runs = []
    for source in sources:
        progress = _progress_printer(source.name) if interactive else None
        run = harvest(store, source, progress=progress, index=index)
        if interactive:
            print(file=sys.stderr)
        print(_run_summary(run))
        runs.append(run)
    return runs


def _progress_printer(name: str):
    def show(count: int) -> None:
        if count % 50 == 0:
            print(f"\r{name}: {count} …", end="", file=sys.stderr, flush=True)

    return show


def _run_summary(run) -> str:
    c = run.counts
    lines = [
        f"{run.source}: {run.status}  新增 {c['added']} 更新 {c['updated']} 未变 {c['unchanged']} 删除 {c['removed']} "
        f"不合规 {c['invalid']} 失败 {c['failed']} 冲突 {c['conflicts']} / added {c['added']}, updated {c['updated']}, "
        f"unchanged {c['unchanged']}, removed {c['removed']}, invalid {c['invalid']}, failed {c['failed']}, "
        f"conflicts {c['conflicts']}  ({run.iri})"
    ]
    lines += [f"  错误 / error: {e}" for e in run.errors]
    for issue in run.issues[:20]:
        messages = "; ".join(f"{zh} / {en}" for zh, en in zip(issue.messages_zh, issue.messages_en, strict=False))
        lines.append(f"  [{issue.kind}] {issue.key}: {messages}")
    if len(run.issues) > 20:
        lines.append(f"  … {len(run.issues) - 20} more issues (SPARQL: ?run gc:recordIssue ?issue)")
    return "\n".join(lines)


def _scheduler(args: argparse.Namespace, config: Config) -> int:
    import signal

    from catalog_service.harvest.scheduler import Scheduler

    sources = _configured_sources(config)
    store = _open_store(config)
    scheduler = Scheduler(
        store,
        sources,
        workers=args.workers,
        index=_open_index(config, store),
        on_finish=lambda run: print(_run_summary(run), flush=True),
    )
    signal.signal(signal.SIGTERM, lambda *_: scheduler.stop())
    print(f"调度 {len(scheduler.sources)} 个数据源 / scheduling {len(scheduler.sources)} sources; Ctrl-C stops")
    try:
        scheduler.run_forever()
    except KeyboardInterrupt:
        scheduler.stop()
    finally:
        store.close()
    return EXIT_OK


def _reindex(args: argparse.Namespace, config: Config) -> int:
    from catalog_service.search import SearchIndex, index_path

    store = _open_store(config)
    try:
        index = SearchIndex.open(index_path(config.data_dir))
        count = index.rebuild(store)
        index.close()
    finally:
        store.close()
    print(f"已重建搜索索引：{count} 条 / search index rebuilt: {count} entries ({index_path(config.data_dir)})")
    return EXIT_OK


def _serve(args: argparse.Namespace, config: Config) -> int:
    import signal

    from werkzeug.serving import run_simple

    from catalog_service.app import create_app

    app = create_app(config)
    scheduler = _schedule_in_background(app, config) if getattr(args, "schedule", False) else None
    print(f"gov-catalog: http://{config.host}:{config.port}/  SPARQL: http://{config.host}:{config.port}/sparql")
    sys.stdout.flush()
    if scheduler is None:
        run_simple(config.host, config.port, app, threaded=True)
        return EXIT_OK

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt  # run_simple returns on it, and the harvests under way are aborted below

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGUSR1, lambda *_: scheduler.run_now())
    try:
        run_simple(config.host, config.port, app, threaded=True)
    finally:
        scheduler.stop()
    return EXIT_OK


def _schedule_in_background(app, config: Config):
    """Harvest the configured sources on their schedules in background threads of the serving process.

    This process holds the embedded store, so it is the one that writes; its web threads read the same store and
    the SPARQL workers reopen their read-only handles when it changes (docs/federation.md).
    """
    import threading

    from catalog_service.app import STORE_KEY
    from catalog_service.harvest.scheduler import Scheduler
    from catalog_service.harvest_web import attach_scheduler
    from catalog_service.search.api import INDEX_KEY

    scheduler = Scheduler(
        app.extensions[STORE_KEY],
        _configured_sources(config),
        index=app.extensions[INDEX_KEY],
        on_finish=lambda run: print(_run_summary(run), flush=True),
    )
    attach_scheduler(app, scheduler)
    threading.Thread(target=scheduler.run_forever, name="scheduler", daemon=True).start()
    print(
        f"调度 {len(scheduler.sources)} 个数据源，SIGUSR1 立即采集 / scheduling {len(scheduler.sources)} sources; "
        "SIGUSR1 harvests them now"
    )
    return scheduler


def _demo(args: argparse.Namespace, config: Config) -> int:
    from catalog_service.accounts import Accounts
    from catalog_service.accounts.demo import ensure_demo_accounts
    from catalog_service.demo import sample_sources

    if args.federation:
        from catalog_service.federation import run_demo

        data_dir = args.data_dir if args.data_dir is not None else Path("var/federation")
        return run_demo(data_dir, args.base_port)
    store = _open_store(config)
    try:
        harvest_all(store, sample_sources(), interactive=sys.stderr.isatty(), index=_open_index(config, store))
    finally:
        store.close()
    created = ensure_demo_accounts(Accounts.open(config.data_dir))
    if created:
        logins = ", ".join(user.login for user in created)
        print(f"演示账号（密码 demo）/ demo accounts (password demo): {logins} — docs/accounts.md")
    if args.no_serve:
        return EXIT_OK
    return _serve(args, config)


def _escalate(args: argparse.Namespace, config: Config) -> int:
    """Escalate every overdue sharing request not escalated yet, and list them."""
    from datetime import datetime

    from catalog_service.governance import RequestService

    now = datetime.fromisoformat(args.now) if args.now else None
    store = CatalogStore.from_config(config)
    try:
        escalated = RequestService(store).escalate_overdue(now)
    finally:
        store.close()
    for request in escalated:
        target = request.escalation.target.value if request.escalation else ""
        print(f"{request.id}\t{request.dataset}\t{request.deadline.isoformat()}\t{target}")
    print(f"已升级 {len(escalated)} 件逾期申请 / escalated {len(escalated)} overdue requests")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

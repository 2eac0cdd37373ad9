"""Harvests on demand: administrators start or stop one source's harvest on a node that schedules its own.

``POST /api/sources/<name>/harvest`` makes the source due at once (CKAN's "reharvest", piveau's immediate
trigger); ``POST /api/sources/<name>/abort`` stops its run under way, which keeps the previous version. Both
answer 202 and the run shows up in ``/api/sources``; they need a node started with ``serve --schedule`` (409
otherwise, since another process would be the store's writer), and every request is put in the audit trail.
The sources page offers the same as buttons. ``SIGUSR1`` still makes every scheduled source due.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, request

from catalog_service.accounts.access import current_user, require_role
from catalog_service.accounts.models import Role
from catalog_service.app import current_store
from catalog_service.governance.audit import record
from catalog_service.harvest.scheduler import Scheduler
from catalog_service.store import source_iri

blueprint = Blueprint("harvest_control", __name__)

SCHEDULER_KEY = "gov_catalog.scheduler"


def attach_scheduler(app: Flask, scheduler: Scheduler) -> None:
    """Let the app's administrators start and stop the harvests ``scheduler`` runs (``serve --schedule``)."""
    app.extensions[SCHEDULER_KEY] = scheduler


def scheduler_of(app: Flask) -> Scheduler | None:
    """The scheduler harvesting in this process, if any (the sources page shows its buttons then)."""
    return app.extensions.get(SCHEDULER_KEY)


@blueprint.route("/api/sources/<name>/harvest", methods=["POST"])
@require_role(Role.ADMIN)
def harvest_now(name: str) -> tuple[Response, int] | Response:
    """Harvest one scheduled source now (after its run under way, if one is)."""

    def start(scheduler: Scheduler) -> bool:
        scheduler.run_now([name])
        return True

    return _act(name, "harvest-now", start)


@blueprint.route("/api/sources/<name>/abort", methods=["POST"])
@require_role(Role.ADMIN)
def abort(name: str) -> tuple[Response, int] | Response:
    """Stop the source's run under way at its next record; the source keeps its previous version."""
    return _act(name, "abort-harvest", lambda scheduler: scheduler.abort(name))


def _act(name: str, action: str, act: Callable[[Scheduler], bool]) -> tuple[Response, int] | Response:
    """Check the request, ``act`` on the scheduler (``False``: nothing to act on), audit and answer."""
    scheduler = scheduler_of(current_app)
    if scheduler is None:
        return _error(
            409,
            "本节点未在服务进程中调度采集（请以 serve --schedule 启动）",
            "this node does not harvest while serving (start it with serve --schedule)",
        )
    if name not in scheduler.scheduled():
        return _error(404, f"没有按计划采集的数据源 {name}", f"no scheduled source named {name!r}")
    if not act(scheduler):
        return _error(409, f"数据源 {name} 当前没有进行中的采集", f"source {name!r} has no run under way")
    user = current_user()
    assert user is not None, "behind require_role"
    record(
        current_store(),
        actor=user.login,
        action=action,
        target=source_iri(name),
        before=None,
        after={"source": name},
        at=datetime.now(UTC),
    )
    if request.accept_mimetypes.best == "text/html" or request.form:
        return redirect(f"/sources#source-{name}", code=303)
    return jsonify(source=name, action=action, runs="/api/sources"), 202


def _error(status: int, zh: str, en: str) -> tuple[Response, int]:
    return jsonify(error=f"{zh} / {en}", message_zh=zh, message_en=en), status

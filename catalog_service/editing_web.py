"""Editing catalog entries over HTTP: the JSON API, the edit form, and the edit link and history of a page.

The rules (who may edit what, where an edit is written, what the audit trail keeps) are the edit service's,
:mod:`catalog_service.governance.editing`; this module maps requests onto it. docs/editing.md has the whole.

API (a bearer token, or a signed-in session sending its ``X-CSRF-Token``; errors are
``{"error": {"status", "zh", "en"}}``):

* ``PATCH /api/datasets/<code>``: the fields to change as a JSON merge patch (``application/merge-patch+json``
  or ``application/json``; fields in :mod:`catalog_service.governance.entry_fields`), with ``If-Match``: the
  ``ETag`` of ``GET /api/datasets/<code>`` (``*`` for whatever version is current). 200 answers the entry as
  ``GET`` does, with its new ``ETag`` and an ``edit`` member (changed fields, the shapes' warnings, the audit
  event). 401 no identity, 403 not this user's entry, 404 unknown, 400 unreadable JSON, 412 ``If-Match`` is
  not the current version, 415 another content type, 422 values that cannot be read or an entry the shapes
  reject (``error.violations``), 428 no ``If-Match``.
* ``GET /api/datasets/<code>/history``: the entry's edits, oldest first (government users).

Pages: ``GET /datasets/<code>/edit`` shows the form (no JavaScript) with the version it was opened at in a
hidden field; ``POST`` saves and goes back to the entry's page with a message, or shows the form again with
the shapes' messages next to their fields (422) or the news that the entry changed meanwhile (409). The entry's
page gets its edit link and history through the template helper ``editing_panel``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from catalog_service import api
from catalog_service import namespaces as ns
from catalog_service.accounts.access import AccessDenied, current_user, login_required
from catalog_service.accounts.models import User
from catalog_service.app import STORE_KEY
from catalog_service.export import CurrentView, dataset_iri, describe
from catalog_service.governance.audit import AuditEvent
from catalog_service.governance.editing import (
    EditConflict,
    EditResult,
    EditService,
    StoredEntry,
    edit_history,
    edit_refusal,
    may_edit,
    version_of,
)
from catalog_service.governance.entry_fields import (
    DATA_ELEMENTS,
    EDITABLE,
    ELEMENT_NAME,
    ELEMENT_TYPE,
    FIELDS,
    METHOD_PARTS,
    SHARING_METHOD,
    InvalidEdit,
    snapshot,
)
from catalog_service.governance.requests import GovernanceError
from catalog_service.i18n import in_language, translate
from catalog_service.search import current_index
from catalog_service.validation import ValidationResult
from catalog_service.vocabulary import CodeLists

blueprint = Blueprint("editing", __name__)

PATCH_TYPES = ("application/merge-patch+json", "application/json")
BLANK_ROWS = 3
"""Empty data-element rows the form offers for new elements (more after saving)."""
MAX_ROWS = 2000
"""Data-element rows read from a form at most."""

LINE_FIELDS = ("keywords", "sharing-condition", "non-sharing-basis", "open-condition", "use-requirement")
"""Text fields the form edits one value per line (in Chinese; values in other languages are kept)."""
LANGUAGE_FIELDS = ("title", "description")
"""Text fields the form edits per language, Chinese and English."""
SINGLE_CODES = ("sharing-type", "openness", "update-cycle")
MULTIPLE_CODES = ("format", "provision-method", "use-purpose")

_FIELD_OF_PATH = (
    {f.predicate.value: key for key, f in FIELDS.items()}
    | {part.predicate.value: SHARING_METHOD for part in METHOD_PARTS.values()}
    | {ns.GC + "dataElement": DATA_ELEMENTS}
)


# -- shared by API and pages ----------------------------------------------------------------------


def _service() -> EditService:
    """The edit service on the whole store (an edit writes wherever the entry lives), with the search index."""
    return EditService(current_app.extensions[STORE_KEY], current_index())


def _user() -> User:
    user = current_user()
    if user is None:  # only behind login_required; kept as a guard
        raise AccessDenied(401, "请先登录", "please sign in")
    return user


def _editable(identifier: str) -> StoredEntry:
    """The entry, if the signed-in user may edit it (:class:`NotFound`, :class:`Forbidden` otherwise)."""
    entry = _service().entry(identifier)
    refusal = edit_refusal(_user(), entry)
    if refusal is not None:
        raise refusal
    return entry


def field_of(result: ValidationResult, iri: str) -> str | None:
    """The editable field a SHACL result is about, if any: by its path on the entry, or a data element's."""
    focus = result.focus_node.value
    if focus == iri:
        return _FIELD_OF_PATH.get(result.result_path or "")
    return DATA_ELEMENTS if focus.startswith(iri + "/element/") else None


def violation_json(result: ValidationResult, iri: str) -> dict[str, Any]:
    return {**result.to_dict(), "field": field_of(result, iri)}


# -- JSON API -------------------------------------------------------------------------------------


def _error(status: int, zh: str, en: str, **extra: Any) -> tuple[Response, int]:
    return jsonify(error={"status": status, "zh": zh, "en": en, **extra}), status


def _governance_error(error: GovernanceError, iri: str) -> tuple[Response, int]:
    if isinstance(error, EditConflict):  # for the API the version came in If-Match
        return _error(412, error.message_zh, error.message_en)
    extra = {}
    if isinstance(error, InvalidEdit) and error.violations:
        extra["violations"] = [violation_json(v, iri) for v in error.violations]
    return _error(error.status, error.message_zh, error.message_en, **extra)


@blueprint.route("/api/datasets/<path:identifier>", methods=["PATCH"])
@login_required
def api_edit(identifier: str) -> tuple[Response, int] | Response:
    """Edit an entry: the fields to change as a JSON merge patch, ``If-Match`` the ETag it was read with."""
    iri = ns.resource(identifier)
    try:
        entry = _editable(identifier)
    except GovernanceError as error:
        return _governance_error(error, iri)
    if request.mimetype not in PATCH_TYPES:
        return _error(
            415,
            "请求体须为 application/merge-patch+json 或 application/json",
            "send the changes as application/merge-patch+json or application/json",
        )
    if not request.headers.get("If-Match"):
        return _error(
            428,
            "须在 If-Match 中给出所编辑版本的 ETag（或 *）",
            "send If-Match with the ETag of the version you edited (or *)",
        )
    changes = request.get_json(silent=True)
    if changes is None:
        return _error(400, "请求体不是有效的 JSON", "the body is not valid JSON")
    if not request.if_match.star_tag and not request.if_match.contains(entry.version):
        return _error(
            412,
            "该条目已有新版本，请重新获取（GET）后再编辑",
            "the entry has a newer version: GET it again and edit that",
        )
    try:
        result = _service().edit(_user(), identifier, changes, version=entry.version)
    except GovernanceError as error:
        return _governance_error(error, iri)
    store, node = current_app.extensions[STORE_KEY], dataset_iri(identifier)
    triples = describe(CurrentView(store), [node])
    out = api.dataset_json(store, node, triples)
    out["edit"] = _result_json(result)
    response = jsonify(out)
    response.set_etag(version_of(triples))
    return response


def _result_json(result: EditResult) -> dict[str, Any]:
    return {
        "changed": result.changed,
        "warnings": [violation_json(w, result.iri) for w in result.warnings],
        "event": result.event.iri if result.event else None,
        "at": result.event.at.isoformat() if result.event else None,
    }


@blueprint.get("/api/datasets/<path:identifier>/history")
@login_required
def api_history(identifier: str) -> tuple[Response, int] | Response:
    """The edits of an entry, oldest first: who, when, the changed fields before and after (government users)."""
    try:
        entry = _service().entry(identifier)
    except GovernanceError as error:
        return _governance_error(error, ns.resource(identifier))
    events = edit_history(current_app.extensions[STORE_KEY], entry.iri)
    return jsonify(id=entry.iri, identifier=identifier, edits=[_event_json(e) for e in events])


def _event_json(event: AuditEvent) -> dict[str, Any]:
    before, after = event.before or {}, event.after or {}
    fields = [key for key in EDITABLE if key in before or key in after]
    return {
        "id": event.iri,
        "at": event.at.isoformat(),
        "user": event.actor,
        "changed": fields,
        "before": {key: before.get(key) for key in fields},
        "after": {key: after.get(key) for key in fields},
        "version": {"before": before.get("version"), "after": after.get("version")},
        "triples": {"before": before.get("triples"), "after": after.get("triples")},
    }


# -- the form -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One value of a code list as the form offers it."""

    value: str
    label: str


def form_values(entry: StoredEntry) -> dict[str, Any]:
    """The form's fields filled in from the stored entry."""
    snap, codes = snapshot(entry.iri, entry.body), CodeLists.default()

    def texts(key: str, lang: str = "zh") -> list[str]:
        return [v["value"] for v in snap[key] if v.get("lang", "zh") == lang]

    def notations(values: list[dict[str, str]], scheme: str | None = None) -> list[str]:
        chosen = [v["id"] for v in values if scheme is None or v["id"] in codes.members(scheme)]
        return [codes.notation(iri) or iri for iri in chosen]

    values: dict[str, Any] = {"version": entry.version}
    for key in LANGUAGE_FIELDS:
        for lang in ("zh", "en"):
            values[f"{key}.{lang}"] = "\n".join(texts(key, lang))
    for key in LINE_FIELDS:
        values[key] = "\n".join(texts(key))
    values["related-resources"] = "\n".join(v["id"].removeprefix(ns.RESOURCE) for v in snap["related-resources"])
    for key in SINGLE_CODES:
        values[key] = next(iter(notations(snap[key])), "")
    for key in MULTIPLE_CODES:
        values[key] = notations(snap[key])
    for name, part in METHOD_PARTS.items():
        values[f"{SHARING_METHOD}.{name}"] = next(iter(notations(snap[SHARING_METHOD], part.scheme)), "")
    values["rows"] = [
        (
            next((v["value"] for v in row[ELEMENT_NAME] if v.get("lang", "zh") == "zh"), "")
            or next((v["value"] for v in row[ELEMENT_NAME]), ""),
            next(iter(notations(row[ELEMENT_TYPE])), ""),
        )
        for row in snap[DATA_ELEMENTS]
    ]
    return values


def submitted_values(form: MultiDict) -> dict[str, Any]:
    """The form's fields as the browser sent them (to show them again when the edit is refused)."""
    values: dict[str, Any] = {key: form.get(key, "") for key in _single_keys()}
    values.update({key: form.getlist(key) for key in MULTIPLE_CODES})
    try:
        count = min(int(form.get("rows", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    values["rows"] = [(form.get(f"element-{n}-name", ""), form.get(f"element-{n}-type", "")) for n in range(count)]
    return values


def _single_keys() -> list[str]:
    keys = ["version", "related-resources", *LINE_FIELDS, *SINGLE_CODES]
    keys += [f"{key}.{lang}" for key in LANGUAGE_FIELDS for lang in ("zh", "en")]
    return keys + [f"{SHARING_METHOD}.{name}" for name in METHOD_PARTS]


def form_changes(values: Mapping[str, Any]) -> dict[str, Any]:
    """The edit a submitted form asks for, in the API's terms: every field, as the form shows it.

    Blank lines and fully blank data-element rows are left out; an empty choice removes the value.
    """

    def lines(key: str) -> list[str]:
        return [line.strip() for line in values.get(key, "").splitlines() if line.strip()]

    changes: dict[str, Any] = {
        key: {lang: values.get(f"{key}.{lang}", "").strip() or None for lang in ("zh", "en")} for key in LANGUAGE_FIELDS
    }
    changes.update({key: {"zh": lines(key) or None} for key in LINE_FIELDS})
    changes.update({key: values.get(key) or None for key in SINGLE_CODES})
    changes.update({key: list(values.get(key, [])) for key in MULTIPLE_CODES})
    changes[SHARING_METHOD] = {name: values.get(f"{SHARING_METHOD}.{name}") or None for name in METHOD_PARTS}
    changes["related-resources"] = lines("related-resources")
    changes[DATA_ELEMENTS] = [
        {ELEMENT_NAME: {"zh": name.strip() or None}, ELEMENT_TYPE: kind or None}
        for name, kind in values.get("rows", [])
        if name.strip() or kind
    ]
    return changes


def field_labels(lang: str) -> dict[str, str]:
    """Each editable field's label in ``lang``: the profile's element labels."""
    labels = {element.key: in_language(element.label, lang) for element in api.profile_elements()}
    labels["keywords"] = translate("dataset.keywords", lang)
    labels[DATA_ELEMENTS] = labels["data-element"]
    return labels


def _choices(lang: str) -> dict[str, list[Choice]]:
    codes = CodeLists.default()
    schemes = {key: FIELDS[key].scheme for key in SINGLE_CODES + MULTIPLE_CODES}
    schemes |= {f"{SHARING_METHOD}.{name}": part.scheme for name, part in METHOD_PARTS.items()}
    schemes["data-type"] = "data-type"
    return {
        key: [
            Choice(codes.notation(iri) or iri, codes.label(iri, lang) or codes.label(iri) or iri)
            for iri in codes.members(scheme or "")
        ]
        for key, scheme in schemes.items()
    }


def _form_page(
    identifier: str,
    entry: StoredEntry,
    values: Mapping[str, Any],
    status: int = 200,
    *,
    message: str | None = None,
    violations: Sequence[ValidationResult] = (),
) -> tuple[str, int]:
    from catalog_service.web import page_language, render

    lang = page_language()
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for result in violations:
        key = field_of(result, entry.iri)
        (by_field.setdefault(key, []) if key else general).append(result.message(lang))
    title = next((v["value"] for v in snapshot(entry.iri, entry.body)["title"] if v.get("lang") == lang), None)
    rows = list(values.get("rows", [])) + [("", "")] * BLANK_ROWS
    return render(
        "web/edit.html",
        status,
        identifier=identifier,
        heading=title or values.get("title.zh") or entry.iri,
        values=values,
        rows=rows,
        labels=field_labels(lang),
        choices=_choices(lang),
        errors=by_field,
        general=general,
        message=message,
        status_conflict=status == 409,
        method_parts=list(METHOD_PARTS),
    )


def _error_page(error: GovernanceError) -> tuple[str, int]:
    """A refusal (403) explained as every page explains one, with the form to sign in as someone else; an
    unknown entry (404) as the other pages answer it."""
    from catalog_service.web import error_page

    if error.status == 403:
        raise AccessDenied(403, error.message_zh, error.message_en)
    return error_page(error.status, error.message_zh, error.message_en)


@blueprint.get("/datasets/<path:identifier>/edit")
@login_required
def edit_page(identifier: str) -> tuple[str, int]:
    """The edit form of an entry, for the users who may edit it."""
    try:
        entry = _editable(identifier)
    except GovernanceError as error:
        return _error_page(error)
    return _form_page(identifier, entry, form_values(entry))


@blueprint.post("/datasets/<path:identifier>/edit")
@login_required
def edit_submit(identifier: str) -> Response | tuple[str, int]:
    from catalog_service.web import page_language

    try:
        entry = _editable(identifier)
    except GovernanceError as error:
        return _error_page(error)
    values = submitted_values(request.form)
    english = page_language() == "en"
    try:
        result = _service().edit(_user(), identifier, form_changes(values), version=values["version"] or None)
    except (InvalidEdit, EditConflict) as error:
        message = error.message_en if english else error.message_zh
        violations = error.violations if isinstance(error, InvalidEdit) else ()
        return _form_page(identifier, entry, values, error.status, message=message, violations=violations)
    except GovernanceError as error:
        return _error_page(error)
    flash("edit.saved" if result.changed else "edit.unchanged", "edit")  # shown once by web/edit_panel.html
    return redirect(url_for("web.dataset", identifier=identifier), 303)


# -- the entry's page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryChange:
    """One field of an edit, as the history shows it."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryItem:
    """One edit of an entry, as the history shows it."""

    at: str
    user: str
    changes: list[HistoryChange]


@dataclass(frozen=True)
class EditingPanel:
    """What an entry's page shows a signed-in user of editing: the edit link (if they may), the history."""

    edit_url: str | None
    history: list[HistoryItem]


@blueprint.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"editing_panel": editing_panel}


def editing_panel(entry: Mapping[str, Any]) -> EditingPanel | None:
    """For an entry's page (``entry`` as the API gives it): ``None`` for the public, else the panel."""
    from catalog_service.web import page_language

    user = current_user()
    if user is None:
        return None
    try:
        stored = _service().entry(entry["identifier"])
    except GovernanceError:
        return None
    lang, labels = page_language(), field_labels(page_language())
    history = [
        HistoryItem(
            event.at.isoformat(),
            event.actor,
            [
                HistoryChange(
                    labels.get(key, key),
                    _shown(key, (event.before or {}).get(key), lang),
                    _shown(key, (event.after or {}).get(key), lang),
                )
                for key in _event_json(event)["changed"]
            ],
        )
        for event in reversed(edit_history(current_app.extensions[STORE_KEY], stored.iri))
    ]
    edit_url = url_for("editing.edit_page", identifier=entry["identifier"]) if may_edit(user, stored) else None
    return EditingPanel(edit_url, history)


def _shown(key: str, values: Any, lang: str) -> str:
    """A field's values from the audit trail as one line of text: labels for codes, codes for resources."""
    separator = "；" if lang == "zh" else "; "
    if not values:
        return "—"
    if key == DATA_ELEMENTS:
        return separator.join(
            f"{_shown(ELEMENT_NAME, row.get(ELEMENT_NAME), lang)} ({_shown(ELEMENT_TYPE, row.get(ELEMENT_TYPE), lang)})"
            for row in values
        )
    codes = CodeLists.default()
    shown = []
    for value in values:
        if "id" in value:
            iri = value["id"]
            shown.append(codes.label(iri, lang) or codes.label(iri) or iri.removeprefix(ns.RESOURCE))
        else:
            lang_tag = value.get("lang")
            shown.append(value["value"] + (f" [{lang_tag}]" if lang_tag and lang_tag != "zh" else ""))
    return separator.join(shown)

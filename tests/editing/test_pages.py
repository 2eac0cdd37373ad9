"""The edit form and the entry page's edit link and history, through a signed-in browser session."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.editing.conftest import (
    POLICE_HIDDEN,
    POLICE_PUBLIC,
    Node,
    audit_events,
    catalog_state,
    edits_of,
    element,
    form_csrf,
    sign_in,
)

EDIT = f"/datasets/{POLICE_HIDDEN}/edit"
FIELD = re.compile(r'<(input|textarea|select)[^>]*\bname="([^"]+)"[^>]*>', re.S)


def form_fields(page: str) -> dict[str, object]:
    """What a browser would send for the form as shown: inputs, textareas, selected options, checked boxes."""
    fields: dict[str, object] = {}
    for match in re.finditer(r'<input[^>]*\bname="([^"]+)"[^>]*>', page):
        tag, name = match.group(0), match.group(1)
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                fields.setdefault(name, []).append(value.group(1))
        else:
            fields[name] = value.group(1) if value else ""
    for match in re.finditer(r'<textarea[^>]*\bname="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields[match.group(1)] = match.group(2)
    for match in re.finditer(r'<select[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', match.group(2))
        fields[match.group(1)] = chosen.group(1) if chosen else ""
    return fields


def test_manager_edits_through_the_form(node: Node, client: FlaskClient) -> None:
    sign_in(client, "nanjing-police")
    page = client.get(f"/datasets/{POLICE_HIDDEN}").get_data(as_text=True)
    assert f'href="{EDIT}"' in page and "编辑记录" in page and "本节点尚未编辑过该条目" in page

    form = client.get(EDIT)
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    assert "编辑信息资源" in text and "需签订数据共享安全保密协议" in text and 'name="version"' in text
    fields = form_fields(text)
    assert fields["title.zh"] == "南京市出入境证件签发信息" and fields["sharing-type"] == "2"
    assert fields["openness"] == "3" and set(fields["format"]) == {"3", "7"}
    assert fields["element-0-name"] == "姓名" and fields["element-0-type"] == "C"

    fields |= {"title.en": "Exit-entry documents issued in Nanjing", "keywords": "出入境\n护照\n港澳通行证"}
    fields |= {"element-7-name": "签发地点", "element-7-type": "C"}  # the first empty row
    saved = client.post(EDIT, data=fields)
    assert saved.status_code == 303 and saved.location.endswith(f"/datasets/{POLICE_HIDDEN}")

    page = client.get(f"/datasets/{POLICE_HIDDEN}").get_data(as_text=True)
    assert 'id="edit-saved"' in page and "已保存修改" in page
    assert "Exit-entry documents issued in Nanjing" in page and "签发地点" in page
    history = page[page.index('id="edit-history"') :]
    assert "nanjing-police" in history and "关键词" in history and "港澳通行证" in history
    assert "出入境；护照" in history  # the keywords before
    assert "已保存修改" not in client.get(f"/datasets/{POLICE_HIDDEN}").get_data(as_text=True)  # shown once

    (event,) = edits_of(node.store, POLICE_HIDDEN)
    assert set(event.after) - {"version", "triples"} == {"title", "keywords", "dataElements"}
    entry = client.get(f"/api/datasets/{POLICE_HIDDEN}").get_json()
    assert len(entry["dataElements"]["rows"]) == 8
    assert [v["value"] for v in element(entry, "sharing-condition")] == ["需签订数据共享安全保密协议，不得向第三方提供"]

    english = client.get(f"{EDIT}?lang=en").get_data(as_text=True)
    assert "Edit resource" in english and ">sharing type</label>" in english and "Save" in english


def test_unchanged_form_saves_nothing(node: Node, client: FlaskClient) -> None:
    sign_in(client, "nanjing-police")
    before = catalog_state(node.store)
    saved = client.post(EDIT, data=form_fields(client.get(EDIT).get_data(as_text=True)))
    assert saved.status_code == 303
    assert "没有修改任何内容" in client.get(saved.location).get_data(as_text=True)
    assert catalog_state(node.store) == before


def test_violations_shown_next_to_their_fields(node: Node, client: FlaskClient) -> None:
    sign_in(client, "nanjing-police")
    fields = form_fields(client.get(EDIT).get_data(as_text=True))
    before = catalog_state(node.store)
    refused = client.post(EDIT, data=fields | {"sharing-condition": "", "title.zh": "新名称"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'role="alert"' in page and "未能保存" in page
    error = re.search(r'<p class="error" id="error-sharing-condition-1">([^<]+)</p>', page)
    assert error and "共享条件" in error.group(1)
    assert 'aria-invalid="true" aria-describedby="error-sharing-condition-1' in page
    assert 'value="新名称"' in page  # what was typed is kept
    assert catalog_state(node.store) == before and audit_events(node.store) == 0

    english = client.post(f"{EDIT}?lang=en", data=fields | {"sharing-condition": ""})
    assert english.status_code == 422 and "sharing conditions" in english.get_data(as_text=True)


def test_stale_form_is_refused(node: Node, client: FlaskClient) -> None:
    sign_in(client, "nanjing-police")
    fields = form_fields(client.get(EDIT).get_data(as_text=True))
    assert client.post(EDIT, data=fields | {"title.en": "First"}).status_code == 303
    before = catalog_state(node.store)
    stale = client.post(EDIT, data=fields | {"title.en": "Second"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "已被修改" in page and f'href="{EDIT}"' in page
    assert catalog_state(node.store) == before


def test_form_without_csrf_changes_nothing(node: Node, client: FlaskClient) -> None:
    sign_in(client, "nanjing-police")
    fields = form_fields(client.get(EDIT).get_data(as_text=True)) | {"title.zh": "不该保存"}
    before = catalog_state(node.store)
    assert client.post(EDIT, data={k: v for k, v in fields.items() if k != "csrf_token"}).status_code == 400
    assert client.post(EDIT, data=fields | {"csrf_token": "forged"}).status_code == 403
    assert catalog_state(node.store) == before


def test_who_sees_the_link_and_the_form(node: Node, client: FlaskClient) -> None:
    anonymous = node.app.test_client()
    page = anonymous.get(f"/datasets/{POLICE_PUBLIC}").get_data(as_text=True)
    assert "/edit" not in page and 'id="edit-history"' not in page
    assert anonymous.get(f"/datasets/{POLICE_PUBLIC}/edit").location.startswith("/login")
    assert anonymous.post(f"/datasets/{POLICE_PUBLIC}/edit", data={"title.zh": "x"}).status_code in (302, 401)

    sign_in(client, "xuanwu-requester")
    page = client.get(f"/datasets/{POLICE_PUBLIC}").get_data(as_text=True)
    assert f"/datasets/{POLICE_PUBLIC}/edit" not in page and 'id="edit-history"' in page
    refused = client.get(f"/datasets/{POLICE_PUBLIC}/edit")
    assert refused.status_code == 403 and "目录管理员和管理员" in refused.get_data(as_text=True)

    other = node.app.test_client()
    sign_in(other, "jiangsu-police")
    assert f"/datasets/{POLICE_PUBLIC}/edit" not in other.get(f"/datasets/{POLICE_PUBLIC}").get_data(as_text=True)
    assert other.get(f"/datasets/{POLICE_PUBLIC}/edit").status_code == 403
    csrf = form_csrf(other, "/login")
    assert other.post(f"/datasets/{POLICE_PUBLIC}/edit", data={"csrf_token": csrf, "title.zh": "x"}).status_code == 403
    assert client.get("/datasets/1010001/999999/edit").status_code == 404

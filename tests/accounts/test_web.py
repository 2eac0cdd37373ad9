"""Sign-in, sessions, CSRF, bearer tokens and the 401/403 semantics, through the Flask test client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient

from catalog_service.accounts import Accounts
from catalog_service.accounts.access import csrf_exempt, current_user, require_role
from catalog_service.accounts.web import SESSION_COOKIE
from catalog_service.app import STORE_KEY, create_app
from catalog_service.config import Config, ConfigError
from catalog_service.governance.audit import events
from catalog_service.search.api import INDEX_KEY
from catalog_service.store import CatalogStore
from tests.accounts.conftest import form_csrf, sign_in


def signed_in_login(client: FlaskClient) -> str | None:
    response = client.get("/api/tokens")
    return response.get_json()["user"]["login"] if response.status_code == 200 else None


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- sign-in page -----------------------------------------------------------------------------------


def test_login_page_in_chinese_and_english(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "登录名" in page and 'name="csrf_token"' in page
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Login name" in english and "Sign in" in english


def test_sign_in_and_out(client: FlaskClient) -> None:
    csrf = form_csrf(client)
    response = client.post(
        "/login", data={"login": "nanjing-police", "password": "demo", "csrf_token": csrf, "next": "/search?q=人口"}
    )
    assert response.status_code == 302 and response.location == "/search?q=%E4%BA%BA%E5%8F%A3"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert signed_in_login(client) == "nanjing-police"
    page = client.get("/login").get_data(as_text=True)
    assert "南京市公安局" in page and "退出登录" in page
    with client.session_transaction() as session:
        assert session["csrf"] != csrf  # a new token after signing in
        token = session["csrf"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert signed_in_login(client) is None


def test_wrong_password_or_unknown_user(client: FlaskClient) -> None:
    for login, password in (("nanjing-police", "wrong"), ("nobody", "demo"), ("", "")):
        response = client.post("/login", data={"login": login, "password": password, "csrf_token": form_csrf(client)})
        assert response.status_code == 401
        assert "登录名或密码错误" in response.get_data(as_text=True)
        assert signed_in_login(client) is None


def test_disabled_user_cannot_sign_in(client: FlaskClient, app_accounts: Accounts) -> None:
    app_accounts.set_disabled("nanjing-police", True)
    response = client.post(
        "/login", data={"login": "nanjing-police", "password": "demo", "csrf_token": form_csrf(client)}
    )
    assert response.status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "relative"])
def test_next_never_leaves_the_site(client: FlaskClient, target: str) -> None:
    data = {"login": "nanjing-police", "password": "demo", "csrf_token": form_csrf(client), "next": target}
    assert client.post("/login", data=data).location == "/"


# -- CSRF -------------------------------------------------------------------------------------------


def test_sign_in_needs_csrf_token(client: FlaskClient) -> None:
    client.get("/login")
    missing = client.post("/login", data={"login": "nanjing-police", "password": "demo"})
    assert missing.status_code == 400
    wrong = client.post("/login", data={"login": "nanjing-police", "password": "demo", "csrf_token": "guess"})
    assert wrong.status_code == 403
    assert signed_in_login(client) is None


@pytest.mark.parametrize(("sent", "status"), [(None, 400), ("wrong", 403)])
def test_session_post_without_valid_csrf_changes_nothing(
    client: FlaskClient, app_accounts: Accounts, sent: str | None, status: int
) -> None:
    sign_in(client, "nanjing-police")
    data = {"days": "30"} if sent is None else {"days": "30", "csrf_token": sent}
    response = client.post("/api/tokens", data=data)
    assert response.status_code == status
    assert response.get_json()["error"]["status"] == status
    assert app_accounts.list_tokens() == []
    headers = {} if sent is None else {"X-CSRF-Token": sent}
    assert client.post("/api/tokens", json={"days": 30}, headers=headers).status_code == status
    assert app_accounts.list_tokens() == []
    assert client.post("/logout", data=data).status_code == status
    assert signed_in_login(client) == "nanjing-police"


def test_session_post_with_csrf_token(client: FlaskClient, app_accounts: Accounts) -> None:
    csrf = sign_in(client, "nanjing-police")
    assert client.post("/api/tokens", data={"days": "30", "csrf_token": csrf}).status_code == 201
    assert client.post("/api/tokens", json={"days": 30}, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert len(app_accounts.list_tokens("nanjing-police")) == 2


# -- forged, stale and ended sessions -----------------------------------------------------------------


def forged_cookie(payload: dict[str, str], key: str) -> str:
    other = Flask("forger")
    other.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(other).dumps(payload)


def test_session_signed_with_another_key_is_anonymous(client: FlaskClient, app_accounts: Accounts) -> None:
    stamp = app_accounts.session_stamp("jiangsu-admin")  # even knowing the stamp does not help
    payload = {"login": "jiangsu-admin", "stamp": stamp, "csrf": "x"}
    client.set_cookie(SESSION_COOKIE, forged_cookie(payload, "not the node's key " * 3))
    assert client.get("/api/tokens").status_code == 401
    assert client.post("/api/tokens", data={"csrf_token": "x"}).status_code == 401
    assert app_accounts.list_tokens() == []


def test_tampered_session_is_anonymous(client: FlaskClient, app_accounts: Accounts) -> None:
    sign_in(client, "xuanwu-requester")
    signed = client.get_cookie(SESSION_COOKIE).value.rsplit(".", 2)[1:]  # payload.timestamp.signature
    other = forged_cookie({"login": "jiangsu-admin", "stamp": app_accounts.session_stamp("jiangsu-admin")}, "k" * 40)
    client.set_cookie(SESSION_COOKIE, ".".join([other.rsplit(".", 2)[0], *signed]))  # another payload, our signature
    assert signed_in_login(client) is None


@pytest.mark.parametrize("change", ["disable", "delete", "password"])
def test_session_ends_when_account_changes(client: FlaskClient, app_accounts: Accounts, change: str) -> None:
    sign_in(client, "nanjing-police")
    assert signed_in_login(client) == "nanjing-police"
    if change == "disable":
        app_accounts.set_disabled("nanjing-police", True)
    elif change == "delete":
        app_accounts.delete_user("nanjing-police")
    else:
        app_accounts.set_password("nanjing-police", "a new password")
    response = client.get("/api/tokens")
    assert response.status_code == 401
    with client.session_transaction() as session:
        assert "login" not in session


def test_expired_session_is_anonymous(client: FlaskClient, app: Flask) -> None:
    sign_in(client, "nanjing-police")
    app.permanent_session_lifetime = timedelta(seconds=-1)
    assert signed_in_login(client) is None


# -- API tokens -------------------------------------------------------------------------------------


def test_token_api_with_session_then_bearer(client: FlaskClient, app_accounts: Accounts) -> None:
    csrf = sign_in(client, "nanjing-police")
    created = client.post("/api/tokens", json={"role": "requester", "days": 7}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    body = created.get_json()
    token, info = body["token"], body["info"]
    assert info["role"] == "requester" and info["status"] == "active" and token.startswith(info["prefix"])

    machine = FlaskClient(client.application)  # no cookies: a program with only the token
    listed = machine.get("/api/tokens", headers=bearer(token))
    assert listed.status_code == 200
    assert listed.get_json()["user"]["role"] == "requester"  # the token's role, not the owner's
    assert [t["id"] for t in listed.get_json()["tokens"]] == [info["id"]]
    assert token not in listed.get_data(as_text=True)

    refused = machine.post("/api/tokens", json={"days": 7}, headers=bearer(token))
    assert refused.status_code == 403 and "cannot create tokens" in refused.get_json()["error"]["en"]
    assert len(app_accounts.list_tokens()) == 1

    revoked = machine.delete(f"/api/tokens/{info['id']}", headers=bearer(token))  # no CSRF token needed
    assert revoked.status_code == 200 and revoked.get_json()["token"]["status"] == "revoked"
    after = machine.get("/api/tokens", headers=bearer(token))
    assert after.status_code == 401
    assert 'error="invalid_token"' in after.headers["WWW-Authenticate"]
    assert "revoked" in after.get_json()["error"]["en"]

    trail = [(e.actor, e.action, e.target.rsplit("/", 1)[-1]) for e in events(client.application.extensions[STORE_KEY])]
    assert trail == [("nanjing-police", action, str(info["id"])) for action in ("create-token", "revoke-token")]
    assert token not in str([e.after for e in events(client.application.extensions[STORE_KEY])])


def test_inactive_bearer_tokens_are_401_everywhere(client: FlaskClient, app_accounts: Accounts) -> None:
    expired, _ = app_accounts.create_token(
        "nanjing-police", expires_in_days=1, now=datetime.now(UTC) - timedelta(days=2)
    )
    for token in (expired, "gct_madeupmadeupmadeup", ""):
        for path in ("/api/tokens", "/login", "/api/datasets"):
            response = client.get(path, headers=bearer(token))
            assert response.status_code == 401, path
            assert response.get_json()["error"]["zh"]


def test_bearer_ignores_session_cookie(client: FlaskClient, app_accounts: Accounts) -> None:
    sign_in(client, "jiangsu-admin")
    token, _ = app_accounts.create_token("xuanwu-requester")
    assert client.get("/api/tokens", headers=bearer(token)).get_json()["user"]["login"] == "xuanwu-requester"


def test_token_api_refusals(client: FlaskClient, app_accounts: Accounts) -> None:
    assert client.get("/api/tokens").status_code == 401
    csrf = sign_in(client, "nanjing-police")
    headers = {"X-CSRF-Token": csrf}
    above = client.post("/api/tokens", json={"role": "admin"}, headers=headers)
    assert above.status_code == 403 and above.get_json()["error"]["zh"]
    for body in ({"role": "root"}, {"days": "many"}, {"days": 0}, ["not", "an", "object"]):
        assert client.post("/api/tokens", json=body, headers=headers).status_code == 422
    assert app_accounts.list_tokens() == []
    other, info = app_accounts.create_token("jiangsu-admin")
    assert client.delete(f"/api/tokens/{info.id}", headers=headers).status_code == 404
    assert app_accounts.user_for_token(other) is not None


# -- 401 and 403 ------------------------------------------------------------------------------------


@pytest.fixture
def guarded(app: Flask) -> Flask:
    """Views of a pretend feature: one for administrators, one page for managers, one read-only POST."""

    @require_role("admin")
    def admin_only() -> dict[str, str]:
        return {"login": current_user().login}

    @require_role("manager")
    def manager_page() -> str:
        return "manager page"

    @csrf_exempt
    def query() -> dict[str, bool]:
        return {"signed_in": current_user() is not None}

    app.add_url_rule("/api/test/admin-only", view_func=admin_only, methods=["GET", "POST"])
    app.add_url_rule("/test/manager-page", view_func=manager_page)
    app.add_url_rule("/test/query", view_func=query, methods=["POST"])
    return app


def test_public_gets_401(guarded: Flask, client: FlaskClient) -> None:
    response = client.get("/api/test/admin-only")
    assert response.status_code == 401
    assert response.get_json()["error"] == {"status": 401, "zh": "请先登录", "en": "please sign in"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="gov-catalog"'
    page = client.get("/test/manager-page?x=1")
    assert page.status_code == 302 and page.location == "/login?next=/test/manager-page?x%3D1"


def test_wrong_role_gets_403(guarded: Flask, client: FlaskClient) -> None:
    csrf = sign_in(client, "xuanwu-requester")
    response = client.get("/api/test/admin-only")
    assert response.status_code == 403
    assert "申请人" in response.get_json()["error"]["zh"] and "administrator" in response.get_json()["error"]["en"]
    assert client.post("/api/test/admin-only", headers={"X-CSRF-Token": csrf}).status_code == 403
    page = client.get("/test/manager-page")
    assert page.status_code == 403 and "无权访问" in page.get_data(as_text=True)


def test_right_role_passes(guarded: Flask, client: FlaskClient) -> None:
    sign_in(client, "nanjing-police")
    assert client.get("/test/manager-page").get_data(as_text=True) == "manager page"
    sign_in(client, "jiangsu-admin")
    assert client.get("/api/test/admin-only").get_json() == {"login": "jiangsu-admin"}


def test_roles_are_not_implied(guarded: Flask, client: FlaskClient) -> None:
    """``require_role("manager")`` lists who may: an administrator is not a catalog manager."""
    sign_in(client, "jiangsu-admin")
    assert client.get("/test/manager-page").status_code == 403


def test_token_scoped_below_owner_is_refused(guarded: Flask, client: FlaskClient, app_accounts: Accounts) -> None:
    scoped, _ = app_accounts.create_token("jiangsu-admin", role="requester")
    full, _ = app_accounts.create_token("jiangsu-admin")
    assert client.get("/api/test/admin-only", headers=bearer(scoped)).status_code == 403
    assert client.get("/api/test/admin-only", headers=bearer(full)).status_code == 200


def test_csrf_exempt_view(guarded: Flask, client: FlaskClient) -> None:
    sign_in(client, "nanjing-police")
    assert client.post("/test/query").get_json() == {"signed_in": True}


# -- the secret key ---------------------------------------------------------------------------------


@pytest.fixture
def make_app(store: CatalogStore) -> Iterator[Callable[[Config], Flask]]:
    """Apps on the same store, as a node restarted or reconfigured; their search indexes closed afterwards."""
    made: list[Flask] = []

    def make(config: Config) -> Flask:
        made.append(create_app(config, store=store))
        return made[-1]

    yield make
    for app in made:
        app.extensions[INDEX_KEY].close()


def test_secret_key_made_once_and_private(tmp_path: Path, make_app: Callable[[Config], Flask]) -> None:
    config = Config(data_dir=tmp_path / "node")
    first = make_app(config)
    path = tmp_path / "node" / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert first.secret_key == path.read_text().strip() and len(first.secret_key) >= 32
    assert make_app(config).secret_key == first.secret_key
    assert [p.name for p in path.parent.glob(".secret_key*")] == []


def test_secret_key_from_file_or_environment(
    tmp_path: Path, make_app: Callable[[Config], Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "elsewhere" / "key"
    assert (
        make_app(Config(data_dir=tmp_path / "node", secret_key_file=key_file)).secret_key
        == key_file.read_text().strip()
    )
    assert not (tmp_path / "node" / "secret_key").exists()
    monkeypatch.setenv("GOV_CATALOG_SECRET_KEY", "k" * 40)
    assert make_app(Config(data_dir=tmp_path / "node")).secret_key == "k" * 40
    monkeypatch.setenv("GOV_CATALOG_SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        make_app(Config(data_dir=tmp_path / "node"))


def test_sessions_survive_a_restart(app: Flask, client: FlaskClient, make_app: Callable[[Config], Flask]) -> None:
    sign_in(client, "nanjing-police")
    restarted = make_app(app.config["GOV_CATALOG"]).test_client()
    restarted.set_cookie(SESSION_COOKIE, client.get_cookie(SESSION_COOKIE).value)
    assert signed_in_login(restarted) == "nanjing-police"


def test_signed_in_browser_can_post_a_sparql_query(client: FlaskClient, app_accounts) -> None:
    """/sparql only reads, so a signed-in session's form POST needs no CSRF token (updates stay refused)."""
    sign_in(client, "nanjing-police")
    query = "ASK { ?s ?p ?o }"
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert client.post("/sparql", data={"update": "CLEAR ALL"}).status_code == 403

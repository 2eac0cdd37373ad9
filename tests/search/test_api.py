"""``GET /api/search`` over HTTP: the JSON answer, and a clear 400 (never a 500) for whatever a client sends."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.search import current_index, index_path
from catalog_service.store import CatalogStore
from tests.search.test_text import HOSTILE


@pytest.fixture(scope="module")
def app(federation: CatalogStore, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app(Config(data_dir=tmp_path_factory.mktemp("data")), store=federation)


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_app_builds_its_index_at_start(app: Flask) -> None:
    assert index_path(app.config["GOV_CATALOG"].data_dir).is_file()
    with app.app_context():
        assert not current_index().needs_rebuild


def test_search_answers_json(client: FlaskClient) -> None:
    response = client.get("/api/search", query_string={"q": "社保", "level": "省", "size": "2", "lang": "en"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["total"] > 2 and len(body["items"]) == 2
    assert [e["value"] for e in body["facets"]["level"] if e["count"]] == ["1", "2", "3", "4"]
    assert body["items"][0]["level"] == {"value": "2", "label": "Provincial"}
    assert "社" in response.get_data(as_text=True)  # not \\u escapes


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ({"query": "人口"}, "query"),
        ({"level": "9"}, "level"),
        ({"level": "1' OR '1'='1"}, "level"),
        ({"region": "999999"}, "region"),
        ({"region": "320000 OR 1=1"}, "region"),
        ({"theme": "人口普查"}, "theme"),
        ({"publisher": "not an iri"}, "publisher"),
        ({"publisher": "<http://x> } ; DROP ALL ; #"}, "publisher"),
        ({"publisher": 'https://example.org/a"b'}, "publisher"),
        ({"sort": "title"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "10001"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "1e3"}, "page"),
        ({"size": "101"}, "size"),
        ({"size": "abc"}, "size"),
        ({"lang": "fr"}, "lang"),
        ({"q": "人" * 201}, "q"),
        ({"format": "x" * 3000}, "format"),
    ],
)
def test_bad_parameters_get_400_with_a_message(client: FlaskClient, args: dict[str, str], parameter: str) -> None:
    response = client.get("/api/search", query_string=args)
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == parameter
    assert " / " in body["error"] and body["message"]["zh"] and body["message"]["en"]


def test_repeated_parameter_gets_400(client: FlaskClient) -> None:
    response = client.get("/api/search?level=1&level=2")
    assert response.status_code == 400 and response.get_json()["parameter"] == "level"


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_get_ordinary_answers(client: FlaskClient, q: str) -> None:
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    assert isinstance(response.get_json()["total"], int)


def test_query_syntax_is_searched_as_text(client: FlaskClient) -> None:
    plain = client.get("/api/search", query_string={"q": "人口"}).get_json()["total"]
    assert client.get("/api/search", query_string={"q": '"人口" NEAR('}).get_json()["total"] == 0  # "near" is text
    assert client.get("/api/search", query_string={"q": "人口*"}).get_json()["total"] == plain
    assert client.get("/api/search", query_string={"q": "*"}).get_json()["total"] > plain


def test_empty_values_count_as_absent(client: FlaskClient) -> None:
    everything = client.get("/api/search").get_json()["total"]
    assert client.get("/api/search?q=&level=&page=").get_json()["total"] == everything


def test_damaged_index_under_a_running_app_gets_503(federation: CatalogStore, tmp_path: Path) -> None:
    app = create_app(Config(data_dir=tmp_path), store=federation)
    path = index_path(tmp_path)
    with app.app_context():
        current_index().close()
    path.write_bytes(b"garbage" * 1000)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    response = app.test_client().get("/api/search", query_string={"q": "人口"})
    assert response.status_code == 503 and "reindex" in response.get_json()["error"]

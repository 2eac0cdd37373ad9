"""The gov-catalog command line: exit codes, reports, loading and harvesting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_service.cli import main
from catalog_service.resources import resource_dir
from catalog_service.store import CatalogStore

TEMPLATE = resource_dir("examples") / "template" / "template.csv"
NATIONAL = resource_dir("examples") / "federation" / "national.ttl"


def test_validate_conforming_file_exits_0(capsys) -> None:
    assert main(["validate", str(TEMPLATE)]) == 0
    assert "conforms" in capsys.readouterr().out


def test_validate_nonconforming_file_exits_1_with_readable_report(capsys) -> None:
    assert main(["validate", str(NATIONAL), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "does not conform" in out
    assert "1010002/000185" in out and "sharing conditions" in out


def test_validate_json_report(capsys) -> None:
    assert main(["validate", str(NATIONAL), str(TEMPLATE), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is False
    national, template = report["files"]
    assert national["conforms"] is False and template["conforms"] is True
    focus = {r["focusNode"] for r in national["report"]["results"] if r["severity"] == "Violation"}
    assert any("1010002/000185" in f for f in focus)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("broken.ttl", '@prefix ex: <http://ex/> .\nex:a ex:b "open .\n', ":2:"),
        ("missing-column.csv", "信息资源名称,信息资源代码\n人口,1010001/000001\n", "信息资源分类"),
        ("utf16.csv", "信息资源分类".encode("utf-16"), "encoding"),
    ],
)
def test_unreadable_input_exits_2(tmp_path: Path, capsys, name: str, content, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    assert main(["validate", str(path)]) == 2
    assert expected in capsys.readouterr().err


def test_load_stores_only_valid_records(tmp_path: Path, capsys) -> None:
    data = tmp_path / "var"
    assert main(["load", str(NATIONAL), "--source", "national", "--data-dir", str(data)]) == 0
    assert "invalid" in capsys.readouterr().out
    store = CatalogStore.open(data)
    try:
        query = (
            "SELECT ?id WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/identifier> ?id }"
        )
        identifiers = {row["id"].value for row in store.query(query)}
    finally:
        store.close()
    assert "1010002/000185" not in identifiers
    assert len(identifiers) == 98


def test_load_unreadable_file_exits_2_and_stores_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("not turtle at all", encoding="utf-8")
    assert main(["load", str(bad), "--source", "x", "--data-dir", str(tmp_path / "var")]) == 2
    store = CatalogStore.open(tmp_path / "var")
    try:
        assert store.source("x") is None
    finally:
        store.close()


def test_harvest_command_runs_configured_sources(tmp_path: Path, capsys) -> None:
    config = tmp_path / "gov-catalog.toml"
    config.write_text(
        f'[[sources]]\nname = "tpl"\ntype = "spreadsheet"\nurl = "{TEMPLATE.as_posix()}"\n', encoding="utf-8"
    )
    args = ["harvest", "--config", str(config), "--data-dir", str(tmp_path / "var")]
    assert main(args) == 0
    assert "tpl: succeeded" in capsys.readouterr().out
    assert main(args) == 0
    assert "unchanged 2" in capsys.readouterr().out
    assert main([*args, "nosuch"]) == 2


def test_bad_source_configuration_is_reported(tmp_path: Path, capsys) -> None:
    config = tmp_path / "gov-catalog.toml"
    config.write_text('[[sources]]\nname = "x"\ntype = "ftp"\nurl = "ftp://x"\n', encoding="utf-8")
    assert main(["harvest", "--config", str(config), "--data-dir", str(tmp_path / "var")]) == 2
    assert "unknown type" in capsys.readouterr().err

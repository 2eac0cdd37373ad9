"""Index tokens, query expressions and highlighting, without a store."""

from __future__ import annotations

import sqlite3

import pytest

from catalog_service.search.text import COLUMNS, highlight, index_text, index_words, parse_query

HOSTILE = [
    '" OR 1=1 --',
    "人口 NEAR(",
    "*",
    "人口*",
    '"人口',
    "title: 人口",
    "{title}: x",
    "人口) OR (社保",
    "a AND b OR NOT c",
    "'; DROP TABLE docs; --",
    "^人口",
    "人口 + - ~ \\ / % _",
    "\x00\x01人口",
    "𠀀𠀁",
    "ＡＰＩ接口",
]


def test_bigrams_of_each_han_run_and_its_last_character() -> None:
    assert index_text(["户籍人口，统计"]) == "户籍 籍人 人口 口 统计 计"
    assert index_text(["API接口 ＧＩＳ 2024年"]) == "api 接口 口 gis 2024 年"


def test_words_include_the_words_inside_longer_ones() -> None:
    words = index_words(["户籍人口统计信息"]).split()
    assert {"人口", "统计", "人口统计"} <= set(words)


def test_query_parts_must_all_match_and_abbreviations_expand() -> None:
    query = parse_query("社保 缴费")
    assert set(query.terms) == {"社保", "社会保险", "社会保障", "缴费"}
    assert query.expression is not None and query.expression.count(" AND ") == 1


def test_nothing_searchable_gives_no_expression() -> None:
    assert parse_query('* ( ) " -- ').expression is None


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_are_valid_fts5_syntax(q: str) -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute(f"CREATE VIRTUAL TABLE t USING fts5({', '.join(COLUMNS)})")
    connection.execute(
        f"INSERT INTO t VALUES ({', '.join('?' * len(COLUMNS))})", ("人口 口", *[""] * (len(COLUMNS) - 1))
    )
    parsed = parse_query(q)
    for expression in (parsed.expression, parsed.ranking):
        if expression is not None:
            connection.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()


def test_highlight_escapes_html_and_marks_matches() -> None:
    marked = highlight("<b>户籍人口</b> & API", ["人口", "api"])
    assert marked == "&lt;b&gt;户籍<mark>人口</mark>&lt;/b&gt; &amp; <mark>API</mark>"


def test_latin_terms_are_marked_as_whole_words_only() -> None:
    assert highlight("rapid API", ["api"]) == "rapid <mark>API</mark>"


def test_full_width_text_is_marked_for_ascii_queries() -> None:
    assert highlight("ＡＰＩ接口", ["api"]) == "<mark>ＡＰＩ</mark>接口"


def test_snippet_is_cut_around_the_first_match() -> None:
    text = "开头" * 100 + "人口" + "结尾" * 100
    snippet = highlight(text, ["人口"], snippet=True)
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>人口</mark>" in snippet
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) == 160 + 2
    assert highlight("短文本", ["人口"], snippet=True) == "短文本"

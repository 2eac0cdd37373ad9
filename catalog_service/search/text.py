"""Chinese text for the search index: index tokens, query expressions and highlighting.

Chinese is written without spaces, so a full-text engine has to be told where words are. Two kinds of token
go into the index:

* **character bigrams** of every run of Han characters (``户籍人口`` → ``户籍 籍人 人口 口``), in the text
  columns. Any query of two or more characters is then a *phrase* of consecutive bigrams, which matches
  exactly the texts containing it as a substring: ``人口`` finds ``户籍人口统计`` whatever a word segmenter
  thinks of it. The run's last character is indexed too, so that a one-character query (a prefix query on
  the bigrams) also finds a character at the end of a run. No bigram spans two runs, so a phrase never
  matches across punctuation or across two data-element names.
* **jieba words** (search mode: words and the words inside them) of the title, keywords and data-element
  names, in a column of their own. They do not decide what matches (the bigrams do) but what ranks first: a
  text in which ``人口`` is a word (``人口统计``) scores above one in which the two characters only meet
  (``工人口罩``). Queries are segmented with the same tokenizer, and abbreviations in :data:`ABBREVIATIONS`
  are expanded.

Everything is normalised first (NFKC, case folded), so full-width letters and digits match their ASCII forms.
Queries never reach FTS5 as syntax: every token is a quoted string made only of letters, digits and Han
characters, and everything else in the query (quotes, ``*``, ``:``, parentheses, ``NEAR``'s brackets) only
separates tokens.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jieba

ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "社保": ("社会保险", "社会保障"),
    "医保": ("医疗保险", "医疗保障"),
    "低保": ("最低生活保障",),
    "公积金": ("住房公积金",),
    "营业执照": ("市场主体登记", "企业登记"),
    "个税": ("个人所得税",),
    "户口": ("户籍",),
    "公租房": ("公共租赁住房",),
    "网约车": ("网络预约出租汽车",),
    "新农合": ("新型农村合作医疗",),
    "残联": ("残疾人联合会",),
    "人社": ("人力资源和社会保障",),
    "卫健": ("卫生健康",),
    "住建": ("住房和城乡建设",),
    "市监": ("市场监督管理",),
    "发改": ("发展和改革",),
}
"""Common abbreviations of government work and what they stand for: a query for the key also finds texts
that spell it out. Keys and expansions are added to the segmenter's dictionary so queries split at them."""

TEXT_COLUMNS = ("title", "keywords", "elements", "provider", "description")
"""The FTS5 columns holding bigrams."""
WORDS_COLUMN = "words"
COLUMNS = (*TEXT_COLUMNS, WORDS_COLUMN)
COLUMN_WEIGHTS = (10.0, 5.0, 3.0, 2.0, 1.0, 2.0)
"""bm25 weights of :data:`COLUMNS`: title ≫ keywords > data elements > provider > description; word matches add
to bigram matches."""

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUNS = re.compile(f"[{_HAN}]+|[^\\W_{_HAN}]+")
"""A run of Han characters, or a run of other letters and digits (a Latin word, a number)."""
_HAN_START = re.compile(f"[{_HAN}]")
_WORD_CHAR = f"[^\\W_{_HAN}]"

SNIPPET_LENGTH = 160
"""Characters of description shown around the first match."""
_SNIPPET_LEAD = 30


def normalize(text: str) -> str:
    """The form in which texts are indexed and queries compared: NFKC, case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def _is_han(run: str) -> bool:
    """Whether a run (or term) is Han text, as opposed to a Latin word or a number."""
    return _HAN_START.match(run) is not None


@functools.cache
def _segmenter() -> jieba.Tokenizer:
    """A private jieba tokenizer (the global one is left to other users) that knows the abbreviations."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for abbreviation, expansions in ABBREVIATIONS.items():
        for word in (abbreviation, *expansions):
            tokenizer.add_word(word)
    return tokenizer


@functools.lru_cache(maxsize=65536)
def _words(run: str) -> tuple[str, ...]:
    """jieba's search-mode words (two characters or more) of one Han run: the words and the shorter words
    inside them (``人口统计`` gives ``人口``, ``统计``, ``人口统计``). Cached because element names and
    keywords repeat across thousands of entries."""
    return tuple(w for w in _segmenter().cut_for_search(run, HMM=False) if len(w) > 1)


def index_text(texts: Iterable[str]) -> str:
    """The bigram tokens of some texts, space-separated, for one text column."""
    tokens: list[str] = []
    for text in texts:
        for run in _RUNS.findall(normalize(text)):
            if _is_han(run):
                tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
                tokens.append(run[-1])
            else:
                tokens.append(run)
    return " ".join(tokens)


def index_words(texts: Iterable[str]) -> str:
    """The jieba words of some texts, space-separated, for the words column."""
    words: list[str] = []
    for text in texts:
        for run in _RUNS.findall(normalize(text)):
            if _is_han(run):
                words.extend(_words(run))
    return " ".join(words)


@dataclass(frozen=True)
class TextQuery:
    """What a user's query string becomes: FTS5 expressions and the strings to highlight."""

    expression: str | None
    """FTS5 MATCH expression deciding which entries match; ``None`` when nothing searchable was typed."""
    ranking: str | None
    """The same matches, with the words column added for bm25 to reward real words (more phrases: slower)."""
    terms: tuple[str, ...]
    """Normalised strings whose occurrences are highlighted."""


def parse_query(q: str) -> TextQuery:
    """Turn what a user typed into FTS5 expressions: every part must match (AND).

    A Han run is segmented with jieba; an abbreviation becomes a choice between itself and its expansions,
    and the words between abbreviations are kept together as one substring. In the ranking expression a part
    may also match the words column, which ranks it higher. Latin words and numbers match whole tokens.
    """
    matching: list[str] = []
    ranking: list[str] = []
    terms: list[str] = []
    for run in _RUNS.findall(normalize(q)):
        if not _is_han(run):
            matching.append(f'{{{" ".join(TEXT_COLUMNS)}}}: "{run}"')
            ranking.append(matching[-1])
            terms.append(run)
            continue
        for alternatives in _han_parts(run):
            matching.append(_han_expression(alternatives, words=False))
            ranking.append(_han_expression(alternatives, words=True))
            terms.extend(alternatives)
    if not matching:
        return TextQuery(None, None, ())
    return TextQuery(_all_of(matching), _all_of(ranking), tuple(dict.fromkeys(terms)))


def _all_of(parts: list[str]) -> str:
    return " AND ".join(f"({p})" for p in parts)


def _han_parts(run: str) -> list[tuple[str, ...]]:
    """Split a Han run at its abbreviations: each part is a tuple of alternative substrings."""
    parts: list[tuple[str, ...]] = []
    pending = ""
    for word in _segmenter().cut(run, HMM=False):
        if word in ABBREVIATIONS:
            if pending:
                parts.append((pending,))
                pending = ""
            parts.append((word, *ABBREVIATIONS[word]))
        else:
            pending += word
    if pending:
        parts.append((pending,))
    return parts


def _han_expression(alternatives: tuple[str, ...], *, words: bool) -> str:
    text_columns = "{" + " ".join(TEXT_COLUMNS) + "}"
    if len(alternatives) == 1 and len(alternatives[0]) == 1:
        return f'{text_columns}: "{alternatives[0]}"*'
    phrases = " OR ".join('"' + " ".join(a[i : i + 2] for i in range(len(a) - 1)) + '"' for a in alternatives)
    if not words:
        return f"{text_columns}: ({phrases})"
    # a word in the words column is a substring of the title, keywords or elements, so this choice never
    # adds a match: it only adds rank where the substring is a word
    choices = " OR ".join(f'"{a}"' for a in alternatives)
    return f"{text_columns}: ({phrases}) OR {{{WORDS_COLUMN}}}: ({choices})"


def highlight(text: str, terms: Sequence[str], *, snippet: bool = False) -> str:
    """``text`` as HTML-safe markup with each occurrence of a term in ``<mark>``.

    Matching happens on the normalised text, so ``ＡＰＩ`` is marked for ``api``; Latin terms are marked only
    as whole words, as the index matches them. With ``snippet``, a long text is cut to
    :data:`SNIPPET_LENGTH` characters around its first match, with an ellipsis where it was cut.
    """
    folded, origin = _fold(text)
    spans = _match_spans(folded, terms)
    spans = [(origin[start], origin[end - 1] + 1) for start, end in spans]
    begin, end = 0, len(text)
    if snippet and len(text) > SNIPPET_LENGTH:
        begin = max(0, min(spans[0][0] - _SNIPPET_LEAD if spans else 0, len(text) - SNIPPET_LENGTH))
        end = begin + SNIPPET_LENGTH
    pieces = ["…" if begin > 0 else ""]
    position = begin
    for start, stop in spans:
        start, stop = max(start, position), min(stop, end)
        if start >= stop:
            continue
        pieces += [html.escape(text[position:start]), "<mark>", html.escape(text[start:stop]), "</mark>"]
        position = stop
    pieces += [html.escape(text[position:end]), "…" if end < len(text) else ""]
    return "".join(pieces)


def _fold(text: str) -> tuple[str, Sequence[int]]:
    """The normalised text, and for each of its characters the index of the character it came from."""
    whole = normalize(text)
    if len(whole) == len(text):  # the usual case: character for character
        return whole, range(len(text))
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        normal = normalize(char)
        folded.append(normal)
        origin.extend([index] * len(normal))
    return "".join(folded), origin


def _match_spans(folded: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping spans of the terms in ``folded``, longest term first where two start together."""
    patterns = []
    for term in sorted(set(terms), key=len, reverse=True):
        escaped = re.escape(term)
        patterns.append(escaped if _is_han(term) else f"(?<!{_WORD_CHAR}){escaped}(?!{_WORD_CHAR})")
    if not patterns:
        return []
    return [m.span() for m in re.finditer("|".join(patterns), folded)]

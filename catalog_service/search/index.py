"""The search index: SQLite FTS5 for text and ranking, in-memory facet columns for counts.

One SQLite file (``{data_dir}/search/index.sqlite``) holds, per *generation*, a table of documents (their
texts for display and their facet values), a contentless FTS5 table of their tokens (see
:mod:`catalog_service.search.text`) and the publishers' names. ``meta`` says which generation is current:

* :meth:`SearchIndex.refresh` re-reads some entries from the store and writes them into the current
  generation, one short transaction per batch, so searches in other threads and processes go on;
* :meth:`SearchIndex.rebuild` writes a whole new generation beside the current one and switches ``meta`` in
  one transaction. Searches use the old generation until the switch. Entries refreshed meanwhile are noted
  and re-read into the new generation just before the switch, so a harvest running during a rebuild loses
  nothing.

A removed entry leaves a tombstone row (``live = 0``) so that other processes' facet columns learn of the
removal by the same "rows changed since sequence number N" read as of any change.

The file is derived data. If it is missing, unreadable, truncated or of another schema or tokenizer
version, :meth:`SearchIndex.open` starts an empty one and :attr:`SearchIndex.needs_rebuild` says so.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import jieba

from catalog_service import namespaces as ns
from catalog_service.search.documents import (
    BATCH,
    Document,
    all_documents,
    chunked,
    modified_key,
    read_documents,
)
from catalog_service.search.facets import (
    FACETS,
    FacetColumns,
    decode_values,
    encode_values,
    facet_values,
    listed_values,
    shown_levels,
    value_label,
)
from catalog_service.search.query import SearchQuery
from catalog_service.search.text import (
    ABBREVIATIONS,
    COLUMN_WEIGHTS,
    COLUMNS,
    TextQuery,
    highlight,
    index_text,
    index_words,
    parse_query,
)
from catalog_service.store import CatalogStore

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
"""Raise when the tables or the tokens change; an index of another version is rebuilt."""

_HEADER = b"SQLite format 3\x00"
_POOL = 8
"""Idle connections kept for reuse (one per concurrent search)."""
_BROWSE_CACHE = 64
"""Facet counts kept for searches without text (the home page, facet browsing), per index version."""
_BM25 = ", ".join(str(w) for w in COLUMN_WEIGHTS)


class IndexUnavailable(RuntimeError):
    """The index file became unreadable while in use; ``gov-catalog reindex`` rebuilds it."""


def index_path(data_dir: str | Path) -> Path:
    """Where a node keeps its search index."""
    return Path(data_dir) / "search" / "index.sqlite"


def open_index(data_dir: str | Path, store: CatalogStore) -> SearchIndex:
    """Open a node's index for serving: rebuilt from the store first if it is missing, damaged or outdated, and
    with its facet columns loaded, so that the first visitor does not wait for them."""
    index = SearchIndex.open(index_path(data_dir))
    if index.needs_rebuild:
        log.info("search index %s missing or outdated: rebuilding from the store", index.path)
        count = index.rebuild(store)
        log.info("search index rebuilt: %d entries", count)
    index.prepare()
    return index


def _fingerprint() -> str:
    """Everything that decides the tokens: a change to any of it makes old indexes unusable."""
    synonyms = json.dumps(ABBREVIATIONS, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return f"{SCHEMA_VERSION}/jieba-{jieba.__version__}/{hashlib.sha1(synonyms).hexdigest()[:12]}"


class SearchIndex:
    """Full-text search with facets over the catalog's entries; safe to share between threads."""

    def __init__(self, path: Path | None) -> None:
        """Use :meth:`open`."""
        self.path = path
        self._memory: sqlite3.Connection | None = None
        self._memory_lock = threading.RLock()
        self._idle: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._columns = FacetColumns()
        self._columns_version = (-1, -1)
        self._columns_lock = threading.Lock()
        self._browse: dict[tuple, dict] = {}

    @classmethod
    def open(cls, path: Path | None) -> SearchIndex:
        """Open the index file at ``path`` (``None``: in memory, for tests and benchmarks).

        A file that cannot serve (not SQLite, truncated, another schema) is deleted and replaced by an empty
        index; check :attr:`needs_rebuild`.
        """
        index = cls(None if path is None else Path(path))
        if index.path is None:
            index._memory = index._connect()
        else:
            index.path.parent.mkdir(parents=True, exist_ok=True)
            if index.path.exists() and not index._usable():
                log.warning("search index %s is damaged or outdated: starting a new one", index.path)
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{index.path}{suffix}").unlink(missing_ok=True)
        with index._connection() as connection:
            if "built" not in _meta_or_empty(connection):
                _initialise(connection)
        return index

    @property
    def needs_rebuild(self) -> bool:
        """Whether the index has never been built from the store (new, replaced, or its build failed)."""
        with self._connection() as connection:
            return not _meta(connection)["built"]

    def prepare(self) -> None:
        """Load the facet columns now rather than at the first search (seconds for a million entries)."""
        with self._connection() as connection, _transaction(connection, write=False):
            meta = _meta(connection)
            self._sync_columns(connection, meta["generation"], meta["seq"])

    def close(self) -> None:
        """Close every connection (the index cannot be used afterwards)."""
        with self._pool_lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        if self._memory is not None:
            self._memory.close()

    # -- writing ----------------------------------------------------------------------------------

    def refresh(self, store: CatalogStore, iris: Iterable[str]) -> int:
        """Bring the given entries in step with the store: (re)index those it has, drop those it has not.

        This one call serves additions, changes and removals, so a harvest run passes every IRI it touched.
        Each batch is read with one SPARQL query and written in one transaction. Returns how many IRIs
        were looked at.
        """
        count = 0
        with self._connection() as connection:
            for chunk in chunked(dict.fromkeys(iris), BATCH):
                with _transaction(connection, write=True):
                    meta = _meta(connection)
                    documents = read_documents(store, chunk)
                    removed = [iri for iri in chunk if iri not in documents]
                    _write(connection, meta["generation"], documents.values(), removed, _next_seq(connection))
                    if meta["rebuilding"]:
                        connection.executemany("INSERT OR IGNORE INTO dirty(iri) VALUES (?)", [(i,) for i in chunk])
                count += len(chunk)
        return count

    def rebuild(self, store: CatalogStore) -> int:
        """Index every entry of the store anew, beside the current index, and switch to it at the end.

        Returns the number of entries indexed.
        """
        return self._build(all_documents(store), lambda iris: read_documents(store, iris))

    def replace(self, documents: Iterable[Document]) -> int:
        """Make these documents the whole index, like :meth:`rebuild` but without a store (benchmarks, tests).

        Entries refreshed from a store during the build are not carried over.
        """
        return self._build(chunked(documents, BATCH), None)

    def _build(
        self, batches: Iterable[list[Document]], reread: Callable[[list[str]], dict[str, Document]] | None
    ) -> int:
        with self._exclusive(), self._connection() as connection:
            with _transaction(connection, write=True):
                old = _meta(connection)["generation"]
                new = old + 1
                _drop_generation(connection, new)
                _create_generation(connection, new)
                connection.execute("INSERT OR REPLACE INTO meta VALUES ('rebuilding', ?)", (str(new),))
                connection.execute("DELETE FROM dirty")
            try:
                count = 0
                for batch in batches:
                    with _transaction(connection, write=True):
                        _write(connection, new, batch, (), _next_seq(connection), fresh=True)
                    count += len(batch)
                connection.execute(f"INSERT INTO fts_{new}(fts_{new}) VALUES ('optimize')")
                with _transaction(connection, write=True):
                    dirty = [iri for (iri,) in connection.execute("SELECT iri FROM dirty")]
                    if dirty and reread is not None:
                        documents = reread(dirty)
                        removed = [iri for iri in dirty if iri not in documents]
                        _write(connection, new, documents.values(), removed, _next_seq(connection))
                    built = datetime.now(UTC).isoformat()
                    connection.executemany(
                        "INSERT OR REPLACE INTO meta VALUES (?, ?)", [("generation", str(new)), ("built", built)]
                    )
                    connection.execute("DELETE FROM meta WHERE key = 'rebuilding'")
                    connection.execute("DELETE FROM dirty")
            except BaseException:
                with _transaction(connection, write=True):
                    _drop_generation(connection, new)
                    connection.execute("DELETE FROM meta WHERE key = 'rebuilding'")
                raise
            with _transaction(connection, write=True):
                _drop_generation(connection, old)
        return count

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One build at a time: in this process (a lock) and across processes (a lock file)."""
        with self._build_lock:
            if self.path is None:
                yield
                return
            with open(f"{self.path}.lock", "w") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                yield

    # -- searching --------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> dict:
        """Answer one search: total, one page of items (with highlights) and every facet's counts.

        A facet's counts take the text and every *other* facet's filter into account, so choosing one level
        still shows how many entries the other levels would give.
        """
        try:
            with self._connection() as connection, _transaction(connection, write=False):
                return self._search(connection, query)
        except sqlite3.DatabaseError as error:
            log.error("search index %s unusable: %s", self.path, error)
            raise IndexUnavailable(str(error)) from error

    def _search(self, connection: sqlite3.Connection, query: SearchQuery) -> dict:
        meta = _meta(connection)
        generation = meta["generation"]
        columns = self._sync_columns(connection, generation, meta["seq"])
        text = parse_query(query.q)
        filters = query.filters()
        restricted = query.public_only  # the public: only documents whose public flag (openness 1 or 2) is set
        hits = None
        if text.expression is not None:
            # one string rather than a row per hit: several times faster to bring into Python
            sql = f"SELECT group_concat(rowid) FROM fts_{generation} WHERE fts_{generation} MATCH ?"
            (joined,) = connection.execute(sql, (text.expression,)).fetchone()
            hits = list(map(int, joined.split(","))) if joined else []
        # the documents matching the text (None: all), and among them those passing each filter
        universe = hits
        if restricted:
            universe = public_documents(columns, universe)
        passing = {
            name: columns.select(universe, name, columns.value_id(name, value)) for name, value in filters.items()
        }
        survivors = _intersection(passing.values())
        if survivors is None and universe is not None:
            survivors = universe
        key = (generation, meta["seq"], tuple(sorted(filters.items())), restricted)
        counts = self._browse.get(key) if hits is None else None
        if counts is None:
            counts = _count(columns, universe, passing, survivors, filters)
            if hits is None:
                if len(self._browse) >= _BROWSE_CACHE:
                    self._browse.clear()
                self._browse[key] = counts
        total = columns.total() if survivors is None else len(survivors)
        ids = self._page(connection, generation, columns, text, filters, survivors, query)
        return {
            "total": total,
            "items": self._items(connection, generation, ids, text, query.lang),
            "facets": self._facets(connection, generation, counts, filters, query.lang),
        }

    def _facets(self, connection, generation, counts, filters, lang) -> dict:
        listed = {f.name: listed_values(f, counts[f.name], filters.get(f.name)) for f in FACETS}
        names = _publisher_names(connection, generation, listed["publisher"])
        return {
            f.name: [
                {"value": v, "label": _label(f.name, v, lang, names), "count": counts[f.name].get(v, 0)}
                for v in listed[f.name]
            ]
            for f in FACETS
        }

    def _page(self, connection, generation, columns, text, filters, survivors, query) -> list[int]:
        offset = (query.page - 1) * query.size
        if query.sort == "relevance" and text.expression is not None:
            fts = f"fts_{generation}"
            if not filters and not query.public_only:  # every hit is ranked
                sql = (
                    f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY bm25({fts}, {_BM25}), rowid LIMIT ? OFFSET ?"
                )
                return [rowid for (rowid,) in connection.execute(sql, (text.ranking, query.size, offset))]
            # bm25 only for the hits passing the filters; "+rowid" keeps SQLite from looking each of them up in
            # FTS5 one by one (seconds) and makes it a test on the hits instead
            sql = (
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? AND +rowid IN (SELECT value FROM json_each(?)) "
                f"ORDER BY bm25({fts}, {_BM25}), rowid LIMIT ? OFFSET ?"
            )
            chosen = "[" + ",".join(map(str, survivors)) + "]"
            return [rowid for (rowid,) in connection.execute(sql, (text.ranking, chosen, query.size, offset))]
        if survivors is None:
            sql = (
                f"SELECT id FROM docs_{generation} WHERE live = 1 ORDER BY modified_key DESC, id DESC LIMIT ? OFFSET ?"
            )
            return [doc_id for (doc_id,) in connection.execute(sql, (query.size, offset))]
        return columns.newest_first(survivors, offset + query.size)[offset:]

    def _items(self, connection, generation, ids, text: TextQuery, lang: str) -> list[dict]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        sql = f"SELECT id, iri, facets, display FROM docs_{generation} WHERE id IN ({marks})"
        rows = {row[0]: row[1:] for row in connection.execute(sql, ids)}
        return [_item(*rows[i], text, lang) for i in ids if i in rows]

    def _sync_columns(self, connection: sqlite3.Connection, generation: int, seq: int) -> FacetColumns:
        """Bring the in-memory facet columns up to the version this search reads (other processes write too)."""
        with self._columns_lock:
            if self._columns_version[0] != generation:
                self._columns, since = FacetColumns(), -1
            elif self._columns_version[1] < seq:
                since = self._columns_version[1]
            else:
                return self._columns
            sql = f"SELECT id, live, facets, modified_key FROM docs_{generation}"
            rows = connection.execute(sql + " WHERE seq > ?", (since,)) if since >= 0 else connection.execute(sql)
            for doc_id, live, values, key in rows:
                self._columns.put(doc_id, decode_values(values) if live else None, key)
            self._columns_version = (generation, seq)
            return self._columns

    # -- connections ------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        target = ":memory:" if self.path is None else str(self.path)
        connection = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=60)
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA cache_size = -32768")
        return connection

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for this thread's use: the one in-memory connection, or one from the pool."""
        if self._memory is not None:
            with self._memory_lock:
                yield self._memory
            return
        with self._pool_lock:
            connection = self._idle.pop() if self._idle else None
        connection = connection or self._connect()
        try:
            yield connection
        finally:
            with self._pool_lock:
                if len(self._idle) < _POOL:
                    self._idle.append(connection)
                    connection = None
            if connection is not None:
                connection.close()

    def _usable(self) -> bool:
        """Whether the file is a complete SQLite database holding an index of this version."""
        assert self.path is not None
        try:
            with open(self.path, "rb") as file:
                header = file.read(100)
            size = self.path.stat().st_size
            if size and not _complete(header, size):
                return False
            connection = self._connect()
            try:
                return _meta_or_empty(connection).get("schema") == _fingerprint()
            finally:
                connection.close()
        except (OSError, sqlite3.DatabaseError):
            return False


def _complete(header: bytes, size: int) -> bool:
    """Whether a database file is as long as its header says (a truncated file is not)."""
    if len(header) < 100 or not header.startswith(_HEADER):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_is_current = header[24:28] == header[92:96]
    return not header_is_current or size >= pages * page_size


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection, *, write: bool) -> Iterator[None]:
    """A transaction: a write one takes the write lock at once, a read one sees one snapshot throughout."""
    connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _initialise(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA journal_mode = WAL")
    with _transaction(connection, write=True):
        connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.execute("CREATE TABLE IF NOT EXISTS dirty (iri TEXT PRIMARY KEY)")
        _create_generation(connection, 0)
        connection.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [("schema", _fingerprint()), ("generation", "0"), ("seq", "0"), ("built", "")],
        )


def _meta_or_empty(connection: sqlite3.Connection) -> dict[str, str]:
    try:
        return dict(connection.execute("SELECT key, value FROM meta"))
    except sqlite3.OperationalError:
        return {}


def _meta(connection: sqlite3.Connection) -> dict:
    values = dict(connection.execute("SELECT key, value FROM meta"))
    return {
        "generation": int(values["generation"]),
        "seq": int(values["seq"]),
        "built": values["built"],
        "rebuilding": values.get("rebuilding"),
    }


def _next_seq(connection: sqlite3.Connection) -> int:
    """The sequence number of this write transaction (facet columns elsewhere reload rows above theirs)."""
    (seq,) = connection.execute(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq' RETURNING CAST(value AS INTEGER)"
    ).fetchone()
    return seq


def _create_generation(connection: sqlite3.Connection, generation: int) -> None:
    g = int(generation)
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS docs_{g} (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, "
        "seq INTEGER NOT NULL, live INTEGER NOT NULL, modified_key INTEGER NOT NULL, facets TEXT NOT NULL, "
        "display TEXT NOT NULL)"
    )
    connection.execute(f"CREATE INDEX IF NOT EXISTS docs_{g}_seq ON docs_{g}(seq)")
    connection.execute(f"CREATE INDEX IF NOT EXISTS docs_{g}_modified ON docs_{g}(live, modified_key)")
    connection.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS fts_{g} USING fts5({', '.join(COLUMNS)}, content = '')")
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS publishers_{g} (iri TEXT PRIMARY KEY, names TEXT NOT NULL) WITHOUT ROWID"
    )


def _drop_generation(connection: sqlite3.Connection, generation: int) -> None:
    g = int(generation)
    for table in (f"docs_{g}", f"fts_{g}", f"publishers_{g}"):
        connection.execute(f"DROP TABLE IF EXISTS {table}")


def _write(
    connection: sqlite3.Connection,
    generation: int,
    documents: Iterable[Document],
    removed: Iterable[str],
    seq: int,
    *,
    fresh: bool = False,
) -> None:
    """Upsert documents and tombstone removed IRIs in one generation (``fresh``: its tables were empty).

    The FTS5 table is contentless (it would otherwise store every token a second time, the largest part of
    the file), so replacing a document's tokens means deleting exactly the tokens it was indexed with:
    they are recomputed from the texts kept in its row. :data:`SCHEMA_VERSION` and the
    tokenizer fingerprint guarantee that they come out the same.
    """
    g = int(generation)
    upsert = (
        f"INSERT INTO docs_{g} (iri, seq, live, modified_key, facets, display) VALUES (?, ?, 1, ?, ?, ?) "
        "ON CONFLICT (iri) DO UPDATE SET seq = excluded.seq, live = 1, modified_key = excluded.modified_key, "
        "facets = excluded.facets, display = excluded.display RETURNING id"
    )
    insert = f"INSERT INTO fts_{g} (rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})"
    publishers = {}
    for document in documents:
        if not fresh:
            _unindex(connection, g, document.iri)
        values = facet_values(document)
        display = {
            "identifier": document.identifier,
            "titles": document.titles,
            "descriptions": document.descriptions,
            "keywords": document.keywords,
            "elements": document.elements,
            "publisherNames": document.publisher_names,
            "modified": document.modified,
        }
        row = (document.iri, seq, modified_key(document.modified), encode_values(values), _json(display))
        (doc_id,) = connection.execute(upsert, row).fetchone()
        connection.execute(insert, (doc_id, *_token_columns(document)))
        if document.publisher and document.publisher_names:
            publishers[document.publisher] = _json(document.publisher_names)
    connection.executemany(f"INSERT OR REPLACE INTO publishers_{g} VALUES (?, ?)", publishers.items())
    for iri in removed:
        if _unindex(connection, g, iri):
            connection.execute(f"UPDATE docs_{g} SET live = 0, seq = ?, facets = '' WHERE iri = ?", (seq, iri))


def _unindex(connection: sqlite3.Connection, generation: int, iri: str) -> bool:
    """Take a document's tokens out of the FTS5 table; whether it was there."""
    sql = f"SELECT id, display FROM docs_{generation} WHERE iri = ? AND live = 1"
    row = connection.execute(sql, (iri,)).fetchone()
    if row is None:
        return False
    doc_id, display = row[0], json.loads(row[1])
    indexed = Document(
        iri,
        titles=display["titles"],
        descriptions=display["descriptions"],
        keywords=display["keywords"],
        elements=display["elements"],
        publisher_names=display["publisherNames"],
    )
    columns = ", ".join(COLUMNS)
    delete = (
        f"INSERT INTO fts_{generation} (fts_{generation}, rowid, {columns}) VALUES ('delete', ?{', ?' * len(COLUMNS)})"
    )
    connection.execute(delete, (doc_id, *_token_columns(indexed)))
    return True


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _token_columns(document: Document) -> tuple[str, ...]:
    """The FTS5 column texts of a document, in the order of :data:`COLUMNS`."""
    titles = list(document.titles.values())
    return (
        index_text(titles),
        index_text(document.keywords),
        index_text(document.elements),
        index_text(document.publisher_names.values()),
        index_text(document.descriptions.values()),
        index_words([*titles, *document.keywords, *document.elements]),
    )


PUBLIC_OPENNESS = ("1", "2")
"""The openness facet values (notations) of entries open to society: 无条件开放 and 有条件开放."""


def public_documents(columns: FacetColumns, ids: Collection[int] | None) -> set[int]:
    """The documents among ``ids`` (all when ``None``) whose entry is public (its openness is 无条件开放 or
    有条件开放)."""
    wanted = {columns.value_id("openness", value) for value in PUBLIC_OPENNESS}
    return set().union(*(columns.select(ids, "openness", value_id) for value_id in wanted))


def _count(
    columns: FacetColumns,
    universe: Collection[int] | None,
    passing: dict[str, set[int]],
    survivors: Collection[int] | None,
    filters: dict[str, str],
) -> dict:
    """Each facet's counts among the documents passing every filter but its own."""
    counts = {}
    for facet in FACETS:
        if facet.name in passing:
            ids = _intersection(s for other, s in passing.items() if other != facet.name)
            ids = universe if ids is None else ids
        else:
            ids = survivors
        counts[facet.name] = columns.counts(ids, facet.name, shown_levels(facet, filters.get(facet.name)))
    return counts


def _intersection(sets: Iterable[set[int]]) -> set[int] | None:
    """The intersection of some sets, or ``None`` (no restriction) for none."""
    result = None
    for s in sets:
        result = set(s) if result is None else result & s
    return result


def _publisher_names(connection: sqlite3.Connection, generation: int, iris: list[str]) -> dict[str, dict]:
    if not iris:
        return {}
    sql = f"SELECT iri, names FROM publishers_{int(generation)} WHERE iri IN ({','.join('?' * len(iris))})"
    return {iri: json.loads(names) for iri, names in connection.execute(sql, iris)}


def _label(facet: str, value: str, lang: str, publisher_names: dict[str, dict]) -> str:
    if facet == "publisher":
        return _in_language(publisher_names.get(value, {}), lang) or value
    return value_label(facet, value, lang)


def _in_language(texts: dict[str, str], lang: str) -> str:
    """The text in ``lang``, else in Chinese, else without a language tag, else any."""
    for key in (lang, "zh", ""):
        if texts.get(key):
            return texts[key]
    return next(iter(texts.values()), "")


def _coded(facet: str, values: dict[str, list[str]], lang: str) -> dict | None:
    """An item's value of a facet (the finest, for a hierarchy) with its label."""
    own = values.get(facet)
    return {"value": own[-1], "label": value_label(facet, own[-1], lang)} if own else None


def _item(iri: str, stored_values: str, display_json: str, text: TextQuery, lang: str) -> dict:
    values, display = decode_values(stored_values), json.loads(display_json)
    title = _in_language(display["titles"], lang)
    description = _in_language(display["descriptions"], lang)
    publisher = values["publisher"][0] if values.get("publisher") else None
    return {
        "id": iri,
        "identifier": display["identifier"],
        "title": title,
        "description": description,
        "publisher": publisher and {"value": publisher, "label": _in_language(display["publisherNames"], lang)},
        "region": _coded("region", values, lang),
        "level": _coded("level", values, lang),
        "sharingType": _coded("sharing", values, lang),
        "modified": display["modified"],
        "url": dataset_path(iri),
        "highlight": {
            "title": highlight(title, text.terms),
            "description": highlight(description, text.terms, snippet=True),
        },
    }


def dataset_path(iri: str) -> str:
    """The path of an entry's page on this node: its IRI's path below the catalog's base
    (``…/gov-catalog/resource/1010001/000123`` → ``/resource/1010001/000123``)."""
    base = ns.BASE.rstrip("/")
    return iri[len(base) :] if iri.startswith(ns.RESOURCE) else iri

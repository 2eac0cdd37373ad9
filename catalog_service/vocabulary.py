"""The code lists and administrative divisions, and the one lookup from what people write to concept IRIs.

Departments fill in their catalogs by hand: a sharing type arrives as ``2``, ``有条件共享``, ``有条件`` or
``有条件共享`` typed with full-width characters; a classification as ``101`` or ``基础／人口``. Harvesters,
the spreadsheet importer, validation messages and the web pages all need the same answer, so they all ask
:class:`CodeLists` rather than keeping their own tables. The data are ``ontology/codelists.ttl`` and
``ontology/regions.ttl``; they are read once into dictionaries, so a lookup is a dictionary access.

Usage::

    lists = CodeLists.default()
    lists.concept("sharing-type", "有条件")  # -> "https://w3id.org/gov-catalog/code/sharing-type/2"
    lists.region_ancestors("320102")     # -> [南京市, 江苏省, 全国] as IRIs
"""

import functools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from catalog_service.namespaces import CODE, GC, REGION, SKOS
from catalog_service.resources import resource_dir

VOCABULARY_FILES: tuple[str, ...] = ("codelists.ttl", "regions.ttl")
"""The files under ``ontology/`` that hold concepts (the code lists and the divisions)."""

CATEGORY_SCHEME = "resource-category"
"""The one hierarchical code list, whose values may also be written as a path such as ``基础/人口``."""

_REGION_SCHEME = REGION.rstrip("/")
_IN_SCHEME = SKOS + "inScheme"
_NOTATION = SKOS + "notation"
_PREF_LABEL = SKOS + "prefLabel"
_ALT_LABEL = SKOS + "altLabel"
_BROADER = SKOS + "broader"
_DIVISION_LEVEL = GC + "divisionLevel"


def vocabulary_paths() -> list[Path]:
    """The paths of :data:`VOCABULARY_FILES`, wherever the ``ontology/`` folder is installed."""
    folder = resource_dir("ontology")
    return [folder / name for name in VOCABULARY_FILES]


def normalize(value: str) -> str:
    """The form in which written values and labels are compared.

    NFKC turns full-width letters, digits and punctuation (``１``, ``／``, ``（``) into their ASCII
    forms; case is folded so that English labels match whatever their capitalisation.
    """
    return unicodedata.normalize("NFKC", value).strip().casefold()


class CodeLists:
    """The concepts of all code lists and divisions, indexed for lookup by notation and label.

    Code lists are named by the last segment of their scheme IRI (``sharing-type``,
    ``update-frequency``, …, as in docs/profile.md); divisions by their six-digit GB/T 2260 code.
    Asking for a code list that does not exist is a programming error and raises :class:`KeyError`;
    a value that matches nothing gives ``None``.
    """

    def __init__(self, paths: Iterable[Path] | None = None) -> None:
        """Read the vocabulary files (by default :func:`vocabulary_paths`).

        Raises :class:`ValueError` if one written form would name two concepts of a code list.
        """
        scheme_of: dict[str, str] = {}
        self._notations: dict[str, str] = {}
        self._labels: dict[tuple[str, str], str] = {}
        self._broader: dict[str, str] = {}
        self._division_levels: dict[str, str] = {}
        written: list[tuple[str, str]] = []
        for path in vocabulary_paths() if paths is None else paths:
            for triple in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
                subject, predicate, obj = triple.subject.value, triple.predicate.value, triple.object
                if predicate == _IN_SCHEME:
                    scheme_of[subject] = obj.value
                elif predicate == _NOTATION:
                    self._notations[subject] = obj.value
                    written.append((subject, obj.value))
                elif predicate == _PREF_LABEL:
                    self._labels[subject, obj.language or ""] = obj.value
                    written.append((subject, obj.value))
                elif predicate == _ALT_LABEL:
                    written.append((subject, obj.value))
                elif predicate == _BROADER:
                    self._broader[subject] = obj.value
                elif predicate == _DIVISION_LEVEL:
                    self._division_levels[subject] = obj.value

        members: dict[str, list[str]] = defaultdict(list)
        self._regions: dict[str, str] = {}
        for concept, scheme in scheme_of.items():
            if scheme == _REGION_SCHEME:
                self._regions[self._notations[concept]] = concept
            elif scheme.startswith(CODE):
                members[scheme.removeprefix(CODE)].append(concept)
        self._members = dict(members)
        for concepts in self._members.values():
            concepts.sort(key=self._notations.__getitem__)

        self._index: dict[str, dict[str, str]] = {name: {} for name in self._members}
        for concept, text in written:
            name = scheme_of.get(concept, "").removeprefix(CODE)
            if name not in self._index:
                continue
            key = normalize(text)
            known = self._index[name].setdefault(key, concept)
            if known != concept:
                raise ValueError(f"code list {name!r}: {text!r} names both {known} and {concept}")

    @classmethod
    @functools.cache
    def default(cls) -> "CodeLists":
        """The code lists of this installation, read on first use and shared by every caller."""
        return cls()

    def schemes(self) -> list[str]:
        """The names of the code lists, e.g. ``sharing-type``."""
        return sorted(self._members)

    def members(self, scheme: str) -> list[str]:
        """The concept IRIs of a code list in notation order, so a category comes just before its sub-categories."""
        return list(self._members_of(scheme))

    def concept(self, scheme: str, value: str) -> str | None:
        """The IRI of the concept of ``scheme`` that ``value`` names, or ``None``.

        ``value`` may be the notation, the Chinese or English preferred label or any alternative label,
        with surrounding spaces, full-width characters or any capitalisation. For ``resource-category``
        it may also be a path from the top, such as ``基础/人口`` or ``主题／社会保障``.
        """
        self._members_of(scheme)
        index = self._index[scheme]
        key = normalize(value)
        if key in index:
            return index[key]
        if scheme != CATEGORY_SCHEME or "/" not in key:
            return None
        parent: str | None = None
        for part in key.split("/"):
            found = index.get(part.strip())
            if found is None or self._broader.get(found) != parent:
                return None
            parent = found
        return parent

    def label(self, iri: str, lang: str = "zh") -> str | None:
        """The preferred label of a concept or scheme in ``lang`` (divisions are labelled in Chinese only)."""
        return self._labels.get((iri, lang))

    def notation(self, iri: str) -> str | None:
        """The notation (code) of a concept, e.g. ``2`` or ``320102``."""
        return self._notations.get(iri)

    def region(self, code: str) -> str | None:
        """The IRI of the division with this six-digit code (``100000`` is the country), or ``None``."""
        return self._regions.get(normalize(code))

    def region_ancestors(self, code: str) -> list[str]:
        """The IRIs of the divisions containing ``code``, nearest first, ending with the country.

        Empty for an unknown code and for the country itself.
        """
        ancestors: list[str] = []
        current = self.region(code)
        while current is not None and (current := self._broader.get(current)) is not None:
            ancestors.append(current)
        return ancestors

    def region_level(self, code: str) -> str | None:
        """The ``level`` concept IRI of a division (国家, 省, 市 or 县), or ``None`` for an unknown code."""
        iri = self.region(code)
        return None if iri is None else self._division_levels.get(iri)

    def _members_of(self, scheme: str) -> list[str]:
        if scheme not in self._members:
            raise KeyError(f"no code list named {scheme!r}; known: {', '.join(self.schemes())}")
        return self._members[scheme]

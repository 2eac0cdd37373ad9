"""The department catalog template (政务信息资源目录模板): the CSV or XLSX form departments fill in.

One row is one catalog entry; the header row names the columns (:data:`REQUIRED_COLUMNS`, and optionally
:data:`OPTIONAL_COLUMNS`). :func:`read_template` maps the rows to profile triples (see ``docs/profile.md``).

Only problems that stop a row from being mapped at all are reported here, as :class:`RowError`: a value
missing from its code list, a date that is not a date, a malformed 信息项 cell, an empty 信息资源代码 or
提供方代码 (no IRI can be minted without them). Everything else (cardinalities, credit-code check digits,
the agreement of 层级 with 行政区划) is the SHACL profile's job later in the pipeline, so an empty optional
or required cell simply yields no triple. A row with errors is skipped whole; the other rows still map.

Harvesters of other source kinds (CKAN, JSON APIs) turn each entry into the same columns and call
:func:`map_entry`, so every source maps to the profile, and reports bad cells, in exactly one way.

CSV files come from Excel, WPS and hand-written scripts alike, so the encoding is detected: UTF-8 (with or
without BOM) or GB18030, which also decodes GBK, its subset. Anything else (UTF-16, binary) is refused
rather than guessed, because a wrong guess turns names into mojibake that would then be published.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pyoxigraph import Literal, NamedNode, Triple

from catalog_service import namespaces as ns
from catalog_service.vocabulary import CodeLists

REQUIRED_COLUMNS: tuple[str, ...] = (
    "信息资源分类",
    "信息资源名称",
    "信息资源代码",
    "信息资源提供方",
    "信息资源提供方代码",
    "信息资源摘要",
    "信息资源格式",
    "信息项",
    "共享类型",
    "共享条件",
    "共享方式",
    "不予共享依据",
    "是否向社会开放",
    "开放条件",
    "更新周期",
    "发布日期",
    "关联资源代码",
    "行政区划代码",
)
"""Columns every template must have (a cell may still be empty)."""

OPTIONAL_COLUMNS: tuple[str, ...] = ("用途", "使用要求", "层级", "涉密属性", "关键词")
"""Columns a template may add; without 层级 the level follows from the division, without 涉密属性 it is 否."""

COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
"""Every known column, in the order :func:`write_template` writes them."""

CsvEncoding = TypingLiteral["utf-8", "utf-8-sig", "gbk", "gb18030"]

_RDF_TYPE = NamedNode(ns.RDF + "type")
_DCAT_DATASET = NamedNode(ns.DCAT + "Dataset")
_FOAF_ORGANIZATION = NamedNode(ns.FOAF + "Organization")
_GC_DATA_ELEMENT = NamedNode(ns.GC + "DataElement")
_XSD_DATE = NamedNode(ns.XSD + "date")

_LIST_SEPARATORS = re.compile(r"[;；、\n]")
"""Between the values of a multi-valued code-list cell (用途, 信息资源格式)."""

_CODE_SEPARATORS = re.compile(r"[;,、\s]+")
"""Between the codes of a 关联资源代码 cell; after NFKC, full-width ； and ， are ASCII too."""

_KEYWORD_SEPARATORS = re.compile(r"[;；]")

_ELEMENT_SEPARATORS = re.compile(r"[;；\n]")
"""Between the items of a 信息项 cell; 、 may occur inside an item's name, so it does not separate here."""

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_YES = frozenset({"是", "y", "yes", "true"})
_NO = frozenset({"否", "n", "no", "false"})
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters (Unicode category Cc) but tab, line feed and carriage return: not in a text file."""
_TITLE_ROWS = 3
"""How many non-blank rows without any column name may precede the header (a sheet title, a note)."""


class TemplateError(Exception):
    """The file as a whole cannot be read as a template (encoding, format, header row)."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class RowError:
    """A problem that kept one row out of the result.

    ``row`` is the number a spreadsheet program shows (the header is row 1), or for :func:`map_entry` whatever
    names the entry in its source; ``value`` is the whole cell.
    """

    row: int | str
    column: str
    value: str
    message_zh: str
    message_en: str


@dataclass
class TemplateResult:
    """What a template yielded: the triples of the rows that mapped, and why the others did not.

    ``rows_read`` counts the non-blank data rows; ``records`` holds the dataset IRIs of the mapped rows in
    the order they appear.
    """

    triples: list[Triple] = field(default_factory=list)
    rows_read: int = 0
    row_errors: list[RowError] = field(default_factory=list)
    records: list[str] = field(default_factory=list)


def read_template(source: Path | bytes, *, filename: str | None = None) -> TemplateResult:
    """Map a filled-in template to profile triples.

    ``source`` is the file or its bytes; ``filename`` (or the path's name) lets the extension choose between
    CSV and XLSX, and without one the content decides (an XLSX file is a zip archive). Raises
    :class:`TemplateError` when the file cannot be read as a template at all; row problems are collected
    in :attr:`TemplateResult.row_errors` instead.
    """
    if isinstance(source, Path):
        filename = filename or source.name
        data = source.read_bytes()
    else:
        data = source
    return _map_rows(_read_rows(data, filename), CodeLists.default())


def map_entry(
    values: Mapping[str, str], *, row: int | str, vocabulary: CodeLists | None = None
) -> tuple[list[Triple], list[RowError]]:
    """Map one entry given as column name → cell text, exactly as a template row with those cells would be.

    A column left out counts as an empty cell. ``row`` names the entry in the errors (a row number, or the
    source's own id). Returns the triples and no errors, or no triples and every problem of the entry: like
    a bad template row, an entry with errors is skipped whole. Duplicate identifiers across entries are the
    caller's to detect, since only it sees all of them. Raises :class:`ValueError` for a column name that is
    not in :data:`COLUMNS`: that is a mistake in the caller's mapping, not in the data.
    """
    unknown = set(values) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown template columns: {sorted(unknown)}")
    entry = _Row(row, {name: _clean(values.get(name, "")) for name in COLUMNS}, vocabulary or CodeLists.default())
    entry.map()
    return ([], entry.errors) if entry.errors else (entry.triples, [])


def write_template(rows: list[dict[str, str]], path: Path, *, encoding: CsvEncoding = "utf-8") -> None:
    """Write rows (column name → cell text) as a CSV template with every column of :data:`COLUMNS`.

    Encoding is strict: a character the encoding lacks (such as 𠀀 in GBK) raises ``UnicodeEncodeError``
    rather than being replaced, so a written file always reads back to the same text.
    """
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)


def write_template_xlsx(rows: list[dict[str, str]], path: Path) -> None:
    """Write rows as an XLSX template, the way a department would fill it in Excel.

    发布日期 values in ``YYYY-MM-DD`` form become real date cells; everything else stays text, so that codes
    such as ``330100`` or ``1010001/000123`` are not turned into numbers by the spreadsheet.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "政务信息资源目录"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    date_column = COLUMNS.index("发布日期") + 1
    for row in rows:
        unknown = set(row) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown template columns: {sorted(unknown)}")
        sheet.append([row.get(column, "") for column in COLUMNS])
        cell = sheet.cell(row=sheet.max_row, column=date_column)
        try:
            cell.value = dt.date.fromisoformat(cell.value)
            cell.number_format = "yyyy-mm-dd"
        except ValueError:
            pass  # not a date: leave the text for the reader to report
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, 2 * len(column) + 4)
    sheet.freeze_panes = "A2"
    workbook.save(path)


# Reading ---------------------------------------------------------------------------------------------------


def _read_rows(data: bytes, filename: str | None) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(row number, cell texts)`` for every row of the file, blank ones included."""
    suffix = Path(filename).suffix.lower() if filename else ""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TemplateError(
            "不支持旧版 Excel（.xls）或加密的工作簿，请另存为不加密的 .xlsx 或 CSV",
            "legacy .xls and encrypted workbooks are not supported; save as an unencrypted .xlsx or CSV",
        )
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    if suffix in (".xlsx", ".xlsm"):
        raise TemplateError(
            "文件扩展名为 .xlsx，但内容不是 XLSX 文件", "the file is named .xlsx but is not an XLSX workbook"
        )
    return _csv_rows(_decode_csv(data))


def _decode_csv(data: bytes) -> str:
    """Decode CSV bytes as UTF-8 (BOM or not) or GB18030 (which covers GBK), strictly.

    UTF-8 is tried first because GBK-encoded Chinese text is almost never valid UTF-8, while the reverse
    does happen. Raises :class:`TemplateError` when neither decodes cleanly.
    """
    unknown = TemplateError(
        "无法识别文件编码，请将 CSV 另存为 UTF-8 或 GBK 编码，或使用 XLSX 文件",
        "unknown encoding: save the CSV as UTF-8 or GBK, or use an XLSX file",
    )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise unknown  # UTF-16/32 or binary: every such text holds NUL bytes
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            raise unknown
        return text
    raise unknown


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    # One CSV record is one spreadsheet row even when a quoted cell spans several lines.
    try:
        yield from enumerate(([_clean(cell) for cell in record] for record in csv.reader(io.StringIO(text))), start=1)
    except csv.Error as error:
        raise TemplateError(f"CSV 格式错误：{error}", f"malformed CSV: {error}") from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise TemplateError(f"无法读取 XLSX 文件：{error}", f"cannot read the XLSX file: {error}") from None
    try:
        if not workbook.worksheets:
            raise TemplateError("XLSX 文件中没有工作表", "the XLSX file has no worksheet")
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """The text a person sees in a cell: dates as ``YYYY-MM-DD``, whole numbers without ``.0``."""
    match value:
        case None:
            return ""
        case bool():
            return "是" if value else "否"
        case dt.datetime() if value.time() == dt.time():
            return value.date().isoformat()
        case dt.date():
            return value.isoformat()
        case float() if value.is_integer():
            return str(int(value))
        case _:
            return _clean(str(value))


def _clean(text: str) -> str:
    """Strip ordinary, full-width and invisible spaces that copy-and-paste leaves around a cell."""
    return text.strip().strip(_INVISIBLE).strip()


def _nfkc(text: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms, for codes and structured cells."""
    return unicodedata.normalize("NFKC", text).strip()


def _header_name(text: str) -> str:
    """The column a header cell names, ignoring spaces, ``*`` marks and trailing notes like ``（必填）``."""
    name = re.sub(rf"[\s{_INVISIBLE}]+", "", unicodedata.normalize("NFKC", text))
    previous = None
    while previous != name:
        previous = name
        name = re.sub(r"\([^()]*\)$", "", name).strip("*:")
    return name


def _header(cells: list[str]) -> dict[str, int]:
    """Column name → index; raises :class:`TemplateError` for missing or repeated columns."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _header_name(cell)
        if name not in COLUMNS:
            continue
        if name in positions:
            raise TemplateError(f"表头中“{name}”列重复", f"the header has the column {name!r} twice")
        positions[name] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise TemplateError(
            f"模板缺少必填列：{'、'.join(missing)}",
            f"the template lacks required column(s): {', '.join(missing)}",
        )
    return positions


def _map_rows(rows: Iterable[tuple[int, list[str]]], vocabulary: CodeLists) -> TemplateResult:
    result = TemplateResult()
    triples: dict[Triple, None] = {}  # insertion-ordered set: providers recur on many rows
    first_row_of: dict[str, int] = {}
    positions: dict[str, int] | None = None
    title_rows: list[list[str]] = []
    for number, cells in rows:
        if positions is None:
            if not any(cells):
                continue
            if len(title_rows) < _TITLE_ROWS and not any(_header_name(cell) in COLUMNS for cell in cells):
                title_rows.append(cells)
                continue
            positions = _header(cells)
            continue
        values = {name: cells[index] if index < len(cells) else "" for name, index in positions.items()}
        if not any(values.values()):
            continue
        result.rows_read += 1
        row = _Row(number, values, vocabulary)
        subject = row.map()
        if row.identifier in first_row_of:
            first = first_row_of[row.identifier]
            row.error(
                "信息资源代码",
                f"信息资源代码与第 {first} 行重复",
                f"the identifier repeats the one on row {first}",
            )
        if row.errors:
            result.row_errors.extend(row.errors)
            continue
        first_row_of[row.identifier] = number
        triples.update(dict.fromkeys(row.triples))
        result.records.append(subject)
    if positions is None:
        if not title_rows:
            raise TemplateError("模板为空，没有表头行", "the template is empty: there is no header row")
        _header(title_rows[0])  # raises, naming every missing column
    result.triples = list(triples)
    return result


class _Row:
    """One data row on its way to triples; every cell is checked, so a row reports all its problems at once.

    A bad row's triples are thrown away; collecting them anyway keeps each column's mapping in one place.
    """

    def __init__(self, number: int | str, values: dict[str, str], vocabulary: CodeLists) -> None:
        self.number = number
        self.values = values
        self.vocabulary = vocabulary
        self.identifier = _nfkc(values["信息资源代码"])
        self.triples: list[Triple] = []
        self.errors: list[RowError] = []

    def error(self, column: str, message_zh: str, message_en: str) -> None:
        self.errors.append(RowError(self.number, column, self.values.get(column, ""), message_zh, message_en))

    def map(self) -> str:
        """Collect the row's triples and errors; returns the dataset IRI."""
        if not self.identifier:
            self.error("信息资源代码", "信息资源代码为空", "the identifier (信息资源代码) is empty")
        iri = ns.resource(self.identifier)
        dataset = NamedNode(iri)
        add = self._adder(dataset)
        add(_RDF_TYPE, _DCAT_DATASET)
        add(NamedNode(ns.DCT + "identifier"), Literal(self.identifier) if self.identifier else None)
        add(NamedNode(ns.GC + "resourceCategory"), self.concept("信息资源分类", "resource-category"))
        add(NamedNode(ns.DCT + "title"), self.text("信息资源名称"))
        self.provider(dataset)
        add(NamedNode(ns.DCT + "description"), self.text("信息资源摘要"))
        for value in _split(_nfkc(self.values["信息资源格式"]), _LIST_SEPARATORS):
            add(NamedNode(ns.GC + "resourceFormat"), self.concept("信息资源格式", "resource-format", value))
        self.data_elements(dataset, iri)
        add(NamedNode(ns.GC + "sharingType"), self.concept("共享类型", "sharing-type"))
        add(NamedNode(ns.GC + "sharingCondition"), self.text("共享条件"))
        self.sharing_method(dataset)
        add(NamedNode(ns.GC + "nonSharingBasis"), self.text("不予共享依据"))
        add(NamedNode(ns.GC + "openness"), self.openness())
        add(NamedNode(ns.GC + "openCondition"), self.text("开放条件"))
        add(NamedNode(ns.DCT + "accrualPeriodicity"), self.concept("更新周期", "update-frequency"))
        add(NamedNode(ns.DCT + "issued"), self.date("发布日期"))
        for code in _split(_nfkc(self.values["关联资源代码"]), _CODE_SEPARATORS):
            add(NamedNode(ns.DCT + "relation"), NamedNode(ns.resource(code)))
        self.division(dataset)
        add(NamedNode(ns.GC + "classified"), self.classified())
        for value in _split(_nfkc(self.values.get("用途", "")), _LIST_SEPARATORS):
            add(NamedNode(ns.GC + "usePurpose"), self.concept("用途", "use-purpose", value))
        add(NamedNode(ns.GC + "useRequirement"), self.text("使用要求"))
        for keyword in _split(self.values.get("关键词", ""), _KEYWORD_SEPARATORS):
            add(NamedNode(ns.DCAT + "keyword"), Literal(keyword, language="zh"))
        return iri

    def _adder(self, subject: NamedNode) -> Callable[[NamedNode, NamedNode | Literal | None], None]:
        """``add(predicate, value)`` for one subject; a ``None`` value (empty or bad cell) adds nothing."""

        def add(predicate: NamedNode, value: NamedNode | Literal | None) -> None:
            if value is not None:
                self.triples.append(Triple(subject, predicate, value))

        return add

    def text(self, column: str) -> Literal | None:
        value = self.values.get(column, "")
        return Literal(value, language="zh") if value else None

    def concept(self, column: str, scheme: str, value: str | None = None) -> NamedNode | None:
        """The concept a cell (or one value of a multi-valued cell) names; an empty cell names none."""
        value = self.values.get(column, "") if value is None else value
        if not value:
            return None
        iri = self.vocabulary.concept(scheme, value)
        if iri is None:
            self.error(column, f"“{value}”不在{column}代码表中", f"{value!r} is not in the code list {scheme!r}")
            return None
        return NamedNode(iri)

    def provider(self, dataset: NamedNode) -> None:
        credit_code = _nfkc(self.values["信息资源提供方代码"])
        if not credit_code:
            self.error(
                "信息资源提供方代码",
                "信息资源提供方代码为空，无法确定提供方",
                "the provider code (信息资源提供方代码) is empty, so the provider cannot be identified",
            )
            return
        organization = NamedNode(ns.organization(credit_code))
        self.triples.append(Triple(dataset, NamedNode(ns.DCT + "publisher"), organization))
        add = self._adder(organization)
        add(_RDF_TYPE, _FOAF_ORGANIZATION)
        add(NamedNode(ns.FOAF + "name"), self.text("信息资源提供方"))
        add(NamedNode(ns.GC + "creditCode"), Literal(credit_code))

    def data_elements(self, dataset: NamedNode, iri: str) -> None:
        """``名称:类型;名称:类型…`` → one ``gc:DataElement`` per item, numbered in the order given."""
        items = _split(self.values["信息项"], _ELEMENT_SEPARATORS)
        for position, item in enumerate(items, start=1):
            colon = max(item.rfind(":"), item.rfind("："))
            name, data_type = _clean(item[:colon]), _nfkc(item[colon + 1 :])
            if colon < 0 or not name or not data_type:
                self.error(
                    "信息项",
                    f"信息项“{item}”应写作“名称:类型”，如“姓名:C”",
                    f"the data element {item!r} should read 'name:type', e.g. '姓名:C'",
                )
                continue
            concept = self.vocabulary.concept("data-type", data_type)
            if concept is None:
                self.error(
                    "信息项",
                    f"信息项“{name}”的数据类型“{data_type}”不在数据类型代码表中",
                    f"data type {data_type!r} of data element {name!r} is not in the data-type code list",
                )
                continue
            element = NamedNode(f"{iri}/element/{position}")
            self.triples.append(Triple(dataset, NamedNode(ns.GC + "dataElement"), element))
            add = self._adder(element)
            add(_RDF_TYPE, _GC_DATA_ELEMENT)
            add(NamedNode(ns.DCT + "title"), Literal(name, language="zh"))
            add(NamedNode(ns.GC + "dataType"), NamedNode(concept))
            add(NamedNode(ns.GC + "position"), Literal(position))

    def sharing_method(self, dataset: NamedNode) -> None:
        """``分类/类型`` such as ``共享平台方式/接口``; empty is allowed (不予共享 has no method)."""
        value = _nfkc(self.values["共享方式"])
        if not value:
            return
        parts = [part.strip() for part in value.split("/")]
        if len(parts) > 2:
            self.error(
                "共享方式",
                "共享方式应写作“分类/类型”，如“共享平台方式/接口”",
                "the sharing method should read 'category/type', e.g. '共享平台方式/接口'",
            )
            return
        add = self._adder(dataset)
        schemes = ("sharing-method-category", "sharing-method-type")
        predicates = (NamedNode(ns.GC + "sharingMethodCategory"), NamedNode(ns.GC + "sharingMethodType"))
        for part, scheme, predicate in zip(parts, schemes, predicates, strict=False):
            add(predicate, self.concept("共享方式", scheme, part))

    def openness(self) -> NamedNode | None:
        """是否向社会开放 + 开放条件 → the openness concept; an openness label or code is taken as is."""
        value = _nfkc(self.values["是否向社会开放"])
        answer = _yes_no(value)
        if answer is None:
            if not value:
                return None
            concept = self.vocabulary.concept("openness", value)
            if concept is None:
                self.error(
                    "是否向社会开放",
                    f"是否向社会开放应填“是”或“否”，而不是“{value}”",
                    f"是否向社会开放 (open to the public) must be 是 or 否, not {value!r}",
                )
                return None
            return NamedNode(concept)
        if not answer:
            return NamedNode(ns.code("openness", "3"))  # 不予开放
        return NamedNode(ns.code("openness", "2" if self.values["开放条件"] else "1"))  # 有条件 / 无条件开放

    def date(self, column: str) -> Literal | None:
        value = _nfkc(self.values[column])
        if not value:
            return None
        match = _DATE.match(value)
        try:
            if match is None:
                raise ValueError(value)
            day = dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            self.error(
                column,
                f"“{value}”不是有效日期，应写作 YYYY-MM-DD",
                f"{value!r} is not a date; write YYYY-MM-DD",
            )
            return None
        return Literal(day.isoformat(), datatype=_XSD_DATE)

    def division(self, dataset: NamedNode) -> None:
        """行政区划代码 → dct:spatial, and 层级 from its column or else from the division."""
        code = _nfkc(self.values["行政区划代码"])
        add = self._adder(dataset)
        level = self.concept("层级", "level", _nfkc(self.values.get("层级", "")))
        if not code:
            add(NamedNode(ns.GC + "level"), level)
            return
        region = self.vocabulary.region(code)
        if region is None:
            self.error("行政区划代码", f"“{code}”不是已知的行政区划代码", f"{code!r} is not a known division code")
            return
        add(NamedNode(ns.DCT + "spatial"), NamedNode(region))
        if level is None and not self.values.get("层级"):
            derived = self.vocabulary.region_level(code)
            level = NamedNode(derived) if derived else None
        add(NamedNode(ns.GC + "level"), level)

    def classified(self) -> Literal | None:
        value = _nfkc(self.values.get("涉密属性", ""))
        answer = _yes_no(value) if value else False
        if answer is None:
            self.error(
                "涉密属性",
                f"涉密属性应填“是”或“否”，而不是“{value}”",
                f"classified must be 是 or 否, not {value!r}",
            )
            return None
        return Literal(answer)


def _split(value: str, separators: re.Pattern[str]) -> list[str]:
    """The non-empty parts of a multi-valued cell (a trailing separator is harmless)."""
    return [part for part in (_clean(piece) for piece in separators.split(value)) if part]


def _yes_no(value: str) -> bool | None:
    answer = value.casefold()
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    return None

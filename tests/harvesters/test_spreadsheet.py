"""The department template reader: encodings, header variants, row errors and the mapping of each column."""

import csv
import datetime as dt
import io
import random
from pathlib import Path

import openpyxl
import pytest
from pyoxigraph import Literal, NamedNode, Triple

from catalog_service import namespaces as ns
from catalog_service.uscc import check_character
from harvesters.spreadsheet import (
    COLUMNS,
    REQUIRED_COLUMNS,
    RowError,
    TemplateError,
    TemplateResult,
    read_template,
    write_template,
    write_template_xlsx,
)

GC = ns.GC
DCT = ns.DCT
XSD_DATE = NamedNode(ns.XSD + "date")


def credit(first17: str) -> str:
    return first17 + check_character(first17)


BASIC = {
    "信息资源分类": "基础/人口",
    "信息资源名称": "常住人口基本信息",
    "信息资源代码": "1010001/000123",
    "信息资源提供方": "杭州市公安局",
    "信息资源提供方代码": credit("11330100002489170"),
    "信息资源摘要": "杭州市常住人口的姓名、公民身份号码、出生日期等基本信息。",
    "信息资源格式": "数据库",
    "信息项": "姓名:C;公民身份号码:C;出生日期:D",
    "共享类型": "有条件共享",
    "共享条件": "仅限政务部门依法履职使用",
    "共享方式": "共享平台方式/接口",
    "不予共享依据": "",
    "是否向社会开放": "否",
    "开放条件": "",
    "更新周期": "每日",
    "发布日期": "2023-03-15",
    "关联资源代码": "",
    "行政区划代码": "330100",
    "用途": "作为行政依据；数据校核",
    "使用要求": "不得向第三方提供",
    "层级": "",
    "涉密属性": "",
    "关键词": "人口;户籍",
}
THEME = {
    **BASIC,
    "信息资源分类": "主题/社会保障",
    "信息资源名称": "城乡居民养老保险参保信息",
    "信息资源代码": "2030001/000045",
    "信息资源提供方": "浙江省人力资源和社会保障厅",
    "信息资源提供方代码": credit("11330000002482162"),
    "信息资源摘要": "全省城乡居民基本养老保险参保人员的参保状态和缴费档次。",
    "信息资源格式": "电子表格、服务接口",
    "信息项": "姓名：C；参保状态：字符型；缴费档次：N；",
    "共享类型": "1",
    "共享条件": "",
    "共享方式": "共享平台方式／数据库",
    "是否向社会开放": "是",
    "开放条件": "仅开放汇总统计数据",
    "更新周期": "每月",
    "发布日期": "2024-01-10",
    "关联资源代码": "1010001/000123；1010001/000124",
    "行政区划代码": "330000",
    "用途": "业务协同",
    "使用要求": "",
    "层级": "省",
    "涉密属性": "否",
    "关键词": "",
}
DEPARTMENT = {
    **BASIC,
    "信息资源分类": "部门",
    "信息资源名称": "内部审计工作底稿",
    "信息资源代码": "3000001/000007",
    "信息资源提供方": "审计署",
    "信息资源提供方代码": credit("11100000000013301"),
    "信息资源摘要": "审计项目实施过程中形成的工作底稿，含被审计单位的敏感信息。",
    "信息资源格式": "电子文件",
    "信息项": "项目名称:C;审计日期:D;底稿内容:M",
    "共享类型": "不予共享",
    "共享条件": "",
    "共享方式": "",
    "不予共享依据": "《中华人民共和国审计法》相关规定",
    "是否向社会开放": "否",
    "开放条件": "",
    "更新周期": "其他",
    "发布日期": "2022-12-01",
    "行政区划代码": "100000",
    "用途": "",
    "使用要求": "",
    "层级": "",
    "涉密属性": "否",
    "关键词": "",
}
ROWS = [BASIC, THEME, DEPARTMENT]


def iri(identifier: str) -> NamedNode:
    return NamedNode(ns.resource(identifier))


def objects(result: TemplateResult, subject: NamedNode, predicate: str) -> set:
    return {t.object for t in result.triples if t.subject == subject and t.predicate == NamedNode(predicate)}


def concept(scheme: str, notation: str) -> NamedNode:
    return NamedNode(ns.code(scheme, notation))


def read_rows(rows: list[dict[str, str]], tmp_path: Path) -> TemplateResult:
    path = tmp_path / "rows.csv"
    write_template(rows, path)
    return read_template(path)


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


@pytest.fixture
def reference(tmp_path: Path) -> set[Triple]:
    result = read_rows(ROWS, tmp_path)
    assert result.row_errors == []
    return set(result.triples)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_reads_to_the_same_triples(tmp_path: Path, reference: set[Triple], encoding: str):
    path = tmp_path / f"{encoding}.csv"
    write_template(ROWS, path, encoding=encoding)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = read_template(path)
    assert result.row_errors == []
    assert result.rows_read == 3
    assert set(result.triples) == reference
    assert len(reference) > 60


def test_xlsx_reads_to_the_same_triples_with_dates_as_date_cells(tmp_path: Path, reference: set[Triple]):
    path = tmp_path / "template.xlsx"
    write_template_xlsx(ROWS, path)
    sheet = openpyxl.load_workbook(path).active
    assert isinstance(sheet.cell(row=2, column=COLUMNS.index("发布日期") + 1).value, dt.datetime)
    result = read_template(path)
    assert result.row_errors == []
    assert set(result.triples) == reference


def test_content_decides_the_format_when_there_is_no_file_name(tmp_path: Path, reference: set[Triple]):
    write_template_xlsx(ROWS, tmp_path / "a.xlsx")
    write_template(ROWS, tmp_path / "a.csv", encoding="gbk")
    assert set(read_template((tmp_path / "a.xlsx").read_bytes()).triples) == reference
    assert set(read_template((tmp_path / "a.csv").read_bytes()).triples) == reference


def test_gb18030_keeps_characters_outside_gbk(tmp_path: Path):
    rows = [{**BASIC, "信息资源名称": "含生僻字𠀀、䶮的姓名登记信息"}]
    with pytest.raises(UnicodeEncodeError):
        write_template(rows, tmp_path / "x.csv", encoding="gbk")
    write_template(rows, tmp_path / "gb18030.csv", encoding="gb18030")
    write_template(rows, tmp_path / "utf8.csv")
    write_template_xlsx(rows, tmp_path / "x.xlsx")
    gb = read_template(tmp_path / "gb18030.csv")
    assert objects(gb, iri("1010001/000123"), DCT + "title") == {Literal("含生僻字𠀀、䶮的姓名登记信息", language="zh")}
    assert set(gb.triples) == set(read_template(tmp_path / "utf8.csv").triples)
    assert set(gb.triples) == set(read_template(tmp_path / "x.xlsx").triples)


def test_the_example_template_files_read_without_errors():
    folder = Path(__file__).resolve().parents[2] / "examples" / "template"
    csv_result = read_template(folder / "template.csv")
    xlsx_result = read_template(folder / "政务信息资源目录模板.xlsx")
    assert (folder / "template.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert csv_result.row_errors == [] and len(csv_result.records) == 2
    assert set(csv_result.triples) == set(xlsx_result.triples)


def test_header_cells_tolerate_spaces_marks_notes_and_full_width_forms(tmp_path: Path, reference: set[Triple]):
    decorated = {
        "信息资源名称": "  信息资源名称 ",
        "信息资源代码": "\u3000信息资源代码（必填）",
        "共享类型": "*共享类型",
        "信息项": "信息项：",
        "行政区划代码": "行政区划\n代码 (6位)",
        "发布日期": "\ufeff发布日期＊",
    }
    header = [decorated.get(column, column) for column in COLUMNS]
    data = [[row.get(column, "") for column in COLUMNS] for row in ROWS]
    result = read_template(csv_bytes(header, data), filename="x.csv")
    assert result.row_errors == []
    assert set(result.triples) == reference


def test_a_title_row_above_the_header_and_unknown_columns_are_ignored(reference: set[Triple]):
    header = ["备注", *COLUMNS]
    data = [["", *[row.get(column, "") for column in COLUMNS]] for row in ROWS]
    text = "XX市政务信息资源目录\n\n" + csv_bytes(header, data).decode()
    result = read_template(text.encode(), filename="x.csv")
    assert set(result.triples) == reference
    assert result.rows_read == 3


def test_optional_columns_may_be_left_out():
    data = [[BASIC[column] for column in REQUIRED_COLUMNS]]
    result = read_template(csv_bytes(list(REQUIRED_COLUMNS), data), filename="x.csv")
    subject = iri("1010001/000123")
    assert result.row_errors == []
    assert objects(result, subject, GC + "classified") == {Literal(False)}
    assert objects(result, subject, GC + "level") == {concept("level", "3")}
    assert objects(result, subject, GC + "usePurpose") == set()


def test_missing_columns_raise_one_error_naming_them():
    header = [c for c in COLUMNS if c not in ("更新周期", "行政区划代码")]
    with pytest.raises(TemplateError) as caught:
        read_template(csv_bytes(header, [["x"] * len(header)]), filename="x.csv")
    assert "更新周期" in caught.value.message_zh and "行政区划代码" in caught.value.message_zh
    assert "更新周期" in caught.value.message_en and "行政区划代码" in caught.value.message_en
    assert "信息资源名称" not in str(caught.value)


def test_empty_file_and_repeated_column_are_template_errors():
    with pytest.raises(TemplateError, match="empty"):
        read_template(b"\n\n", filename="x.csv")
    with pytest.raises(TemplateError, match="共享类型"):
        read_template(csv_bytes([*COLUMNS, "共享类型"], []), filename="x.csv")


@pytest.mark.parametrize(
    "data",
    [
        "信息资源名称,信息资源代码\n常住人口,1010001/000123\n".encode("utf-16"),
        "信息资源名称,信息资源代码\n".encode("utf-16-le"),
        "信息资源名称,信息资源代码\n".encode("utf-16-be"),
        random.Random(7).randbytes(4096).replace(b"\x00", b"\x01"),
        b"abc,def\n\x01\x02\x03,x\n",
    ],
    ids=["utf-16", "utf-16-le", "utf-16-be", "binary", "control-characters"],
)
def test_unknown_encodings_are_refused_clearly(data: bytes):
    with pytest.raises(TemplateError) as caught:
        read_template(data, filename="x.csv")
    assert "无法识别文件编码" in caught.value.message_zh
    assert "unknown encoding" in caught.value.message_en


def test_files_that_are_not_workbooks_are_refused():
    with pytest.raises(TemplateError, match="XLSX"):
        read_template(b"a,b\n", filename="x.xlsx")
    with pytest.raises(TemplateError, match=r"\.xls"):
        read_template(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, filename="x.xls")
    with pytest.raises(TemplateError, match="XLSX"):
        read_template(b"PK\x03\x04 not really a zip", filename="x.xlsx")


def test_a_bad_code_skips_only_its_row(tmp_path: Path):
    result = read_rows([BASIC, {**THEME, "共享类型": "部分共享"}, DEPARTMENT], tmp_path)
    assert result.row_errors == [
        RowError(3, "共享类型", "部分共享", result.row_errors[0].message_zh, result.row_errors[0].message_en)
    ]
    assert "部分共享" in result.row_errors[0].message_zh
    assert result.rows_read == 3
    assert result.records == [ns.resource("1010001/000123"), ns.resource("3000001/000007")]
    assert not any(t.subject == iri("2030001/000045") for t in result.triples)


def test_row_numbers_count_blank_rows_and_one_row_reports_all_its_problems(tmp_path: Path):
    bad = {
        **BASIC,
        "信息资源代码": "1010001/000200",
        "发布日期": "2023-02-30",
        "信息项": "姓名:C;出生日期",
        "行政区划代码": "999999",
        "涉密属性": "未知",
        "是否向社会开放": "也许",
    }
    header = list(COLUMNS)
    data = [[row.get(c, "") for c in COLUMNS] for row in (BASIC, {}, bad)]
    result = read_template(csv_bytes(header, data), filename="x.csv")
    assert result.rows_read == 2
    assert {(e.row, e.column) for e in result.row_errors} == {
        (4, "发布日期"),
        (4, "信息项"),
        (4, "行政区划代码"),
        (4, "涉密属性"),
        (4, "是否向社会开放"),
    }
    assert result.records == [ns.resource("1010001/000123")]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("信息资源代码", ""),
        ("信息资源提供方代码", ""),
        ("信息资源分类", "基础/天气"),
        ("信息资源格式", "数据库;纸质"),
        ("用途", "作为行政依据、随便看看"),
        ("共享方式", "共享平台方式/接口/文件"),
        ("共享方式", "共享平台方式/传真"),
        ("更新周期", "偶尔"),
        ("层级", "乡"),
        ("发布日期", "15/03/2023"),
        ("信息项", "姓名:Q"),
        ("信息项", ":C"),
    ],
)
def test_structural_and_code_list_problems_are_row_errors(tmp_path: Path, column: str, value: str):
    result = read_rows([{**BASIC, column: value}, THEME], tmp_path)
    assert [(e.row, e.column, e.value) for e in result.row_errors] == [(2, column, value)]
    assert result.records == [ns.resource("2030001/000045")]


def test_a_repeated_identifier_is_an_error_on_the_later_row(tmp_path: Path):
    result = read_rows([BASIC, THEME, {**DEPARTMENT, "信息资源代码": "1010001/000123"}], tmp_path)
    assert [(e.row, e.column) for e in result.row_errors] == [(4, "信息资源代码")]
    assert "2" in result.row_errors[0].message_zh
    assert objects(result, iri("1010001/000123"), DCT + "title") == {Literal("常住人口基本信息", language="zh")}


def test_problems_for_the_shapes_are_not_row_errors(tmp_path: Path):
    row = {**BASIC, "信息资源提供方代码": "113301000024891700", "共享条件": "", "信息资源名称": "", "发布日期": ""}
    result = read_rows([row], tmp_path)
    assert result.row_errors == []
    subject = iri("1010001/000123")
    assert objects(result, subject, DCT + "title") == set()
    assert objects(result, subject, DCT + "issued") == set()
    assert objects(result, subject, DCT + "publisher") == {NamedNode(ns.organization("113301000024891700"))}


def test_a_row_maps_to_the_profile(tmp_path: Path):
    result = read_rows(ROWS, tmp_path)
    subject = iri("1010001/000123")
    org = NamedNode(ns.organization(BASIC["信息资源提供方代码"]))
    assert objects(result, subject, ns.RDF + "type") == {NamedNode(ns.DCAT + "Dataset")}
    assert objects(result, subject, DCT + "identifier") == {Literal("1010001/000123")}
    assert objects(result, subject, GC + "resourceCategory") == {concept("resource-category", "101")}
    assert objects(result, subject, DCT + "description") == {Literal(BASIC["信息资源摘要"], language="zh")}
    assert objects(result, subject, DCT + "publisher") == {org}
    assert objects(result, org, ns.RDF + "type") == {NamedNode(ns.FOAF + "Organization")}
    assert objects(result, org, ns.FOAF + "name") == {Literal("杭州市公安局", language="zh")}
    assert objects(result, org, GC + "creditCode") == {Literal(BASIC["信息资源提供方代码"])}
    assert objects(result, subject, GC + "resourceFormat") == {concept("resource-format", "3")}
    assert objects(result, subject, GC + "sharingType") == {concept("sharing-type", "2")}
    assert objects(result, subject, GC + "sharingCondition") == {Literal("仅限政务部门依法履职使用", language="zh")}
    assert objects(result, subject, GC + "sharingMethodCategory") == {concept("sharing-method-category", "1")}
    assert objects(result, subject, GC + "sharingMethodType") == {concept("sharing-method-type", "2")}
    assert objects(result, subject, DCT + "accrualPeriodicity") == {concept("update-frequency", "2")}
    assert objects(result, subject, DCT + "issued") == {Literal("2023-03-15", datatype=XSD_DATE)}
    assert objects(result, subject, DCT + "spatial") == {NamedNode(ns.region("330100"))}
    assert objects(result, subject, GC + "level") == {concept("level", "3")}
    assert objects(result, subject, GC + "classified") == {Literal(False)}
    assert objects(result, subject, GC + "usePurpose") == {concept("use-purpose", "1"), concept("use-purpose", "3")}
    assert objects(result, subject, GC + "useRequirement") == {Literal("不得向第三方提供", language="zh")}
    assert objects(result, subject, ns.DCAT + "keyword") == {
        Literal("人口", language="zh"),
        Literal("户籍", language="zh"),
    }
    assert objects(result, subject, GC + "nonSharingBasis") == set()
    assert result.records == [ns.resource(r["信息资源代码"]) for r in ROWS]


def test_a_provider_on_several_rows_is_stated_once(tmp_path: Path):
    second = {**BASIC, "信息资源代码": "1010001/000124"}
    result = read_rows([BASIC, second], tmp_path)
    org = NamedNode(ns.organization(BASIC["信息资源提供方代码"]))
    assert sum(1 for t in result.triples if t.subject == org and t.predicate == NamedNode(ns.FOAF + "name")) == 1
    assert len(result.triples) == len(set(result.triples))


def test_data_elements_are_numbered_nodes(tmp_path: Path):
    result = read_rows(ROWS, tmp_path)
    subject = iri("2030001/000045")
    base = ns.resource("2030001/000045")
    elements = [NamedNode(f"{base}/element/{n}") for n in (1, 2, 3)]
    assert objects(result, subject, GC + "dataElement") == set(elements)
    expected = [("姓名", "C"), ("参保状态", "C"), ("缴费档次", "N")]
    for n, (element, (name, data_type)) in enumerate(zip(elements, expected, strict=True), start=1):
        assert objects(result, element, ns.RDF + "type") == {NamedNode(GC + "DataElement")}
        assert objects(result, element, DCT + "title") == {Literal(name, language="zh")}
        assert objects(result, element, GC + "dataType") == {concept("data-type", data_type)}
        assert objects(result, element, GC + "position") == {Literal(n)}


@pytest.mark.parametrize(
    ("open_to_public", "condition", "notation"),
    [("否", "", "3"), ("否", "不适用", "3"), ("是", "", "1"), ("是", "仅开放统计数据", "2"), ("有条件开放", "x", "2")],
)
def test_openness_follows_the_answer_and_the_conditions(
    tmp_path: Path, open_to_public: str, condition: str, notation: str
):
    result = read_rows([{**BASIC, "是否向社会开放": open_to_public, "开放条件": condition}], tmp_path)
    subject = iri("1010001/000123")
    assert objects(result, subject, GC + "openness") == {concept("openness", notation)}
    expected = {Literal(condition, language="zh")} if condition else set()
    assert objects(result, subject, GC + "openCondition") == expected


def test_relations_levels_and_unshared_rows(tmp_path: Path):
    result = read_rows(ROWS, tmp_path)
    theme, department = iri("2030001/000045"), iri("3000001/000007")
    assert objects(result, theme, DCT + "relation") == {iri("1010001/000123"), iri("1010001/000124")}
    assert objects(result, theme, GC + "level") == {concept("level", "2")}
    assert objects(result, theme, GC + "resourceFormat") == {
        concept("resource-format", "2"),
        concept("resource-format", "7"),
    }
    assert objects(result, theme, GC + "openness") == {concept("openness", "2")}
    assert objects(result, department, GC + "level") == {concept("level", "1")}
    assert objects(result, department, DCT + "spatial") == {NamedNode(ns.region("100000"))}
    assert objects(result, department, GC + "resourceCategory") == {concept("resource-category", "3")}
    assert objects(result, department, GC + "sharingMethodCategory") == set()
    assert objects(result, department, GC + "sharingMethodType") == set()
    assert objects(result, department, GC + "nonSharingBasis") == {
        Literal("《中华人民共和国审计法》相关规定", language="zh")
    }
    assert objects(result, department, DCT + "relation") == set()


def test_xlsx_cells_of_other_types_read_as_their_text(tmp_path: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    values = [BASIC.get(column, "") for column in COLUMNS]
    values[COLUMNS.index("行政区划代码")] = 330100
    values[COLUMNS.index("发布日期")] = dt.datetime(2023, 3, 15)
    values[COLUMNS.index("涉密属性")] = False
    sheet.append(values)
    path = tmp_path / "typed.xlsx"
    workbook.save(path)
    result = read_template(path)
    subject = iri("1010001/000123")
    assert result.row_errors == []
    assert objects(result, subject, DCT + "spatial") == {NamedNode(ns.region("330100"))}
    assert objects(result, subject, DCT + "issued") == {Literal("2023-03-15", datatype=XSD_DATE)}
    assert objects(result, subject, GC + "classified") == {Literal(False)}

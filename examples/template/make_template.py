"""Regenerate the blank department template with two filled-in example rows.

Run ``python -m examples.template.make_template`` from the repository root (or the script itself once the
project is installed) after changing the template's columns, so the files departments download always match
what :mod:`harvesters.spreadsheet` reads. The organisations' credit codes
are made up, with correct GB 32100 check characters.
"""

from pathlib import Path

from catalog_service.uscc import check_character
from harvesters.spreadsheet import write_template, write_template_xlsx

HERE = Path(__file__).resolve().parent


def credit_code(first17: str) -> str:
    """A credit code with the check character that makes it valid."""
    return first17 + check_character(first17)


EXAMPLE_ROWS: list[dict[str, str]] = [
    {
        "信息资源分类": "基础/人口",
        "信息资源名称": "常住人口基本信息",
        "信息资源代码": "1010001/000001",
        "信息资源提供方": "杭州市公安局",
        "信息资源提供方代码": credit_code("11330100002489170"),
        "信息资源摘要": (
            "杭州市常住人口的姓名、公民身份号码、性别、出生日期和户籍地址等基本信息，用于人口统计和公共服务办理。"
        ),
        "信息资源格式": "数据库",
        "信息项": "姓名:C;公民身份号码:C;性别:C;出生日期:D;户籍地址:C",
        "共享类型": "有条件共享",
        "共享条件": "仅限政务部门依法履行职责使用，需经提供方审核同意",
        "共享方式": "共享平台方式/接口",
        "不予共享依据": "",
        "是否向社会开放": "否",
        "开放条件": "",
        "更新周期": "每日",
        "发布日期": "2023-03-15",
        "关联资源代码": "",
        "行政区划代码": "330100",
        "用途": "作为行政依据;数据校核",
        "使用要求": "不得向第三方提供，调用记录留存备查",
        "层级": "市",
        "涉密属性": "否",
        "关键词": "人口;户籍;身份证",
    },
    {
        "信息资源分类": "主题/社会保障",
        "信息资源名称": "城乡居民基本养老保险参保信息",
        "信息资源代码": "2030001/000012",
        "信息资源提供方": "杭州市人力资源和社会保障局",
        "信息资源提供方代码": credit_code("11330100002489375"),
        "信息资源摘要": "杭州市城乡居民基本养老保险的参保人员、参保状态、参保日期和缴费档次信息，每月更新。",
        "信息资源格式": "电子表格;服务接口",
        "信息项": "姓名:C;公民身份号码:C;参保状态:C;参保日期:D;缴费档次:N",
        "共享类型": "无条件共享",
        "共享条件": "",
        "共享方式": "共享平台方式/数据库",
        "不予共享依据": "",
        "是否向社会开放": "是",
        "开放条件": "仅开放按区、县（市）汇总的统计数据，不含个人信息",
        "更新周期": "每月",
        "发布日期": "2024-01-10",
        "关联资源代码": "1010001/000001",
        "行政区划代码": "330100",
        "用途": "业务协同",
        "使用要求": "",
        "层级": "",
        "涉密属性": "否",
        "关键词": "养老保险;社会保障",
    },
]


def main() -> None:
    write_template(EXAMPLE_ROWS, HERE / "template.csv", encoding="utf-8-sig")
    write_template_xlsx(EXAMPLE_ROWS, HERE / "政务信息资源目录模板.xlsx")


if __name__ == "__main__":
    main()

"""The web pages' words in Chinese and English: one small catalog, so no template holds a bare label.

Pages are Chinese by default (the catalog's officials read Chinese); ``?lang=en`` switches to English. A key
missing in one language is a programming error and fails at import (see :func:`_check`), so a page never
shows a key or a blank where a label belongs.

Usage::

    translate("nav.search", "en")            # -> "Search"
    translate("search.total", "zh", total=3)  # -> "共 3 条"
    in_language({"zh": "江苏省"}, "en")       # -> "江苏省": data without an English label fall back to Chinese
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
"""The BCP 47 tag of each language for ``<html lang>``: screen readers and fonts depend on it."""
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
"""Each language named in itself, as a language switch should."""

MESSAGES: dict[str, dict[str, str]] = {
    "site.name": {"zh": "政务信息资源目录", "en": "Government Information Resource Catalog"},
    "site.tagline": {
        "zh": "国家、省、市、县各级政务信息资源的汇总目录",
        "en": "The information resources of national, provincial, city and county governments in one catalog",
    },
    "skip": {"zh": "跳到正文", "en": "Skip to main content"},
    "nav.label": {"zh": "主导航", "en": "Main navigation"},
    "nav.home": {"zh": "首页", "en": "Home"},
    "nav.search": {"zh": "资源检索", "en": "Search"},
    "nav.catalogs": {"zh": "目录体系", "en": "Catalog tree"},
    "nav.sources": {"zh": "采集数据源", "en": "Harvest sources"},
    "nav.sparql": {"zh": "SPARQL 查询", "en": "SPARQL query"},
    "lang.switch": {"zh": "语言", "en": "Language"},
    "footer.text": {
        "zh": "本目录依据《政务信息资源目录编制指南》汇总各级目录，元数据以 DCAT 发布。",
        "en": "This catalog brings together the catalogs of every level under the national compilation guide; "
        "its metadata are published as DCAT.",
    },
    "footer.export": {"zh": "DCAT 全量导出（Turtle）", "en": "Whole catalog as DCAT (Turtle)"},
    "footer.openapi": {"zh": "OpenAPI 接口说明", "en": "OpenAPI description"},
    # home
    "home.title": {"zh": "首页", "en": "Home"},
    "home.total": {"zh": "目录共收录 {total} 条信息资源", "en": "{total} information resources in the catalog"},
    "home.by_level": {"zh": "按层级", "en": "By level"},
    "home.by_sharing": {"zh": "按共享类型", "en": "By sharing type"},
    "home.explore": {"zh": "浏览与查询", "en": "Explore"},
    "home.catalogs": {
        "zh": "从国家到省、市、县逐级查看各部门的目录。",
        "en": "Browse each department's catalog, from the national level down to the counties.",
    },
    "home.sources": {
        "zh": "各级目录的采集情况：最近运行、新增与变更、校验未通过的记录。",
        "en": "How each level's catalog was harvested: recent runs, additions and changes, records that failed "
        "validation.",
    },
    "home.sparql": {
        "zh": "用 SPARQL 跨层级查询目录知识图谱，附示例查询。",
        "en": "Query the catalog's knowledge graph across levels with SPARQL, with example queries.",
    },
    "catalogs.count": {"zh": "{count} 条", "en": "{count} resources"},
    "level.label": {"zh": "层级", "en": "Level"},
    "sharing.label": {"zh": "共享类型", "en": "Sharing type"},
    "home.count_column": {"zh": "资源数", "en": "Resources"},
    # search
    "search.title": {"zh": "资源检索", "en": "Search"},
    "search.label": {"zh": "检索词", "en": "Search terms"},
    "search.placeholder": {"zh": "如：人口、社保、营业执照", "en": "e.g. 人口, 社保, 营业执照"},
    "search.submit": {"zh": "检索", "en": "Search"},
    "search.results": {"zh": "检索结果", "en": "Results"},
    "search.total": {"zh": "共 {total} 条", "en": "{total} results"},
    "search.range": {"zh": "第 {first}–{last} 条", "en": "showing {first}–{last}"},
    "search.none": {
        "zh": "没有找到符合条件的信息资源。请换用其他检索词或减少筛选条件。",
        "en": "No information resource matches. Try other words or fewer filters.",
    },
    "search.filters": {"zh": "筛选", "en": "Filters"},
    "search.active": {"zh": "已选条件", "en": "Active filters"},
    "search.remove": {"zh": "移除筛选：{label}", "en": "Remove filter: {label}"},
    "search.clear": {"zh": "清除全部筛选", "en": "Clear all filters"},
    "search.selected": {"zh": "（已选，点击取消）", "en": "(selected; select again to remove)"},
    "search.sort": {"zh": "排序", "en": "Sort by"},
    "sort.relevance": {"zh": "相关度", "en": "Relevance"},
    "sort.modified": {"zh": "最近更新", "en": "Last modified"},
    "search.modified": {"zh": "更新于", "en": "Modified"},
    "pager.label": {"zh": "分页", "en": "Pages"},
    "pager.previous": {"zh": "上一页", "en": "Previous"},
    "pager.next": {"zh": "下一页", "en": "Next"},
    "pager.page": {"zh": "第 {page} 页", "en": "Page {page}"},
    "facet.level": {"zh": "层级", "en": "Level"},
    "facet.region": {"zh": "行政区划", "en": "Division"},
    "facet.publisher": {"zh": "提供方", "en": "Provider"},
    "facet.sharing": {"zh": "共享类型", "en": "Sharing type"},
    "facet.openness": {"zh": "开放属性", "en": "Openness"},
    "facet.theme": {"zh": "资源分类", "en": "Classification"},
    "facet.format": {"zh": "资源格式", "en": "Format"},
    "facet.frequency": {"zh": "更新周期", "en": "Update cycle"},
    # dataset
    "dataset.identifier": {"zh": "信息资源代码", "en": "Identifier"},
    "dataset.elements": {"zh": "核心元数据", "en": "Core metadata"},
    "dataset.sharing": {"zh": "共享与开放", "en": "Sharing and openness"},
    "dataset.element": {"zh": "元素", "en": "Element"},
    "dataset.value": {"zh": "取值", "en": "Value"},
    "dataset.keywords": {"zh": "关键词", "en": "Keywords"},
    "dataset.data_elements": {"zh": "信息项", "en": "Data elements"},
    "dataset.data_elements_caption": {"zh": "信息项（共 {count} 项）", "en": "Data elements ({count})"},
    "dataset.position": {"zh": "序号", "en": "No."},
    "dataset.distributions": {"zh": "资源分发", "en": "Distributions"},
    "dataset.services": {"zh": "数据服务", "en": "Data services"},
    "dataset.none": {"zh": "无", "en": "None"},
    "dataset.provenance": {"zh": "来源与采集记录", "en": "Provenance"},
    "dataset.authoritative_text": {
        "zh": "本条目的权威副本来自数据源 {source}（{level}，{region}）。",
        "en": "The authoritative copy of this entry comes from source {source} ({level}, {region}).",
    },
    "dataset.no_authoritative": {
        "zh": "尚未采集到本条目的权威副本，当前显示的是其他目录转载的版本。",
        "en": "The authoritative copy of this entry has not been harvested yet; a copy republished by another "
        "catalog is shown.",
    },
    "dataset.description_from": {"zh": "当前描述取自数据源 {source}。", "en": "The description shown is {source}'s."},
    "dataset.records_caption": {
        "zh": "本条目经过的数据源及层级（共 {count} 个）",
        "en": "Sources and levels this entry came through ({count})",
    },
    "dataset.source": {"zh": "数据源", "en": "Source"},
    "dataset.region": {"zh": "行政区划", "en": "Division"},
    "dataset.first_seen": {"zh": "首次采集", "en": "First seen"},
    "dataset.last_changed": {"zh": "最近变更", "en": "Last changed"},
    "dataset.modified": {"zh": "资源更新日期", "en": "Resource modified"},
    "dataset.is_authoritative": {"zh": "权威", "en": "Authoritative"},
    "dataset.downloads": {"zh": "机器可读格式", "en": "Machine-readable formats"},
    "dataset.iri": {"zh": "资源标识（IRI）", "en": "Resource IRI"},
    "dataset.access_url": {"zh": "访问地址", "en": "Access URL"},
    "dataset.download_url": {"zh": "下载地址", "en": "Download URL"},
    "dataset.format": {"zh": "格式", "en": "Format"},
    "dataset.media_type": {"zh": "媒体类型", "en": "Media type"},
    "dataset.endpoint_url": {"zh": "服务地址", "en": "Endpoint URL"},
    "dataset.endpoint_description": {"zh": "服务说明", "en": "Endpoint description"},
    "dataset.description": {"zh": "说明", "en": "Description"},
    "yes": {"zh": "是", "en": "Yes"},
    "no": {"zh": "否", "en": "No"},
    # catalog tree
    "catalogs.title": {"zh": "目录体系", "en": "Catalog tree"},
    "catalogs.intro": {
        "zh": "国家 → 省 → 市 → 县 → 部门，括号内为信息资源数（含下级）。展开各级查看下级目录。",
        "en": "National → province → city → county → department, with the number of resources (lower levels "
        "included). Expand a level to see the catalogs below it.",
    },
    "catalogs.search_region": {"zh": "检索{label}的资源", "en": "Search the resources of {label}"},
    "catalogs.department": {"zh": "部门", "en": "Department"},
    "catalogs.harvested": {"zh": "采集的目录", "en": "Harvested catalogs"},
    # sources
    "sources.title": {"zh": "采集数据源", "en": "Harvest sources"},
    "sources.intro": {
        "zh": "各数据源的最近采集运行：状态、新增/更新/未变/移除的记录数、校验未通过与映射失败的记录、错误。",
        "en": "Each source's recent harvest runs: status, records added, updated, unchanged and removed, records "
        "that failed validation or mapping, and errors.",
    },
    "sources.overview": {"zh": "概览", "en": "Overview"},
    "sources.overview_caption": {
        "zh": "各数据源的最近一次运行（共 {count} 个数据源）",
        "en": "The last run of each source ({count} sources)",
    },
    "sources.source": {"zh": "数据源", "en": "Source"},
    "sources.type": {"zh": "类型", "en": "Type"},
    "sources.schedule": {"zh": "采集计划", "en": "Schedule"},
    "sources.version": {"zh": "当前版本", "en": "Current version"},
    "sources.triples": {"zh": "三元组数", "en": "Triples"},
    "sources.modified": {"zh": "最近更新", "en": "Last updated"},
    "sources.last_run": {"zh": "最近运行", "en": "Last run"},
    "sources.last_success": {"zh": "最近成功", "en": "Last success"},
    "sources.never": {"zh": "从未运行", "en": "Never run"},
    "sources.harvest_now": {"zh": "立即采集", "en": "Harvest now"},
    "sources.abort": {"zh": "中止采集", "en": "Stop the run"},
    "sources.runs_caption": {
        "zh": "{source} 最近 {shown} 次运行（共 {total} 次）",
        "en": "The last {shown} runs of {source} ({total} in all)",
    },
    "sources.started": {"zh": "开始时间", "en": "Started"},
    "sources.ended": {"zh": "结束时间", "en": "Ended"},
    "sources.status": {"zh": "状态", "en": "Status"},
    "sources.errors": {"zh": "错误", "en": "Errors"},
    "sources.chart": {"zh": "运行历史", "en": "Run history"},
    "sources.chart_desc": {
        "zh": "{source} 最近 {count} 次运行的新增、更新与校验未通过记录数柱状图，数据同下表。",
        "en": "Bar chart of records added, updated and invalid in the last {count} runs of {source}; the table "
        "below holds the same figures.",
    },
    "sources.run": {"zh": "运行", "en": "Run"},
    "sources.run_label": {"zh": "第 {n} 次", "en": "Run {n}"},
    "sources.no_runs": {"zh": "暂无运行记录。", "en": "No runs yet."},
    "status.running": {"zh": "运行中", "en": "Running"},
    "status.succeeded": {"zh": "成功", "en": "Succeeded"},
    "status.failed": {"zh": "失败", "en": "Failed"},
    "status.review": {"zh": "待审核", "en": "Awaiting review"},
    "status.aborted": {"zh": "已中止", "en": "Aborted"},
    "count.added": {"zh": "新增", "en": "Added"},
    "count.updated": {"zh": "更新", "en": "Updated"},
    "count.unchanged": {"zh": "未变", "en": "Unchanged"},
    "count.removed": {"zh": "移除", "en": "Removed"},
    "count.invalid": {"zh": "校验未通过", "en": "Invalid"},
    "count.failed": {"zh": "映射失败", "en": "Failed"},
    "count.conflicts": {"zh": "冲突", "en": "Conflicts"},
    # errors
    "error.400": {"zh": "请求有误", "en": "Bad request"},
    "error.404": {"zh": "页面不存在", "en": "Page not found"},
    "error.503": {"zh": "服务暂不可用", "en": "Service unavailable"},
    "error.not_found": {"zh": "找不到所请求的页面。", "en": "The page you asked for does not exist."},
    "error.no_dataset": {
        "zh": "未找到信息资源 {identifier}。",
        "en": "There is no resource with identifier {identifier}.",
    },
    "error.page": {"zh": "页码超出范围：共 {pages} 页。", "en": "Page out of range: there are {pages} pages."},
    "error.language": {"zh": "不支持的语言 {lang}（可用：zh、en）。", "en": "Unsupported language {lang} (zh or en)."},
    "error.index": {
        "zh": "检索索引暂不可用，请稍后再试（管理员可运行 gov-catalog reindex 重建索引）。",
        "en": "The search index is unavailable; try again later (an administrator can rebuild it with "
        "gov-catalog reindex).",
    },
    "error.back": {"zh": "返回首页", "en": "Back to the home page"},
    # sharing requests (catalog_service/requests_api.py)
    "nav.requests": {"zh": "共享申请", "en": "Sharing requests"},
    "requests.title": {"zh": "共享申请", "en": "Sharing requests"},
    "requests.new": {"zh": "申请共享", "en": "Request access"},
    "requests.new_intro": {
        "zh": "申请使用有条件共享的信息资源；对不予共享的资源提出申请将进入协商，由本级主管部门协调。",
        "en": "Apply to use a conditionally shared resource; a request for a resource that is not shared opens a "
        "negotiation that the coordinating office of its level settles.",
    },
    "requests.mine": {"zh": "本部门的申请", "en": "My department's requests"},
    "requests.to_answer": {"zh": "待答复", "en": "To answer"},
    "requests.answered": {"zh": "已答复", "en": "Answered"},
    "requests.to_settle": {"zh": "待协调", "en": "To settle"},
    "requests.all_region": {"zh": "本级全部申请", "en": "All requests of this level"},
    "requests.none": {"zh": "暂无申请。", "en": "No requests."},
    "requests.detail": {"zh": "共享申请详情", "en": "Sharing request"},
    "requests.dataset": {"zh": "信息资源代码", "en": "Resource code"},
    "requests.purpose": {"zh": "用途", "en": "Purpose"},
    "requests.scope": {"zh": "使用范围", "en": "Scope"},
    "requests.basis": {"zh": "申请依据", "en": "Basis"},
    "requests.submit": {"zh": "提交申请", "en": "Submit request"},
    "requests.status": {"zh": "状态", "en": "Status"},
    "requests.requester": {"zh": "申请部门", "en": "Requesting department"},
    "requests.provider": {"zh": "提供部门", "en": "Providing department"},
    "requests.received": {"zh": "收到时间", "en": "Received"},
    "requests.deadline": {"zh": "答复期限", "en": "Answer due"},
    "requests.deadline_official": {
        "zh": "按国家法定节假日安排（含调休）计算",
        "en": "counted on China's official calendar (adjusted working days included)",
    },
    "requests.overdue": {"zh": "已逾期", "en": "Overdue"},
    "requests.escalated": {
        "zh": "已于 {at} 升级至{target}（{region}）",
        "en": "escalated on {at} to the {target} ({region})",
    },
    "requests.target.level-administrator": {"zh": "本级主管部门", "en": "administrator of the level"},
    "requests.target.leading-group": {"zh": "领导小组", "en": "leading group"},
    "requests.answered_at": {"zh": "答复时间", "en": "Answered"},
    "requests.conditions": {"zh": "使用条件", "en": "Usage conditions"},
    "requests.conditions_hint": {"zh": "每行一条", "en": "one per line"},
    "requests.reason": {"zh": "理由", "en": "Reason"},
    "requests.approve": {"zh": "同意共享", "en": "Approve"},
    "requests.refuse": {"zh": "拒绝共享", "en": "Refuse"},
    "requests.settle": {"zh": "协调决定", "en": "Settle"},
    "requests.decision": {"zh": "决定", "en": "Decision"},
    "requests.error": {"zh": "未能办理：", "en": "Not done:"},
}


MESSAGES.update(
    {
        "nav.compliance": {"zh": "合规与质量", "en": "Compliance"},
        "compliance.title": {"zh": "目录合规与共享情况报告", "en": "Catalog compliance and sharing report"},
        "compliance.intro": {
            "zh": "按部门和地区统计目录更新、数据提供、共享申请答复、纠错、超范围使用和重复采集情况。",
            "en": "Catalog updates, data provision, request answers, error feedback, misuse and duplicate "
            "collection, per department and per region.",
        },
        "compliance.from": {"zh": "开始日期", "en": "From"},
        "compliance.to": {"zh": "结束日期", "en": "To"},
        "compliance.region": {"zh": "行政区划", "en": "Division"},
        "compliance.department": {"zh": "部门", "en": "Department"},
        "compliance.show": {"zh": "生成报告", "en": "Show report"},
        "compliance.estimated": {
            "zh": "期间含官方日历尚未公布的年份，工作日按周一至周五估算。",
            "en": "The period includes a year the official calendar does not cover yet: working days are "
            "estimated as Monday–Friday.",
        },
        "compliance.as_of": {"zh": "截至 {date}", "en": "As of {date}"},
        "compliance.charts": {"zh": "图表", "en": "Charts"},
        "compliance.chart_figures": {"zh": "各类问题合计", "en": "Issues by kind"},
        "compliance.chart_departments": {"zh": "各部门问题数", "en": "Issues per department"},
        "compliance.chart_quality": {
            "zh": "元数据质量得分分布（平均 {mean} / {max}）",
            "en": "Metadata quality score distribution (mean {mean} of {max})",
        },
        "compliance.departments": {"zh": "各部门情况", "en": "Per department"},
        "compliance.regions": {"zh": "各地区情况", "en": "Per region"},
        "compliance.issues": {"zh": "问题合计", "en": "Issues"},
    }
)


# catalog edits (catalog_service/editing_web.py)
MESSAGES.update(
    {
        "edit.link": {"zh": "编辑", "en": "Edit"},
        "dataset.apply": {"zh": "申请共享", "en": "Apply for sharing"},
        "edit.title": {"zh": "编辑信息资源", "en": "Edit resource"},
        "edit.intro": {
            "zh": "修改后的条目须符合目录规范，保存后记入编辑记录。开放属性为“不予开放”的条目公众不可见。",
            "en": "The edited entry must conform to the catalog profile; every save is recorded in the edit "
            "history. An entry that is not open to society (不予开放) is hidden from the public.",
        },
        "edit.save": {"zh": "保存", "en": "Save"},
        "edit.back": {"zh": "返回信息资源页面", "en": "Back to the resource"},
        "edit.reload": {"zh": "重新打开编辑页面", "en": "Open the form again"},
        "edit.saved": {"zh": "已保存修改，并已记入编辑记录。", "en": "Your changes are saved and recorded."},
        "edit.unchanged": {"zh": "没有修改任何内容。", "en": "Nothing was changed."},
        "edit.error": {"zh": "未能保存：", "en": "Not saved:"},
        "edit.general": {"zh": "其他问题", "en": "Other problems"},
        "edit.lines_hint": {"zh": "每行一条（中文）", "en": "one per line (Chinese)"},
        "edit.codes_hint": {"zh": "每行一个信息资源代码", "en": "one resource code per line"},
        "edit.lang.zh": {"zh": "中文", "en": "Chinese"},
        "edit.lang.en": {"zh": "英文", "en": "English"},
        "edit.choose": {"zh": "（未填写）", "en": "(none)"},
        "edit.part.category": {"zh": "分类", "en": "category"},
        "edit.part.type": {"zh": "类型", "en": "type"},
        "edit.rows_hint": {
            "zh": "名称和类型都为空的行会被删除；保存后可再添加新行。",
            "en": "Rows without a name and a type are removed; save to get more empty rows.",
        },
        "edit.history": {"zh": "编辑记录", "en": "Edit history"},
        "edit.history_none": {"zh": "本节点尚未编辑过该条目。", "en": "This entry has not been edited on this node."},
        "edit.when": {"zh": "时间", "en": "When"},
        "edit.who": {"zh": "编辑人", "en": "By"},
        "edit.field": {"zh": "字段", "en": "Field"},
        "edit.before": {"zh": "修改前", "en": "Before"},
        "edit.after": {"zh": "修改后", "en": "After"},
    }
)


# run reports, quality scores and catalog pages (catalog_service/web.py)
MESSAGES.update(
    {
        "sources.details_hidden": {
            "zh": "错误信息和逐条记录的问题仅对登录的政府用户显示：它们可能涉及不向社会开放的条目。",
            "en": "Error messages and record-by-record issues are shown to signed-in government users only: they "
            "may concern entries that are not open to society.",
        },
        "quality.heading": {"zh": "元数据质量", "en": "Metadata quality"},
        "quality.method": {
            "zh": "参照欧盟数据门户的元数据质量评估（MQA），按五个维度 {checks} 项检查评分，满分 {max} 分。",
            "en": "Scored as data.europa.eu's Metadata Quality Assessment (MQA) does: {checks} checks in five "
            "dimensions, out of {max} points.",
        },
        "quality.score": {"zh": "{points} / {max} 分", "en": "{points} of {max} points"},
        "quality.short": {"zh": "质量得分", "en": "Quality score"},
        "quality.rating.excellent": {"zh": "优秀", "en": "Excellent"},
        "quality.rating.good": {"zh": "良好", "en": "Good"},
        "quality.rating.sufficient": {"zh": "合格", "en": "Sufficient"},
        "quality.rating.bad": {"zh": "较差", "en": "Bad"},
        "quality.dimension": {"zh": "维度", "en": "Dimension"},
        "quality.dimension.findability": {"zh": "可发现性", "en": "Findability"},
        "quality.dimension.accessibility": {"zh": "可访问性", "en": "Accessibility"},
        "quality.dimension.interoperability": {"zh": "互操作性", "en": "Interoperability"},
        "quality.dimension.reusability": {"zh": "可重用性", "en": "Reusability"},
        "quality.dimension.contextuality": {"zh": "情境信息", "en": "Contextuality"},
        "quality.points": {"zh": "得分", "en": "Points"},
        "quality.max": {"zh": "满分", "en": "Maximum"},
        "quality.dimensions_caption": {"zh": "各维度得分", "en": "Points per dimension"},
        "quality.failed": {"zh": "未通过的检查及改进建议", "en": "Checks not passed, and what to do"},
        "quality.all_passed": {"zh": "全部检查均已通过。", "en": "Every check is passed."},
        "quality.check": {"zh": "检查项", "en": "Check"},
        "quality.in_catalogs": {"zh": "收录该资源的目录", "en": "Catalogs listing this resource"},
        "quality.advice": {"zh": "建议", "en": "What to do"},
        "quality.shacl": {
            "zh": "SHACL 校验：{violations} 个违规，{warnings} 个警告。",
            "en": "SHACL validation: {violations} violations, {warnings} warnings.",
        },
        "catalog.none": {"zh": "未找到目录 {iri}。", "en": "There is no catalog {iri}."},
        "catalog.iri": {"zh": "目录 IRI", "en": "Catalog IRI"},
        "catalog.publisher": {"zh": "发布部门", "en": "Publisher"},
        "catalog.region": {"zh": "行政区划", "en": "Division"},
        "catalog.parents": {"zh": "上级目录", "en": "Part of"},
        "catalog.children": {"zh": "下级目录", "en": "Catalogs within"},
        "catalog.search_publisher": {"zh": "检索该部门的信息资源", "en": "Search this department's resources"},
        "catalog.scope_public": {
            "zh": "统计范围：本目录（含下级目录）中向社会开放的 {count} 条信息资源；未开放的条目不在其中。",
            "en": "These figures cover the {count} entries of this catalog (and the catalogs within it) that are "
            "open to society; entries not open to society are not among them.",
        },
        "catalog.scope_government": {
            "zh": "统计范围：本目录（含下级目录）的全部 {count} 条信息资源，含不予开放的条目。",
            "en": "These figures cover all {count} entries of this catalog (and the catalogs within it), those not "
            "open to society included.",
        },
        "catalog.mean": {"zh": "平均得分", "en": "Mean score"},
        "catalog.no_entries": {"zh": "本目录中没有可评分的信息资源。", "en": "This catalog has no entries to score."},
        "catalog.distribution": {"zh": "得分分布", "en": "Score distribution"},
        "catalog.chart": {"zh": "{title}：元数据质量得分分布", "en": "Metadata quality scores: {title}"},
        "catalog.chart_desc": {
            "zh": "{count} 条信息资源按得分分为 {bands} 档的条数；下表列出同样的数字。",
            "en": "How many of the {count} entries fall in each of {bands} score bands; the table below gives the "
            "same numbers.",
        },
        "catalog.band": {"zh": "得分区间", "en": "Score band"},
        "catalog.entries": {"zh": "条数", "en": "Entries"},
        "catalog.ratings": {"zh": "评级", "en": "Ratings"},
        "catalog.checks": {"zh": "各检查项的通过情况", "en": "Checks passed"},
        "catalog.passing": {"zh": "通过条数", "en": "Entries passing"},
        "catalog.share": {"zh": "通过比例", "en": "Share"},
        "catalog.api": {"zh": "全部目录的质量数据（JSON）", "en": "Quality figures of every catalog (JSON)"},
    }
)

MESSAGES.update(  # the compliance pages: error feedback, misuse reports, change notices
    {
        "nav.feedback": {"zh": "纠错反馈", "en": "Error feedback"},
        "nav.changes": {"zh": "职能变更", "en": "Department changes"},
        "feedback.title": {"zh": "纠错反馈", "en": "Error feedback"},
        "feedback.intro": {
            "zh": "对信息资源提出的疑似错误数据反馈；未答复的在前。提供方部门核实后答复，并说明是否已更正。",
            "en": "Entries flagged as suspected wrong data, open ones first. The provider department checks each "
            "and answers, saying whether it corrected the data.",
        },
        "feedback.section": {"zh": "纠错与举报", "en": "Report a problem"},
        "feedback.flag": {"zh": "报告疑似错误数据", "en": "Report suspected wrong data"},
        "feedback.flag_intro": {
            "zh": "说明该信息资源中哪些数据可能有误；提供方部门将核实并答复。",
            "en": "Say which data of the entry may be wrong; the provider department will check and answer.",
        },
        "feedback.description": {"zh": "问题描述", "en": "Description"},
        "feedback.submit": {"zh": "提交反馈", "en": "Send feedback"},
        "feedback.flagged": {"zh": "已提交纠错反馈。", "en": "Your feedback has been sent."},
        "feedback.reporter": {"zh": "反馈人", "en": "Reported by"},
        "feedback.status.open": {"zh": "待答复", "en": "Open"},
        "feedback.status.answered": {"zh": "已答复", "en": "Answered"},
        "feedback.answer": {"zh": "答复", "en": "Answer"},
        "feedback.corrected": {"zh": "已更正", "en": "Corrected"},
        "feedback.answer_submit": {"zh": "提交答复", "en": "Send answer"},
        "feedback.answered_done": {"zh": "已答复该反馈。", "en": "The feedback has been answered."},
        "feedback.none": {"zh": "暂无纠错反馈。", "en": "No feedback."},
        "misuse.title": {"zh": "报告超范围使用", "en": "Report misuse"},
        "misuse.intro": {
            "zh": "举报共享数据被超出批准用途使用：写明使用部门的统一社会信用代码和情况。",
            "en": "Report shared data used beyond the approved purpose: give the using department's unified "
            "social credit code and what happened.",
        },
        "misuse.department": {"zh": "使用部门统一社会信用代码", "en": "Using department (credit code)"},
        "misuse.submit": {"zh": "提交举报", "en": "Send report"},
        "misuse.reported": {"zh": "已提交超范围使用举报。", "en": "Your misuse report has been sent."},
        "changes.title": {"zh": "部门法律法规与职能变更", "en": "Legal and functional changes of departments"},
        "changes.intro": {
            "zh": "部门的法律法规或职能发生变更后，须在 {days} 个工作日内更新其目录。",
            "en": "After a legal or functional change, a department must update its catalog within {days} "
            "working days.",
        },
        "changes.record": {"zh": "登记变更", "en": "Record a change"},
        "changes.department": {"zh": "部门统一社会信用代码", "en": "Department (credit code)"},
        "changes.kind": {"zh": "变更类型", "en": "Kind"},
        "changes.description": {"zh": "变更说明", "en": "Description"},
        "changes.effective": {"zh": "生效日期", "en": "Effective"},
        "changes.effective_hint": {"zh": "不填则为今天", "en": "today if empty"},
        "changes.submit": {"zh": "登记", "en": "Record"},
        "changes.recorded": {"zh": "已登记变更。", "en": "The change has been recorded."},
        "changes.recorded_list": {"zh": "已登记的变更", "en": "Recorded changes"},
        "changes.deadline": {"zh": "目录更新期限", "en": "Catalog update due"},
        "changes.recorded_by": {"zh": "登记人", "en": "Recorded by"},
        "changes.none": {"zh": "暂无登记的变更。", "en": "No changes recorded."},
    }
)


def translate(key: str, lang: str, /, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``{name}`` placeholders filled from ``values``."""
    return MESSAGES[key][lang].format(**values)


def in_language(texts: Mapping[str, str] | None, lang: str) -> str:
    """A text given in several languages (``{"zh": …, "en": …}``) in ``lang``, else in Chinese, else any.

    Most divisions and departments have Chinese names only; an English page shows those rather than nothing.
    """
    if not texts:
        return ""
    for key in (lang, DEFAULT_LANGUAGE, ""):
        if texts.get(key):
            return texts[key]
    return next(iter(texts.values()))


def _check() -> None:
    """Every message exists in every language, with the same placeholders."""
    for key, texts in MESSAGES.items():
        if set(texts) != set(LANGUAGES):
            raise KeyError(f"message {key!r} must be given in {', '.join(LANGUAGES)}")
        fields = {lang: {name for _, name, _, _ in Formatter().parse(text) if name} for lang, text in texts.items()}
        if len({frozenset(names) for names in fields.values()}) > 1:
            raise KeyError(f"message {key!r} has different placeholders in different languages: {fields}")


_check()

"""Generate the sample federation in ``examples/federation/``: seven catalogs on four levels of government.

The federation is what the harvesting, validation and 一数一源 features are exercised and demonstrated on,
so it has to look like what departments really send and still be exactly known: every entry comes from
the tables below, a fixed seed chooses among them, and ``manifest.json`` records what was done on purpose
(the deliberately invalid entries, the cross-level duplicates and conflicts, the spreadsheet rows that
cannot be mapped). Tests compare that intent with what the validator and the template reader find, so the
manifest never states a verdict, only what the generator did.

Run ``python examples/generate.py`` from the repository root (or give another output folder as the only
argument). Running it twice gives byte-identical files; ``tests/test_examples.py`` holds it to that.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import random
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox

if __package__ in (None, ""):  # run as a script from a checkout: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog_service import namespaces as ns
from catalog_service.rdfio import serialize
from catalog_service.uscc import ALPHABET, check_character
from catalog_service.vocabulary import CodeLists
from harvesters.spreadsheet import write_template, write_template_xlsx

SEED = 20240615
"""Fixed, so that the federation (and the manifest that describes it) is the same on every run."""

OUTPUT = Path(__file__).resolve().parent / "federation"

FIXED_TIMESTAMP = (2025, 1, 1, 0, 0, 0)
"""What the XLSX zip entries and document properties say instead of the time of the run."""

# The resources departments keep ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One kind of information resource a kind of department keeps, at whatever level it sits.

    ``description`` has an ``{area}`` placeholder (全国, 江苏省, 玄武区 …); ``sharing``, ``openness``,
    ``frequency`` and ``formats`` are notations of their code lists (``formats`` ``;``-separated), and
    ``elements`` is written as in the template's 信息项 column. ``basis`` is the legal basis for a resource
    that is not shared; ``open_condition`` overrides the generic conditions for 有条件开放.
    """

    title: str
    category: str
    elements: str
    description: str
    sharing: str
    openness: str
    frequency: str
    formats: str
    keywords: str
    basis: str = ""
    open_condition: str = ""


def resources(table: str) -> tuple[Spec, ...]:
    """Read a table of resources, one block per resource, blocks separated by a blank line.

    The first line of a block is ``title category sharing openness frequency formats keywords`` (notations;
    formats and keywords ``;``-separated); then the data elements as in the template's 信息项 column; then the
    description; then optionally ``不予共享依据：…`` and ``开放条件：…``. Kept as text so that the tables read
    as tables: Chinese prose does not fit the layout a code formatter gives to Python calls.
    """
    specs = []
    for block in table.strip().split("\n\n"):
        head, elements, description, *notes = (line.strip() for line in block.strip().splitlines())
        title, category, sharing, openness, frequency, formats, keywords = head.split()
        extra = {"不予共享依据": "", "开放条件": ""}
        for note in notes:
            label, _, text = note.partition("：")
            if label not in extra:
                raise ValueError(f"unknown note in the resource table: {note}")
            extra[label] = text
        specs.append(
            Spec(
                title=title,
                category=category,
                elements=elements,
                description=description,
                sharing=sharing,
                openness=openness,
                frequency=frequency,
                formats=formats,
                keywords=keywords,
                basis=extra["不予共享依据"],
                open_condition=extra["开放条件"],
            )
        )
    return tuple(specs)


POLICE = resources("""
户籍人口基本信息 101 2 3 2 3;7 户籍;人口;身份核验
    姓名:C;公民身份号码:C;性别:C;出生日期:D;民族:C;户籍地址:C;户号:C;与户主关系:C;登记日期:D
    汇集{area}公安机关人口管理信息系统登记的户籍人口姓名、公民身份号码、民族、户籍地址等基本信息，是人口基础信息库的权威来源。

流动人口居住登记信息 101 2 3 2 3;7 流动人口;居住证
    姓名:C;公民身份号码:C;性别:C;出生日期:D;居住地址:C;居住事由:C;居住证编号:C;登记日期:D
    记录在{area}居住半年以上的非户籍人口的居住登记和居住证办理情况，用于公共服务均等化和基层社会治理。

出生登记信息 101 2 3 2 3 出生;户口登记
    新生儿姓名:C;公民身份号码:C;性别:C;出生日期:D;出生地:C;父亲姓名:C;母亲姓名:C;申报日期:D
    {area}公安机关办理的新生儿出生户口登记信息，与出生医学证明信息相互校核，支撑“出生一件事”联办。

死亡人口户籍注销信息 101 2 3 2 3 死亡注销;户籍
    姓名:C;公民身份号码:C;性别:C;出生日期:D;死亡日期:D;注销日期:D;注销原因:C
    {area}因死亡注销户口的人员信息，用于社会保险待遇停发、养老金冒领核查等跨部门业务协同。

居民身份证电子证照 105 2 3 1 7 身份证;电子证照
    姓名:C;公民身份号码:C;性别:C;出生日期:D;签发机关:C;有效期起始日期:D;有效期截止日期:D
    {area}居民身份证签发信息形成的电子证照，在政务服务中用于身份核验和申请材料免提交。

机动车驾驶证电子证照 105 2 3 2 7 驾驶证;交通管理
    驾驶证号:C;姓名:C;准驾车型:C;初次领证日期:D;有效期截止日期:D;发证机关:C;累积记分:I
    {area}公安交通管理部门核发的机动车驾驶证信息形成的电子证照，用于驾驶资格核验和交通违法处理。

机动车登记信息 3 2 3 2 3 机动车;车辆登记
    号牌号码:C;号牌种类:C;车辆类型:C;车辆品牌:C;所有人名称:C;使用性质:C;注册登记日期:D;车辆状态:C
    {area}公安交通管理部门办理的机动车注册、转移、变更和注销登记信息，支撑车辆税费征缴和道路运输监管。

道路交通事故统计信息 3 1 1 4 2 交通事故;统计
    统计月份:C;行政区划:C;事故起数:I;死亡人数:I;受伤人数:I;直接财产损失:Y
    按月汇总的{area}道路交通事故起数、伤亡人数和直接财产损失，用于交通安全形势分析和道路隐患治理。

旅馆业住宿登记信息 3 3 3 1 3 旅馆业;治安管理
    姓名:C;证件号码:C;旅馆名称:C;房间号:C;入住时间:T;退房时间:T
    {area}旅馆业治安管理信息系统采集的旅客住宿登记信息，仅用于公安机关依法开展治安管理和案件侦办。
    不予共享依据：《中华人民共和国个人信息保护法》第二十八条：住宿登记信息属于行踪轨迹类敏感个人信息，仅限公安机关依法使用

出入境证件签发信息 3 2 3 2 3;7 出入境;护照
    姓名:C;公民身份号码:C;证件类型:C;证件号码:C;签发日期:D;有效期至:D;签发机关:C
    {area}出入境管理部门签发的普通护照、往来港澳台通行证等出入境证件信息，用于证件真伪核验和业务协同。

保安服务公司许可信息 3 1 1 4 2;3 保安服务;行政许可
    统一社会信用代码:C;单位名称:C;法定代表人:C;住所:C;许可证号:C;批准日期:D;服务范围:M
    {area}公安机关核发的保安服务许可证信息，包括保安服务公司名称、许可证号和服务范围，依法向社会公开。

公安行政处罚信息 104 1 1 2 3 行政处罚;双公示
    行政处罚决定书文号:C;当事人名称:C;统一社会信用代码:C;违法行为类型:C;处罚内容:M;处罚决定日期:D
    {area}公安机关对法人和其他组织作出的行政处罚决定信息，按“双公示”要求归集至公共信用信息平台。

重点场所视频监控点位信息 212 3 3 4 3 视频监控;治安防控
    点位编号:C;点位名称:C;经度:B;纬度:B;所属派出所:C;建设日期:D
    {area}公安机关在重点场所和重要部位布设的公共安全视频监控点位信息，用于治安防控和应急指挥调度。
    不予共享依据：《中华人民共和国反恐怖主义法》有关规定：重点目标安全防范设施的布设信息涉及公共安全，不予共享

犬只登记信息 3 2 3 4 3 养犬登记;城市管理
    犬只登记证号:C;犬主姓名:C;犬主证件号码:C;犬只品种:C;免疫日期:D;登记日期:D
    {area}养犬登记和年检信息，与动物防疫部门的狂犬病免疫信息相互核验，服务文明养犬管理。
""")


MARKET = resources("""
企业登记信息 102 1 1 2 3;7 企业;法人;商事登记
    统一社会信用代码:C;单位名称:C;法定代表人:C;住所:C;企业类型:C;注册资本:Y;成立日期:D;登记状态:C;经营范围:M;登记机关:C
    {area}市场监管部门登记的各类企业的主体身份、注册资本、经营范围和登记状态信息，是法人基础信息库的核心数据。

个体工商户登记信息 102 1 2 2 3 个体工商户;市场主体
    统一社会信用代码:C;个体工商户名称:C;经营者姓名:C;经营场所:C;组成形式:C;成立日期:D;登记状态:C
    {area}个体工商户的登记注册信息，包括经营者、经营场所、组成形式和登记状态，用于市场主体统计和监管。
    开放条件：经营者姓名等个人信息不予开放，其余字段在开放平台注册后可下载

营业执照电子证照 105 1 3 1 7 营业执照;电子证照
    统一社会信用代码:C;名称:C;类型:C;法定代表人:C;注册资本:Y;成立日期:D;住所:C;登记机关:C;发照日期:D
    {area}市场监管部门核发的营业执照形成的电子证照，企业办事时可通过亮证、扫码代替纸质执照。

企业经营异常名录信息 104 1 1 2 3;2 经营异常;信用监管
    统一社会信用代码:C;企业名称:C;列入日期:D;列入原因:M;作出决定机关:C;移出日期:D;移出原因:M
    {area}被列入和移出经营异常名录的企业信息，用于信用监管和联合惩戒，依法通过企业信用信息公示系统公示。

严重违法失信主体名单信息 104 1 1 2 3;2 失信惩戒;信用监管
    统一社会信用代码:C;主体名称:C;列入日期:D;列入事由:M;决定文书号:C;作出决定机关:C
    {area}市场监管部门认定的严重违法失信主体名单，供各部门在行政审批、政府采购等环节实施失信约束。

市场监管行政处罚信息 104 1 1 2 3 行政处罚;双公示
    行政处罚决定书文号:C;当事人名称:C;统一社会信用代码:C;违法行为类型:C;处罚内容:M;罚没金额:Y;处罚决定日期:D
    {area}市场监管部门作出的行政处罚决定信息，自作出决定之日起七个工作日内归集公示。

食品经营许可信息 204 1 1 2 3;7 食品安全;行政许可
    许可证编号:C;经营者名称:C;统一社会信用代码:C;经营场所:C;主体业态:C;经营项目:M;有效期至:D;发证机关:C
    {area}食品经营许可证的核发、变更、延续和注销信息，用于食品安全日常监管和外卖平台入网审核。

特种设备使用登记信息 205 2 3 4 3 特种设备;安全生产
    使用登记证编号:C;设备种类:C;设备代码:C;使用单位名称:C;设备使用地点:C;登记日期:D;下次检验日期:D
    {area}锅炉、压力容器、电梯、起重机械等特种设备的使用登记和定期检验信息，服务安全生产风险排查。

产品质量监督抽查信息 3 1 1 5 2 产品质量;监督抽查
    抽查批次编号:C;产品名称:C;生产企业名称:C;规格型号:C;抽查结果:C;不合格项目:M;公告日期:D
    {area}产品质量监督抽查的批次、企业和检验结论，抽查结果按季度向社会公告。

企业年度报告信息 102 2 2 7 3 企业年报;信用监管
    统一社会信用代码:C;企业名称:C;报告年度:C;从业人数:I;资产总额:Y;营业总收入:Y;纳税总额:Y;报送日期:D
    {area}企业通过信用信息公示系统报送的年度报告，包括从业人数、资产和经营状况等信息。
    开放条件：企业选择不公示的资产、收入等信息不予开放，其余信息实名注册后可查询

药品零售企业许可信息 204 1 1 4 3 药品;行政许可
    许可证编号:C;企业名称:C;统一社会信用代码:C;经营方式:C;经营范围:M;质量负责人:C;有效期至:D
    {area}药品零售企业经营许可信息，用于药品流通监管和医保定点药店协议管理。

价格监督检查案件信息 206 2 3 4 3 价格监管;执法办案
    案件编号:C;当事人名称:C;案由:C;查处结果:M;结案日期:D
    {area}市场监管部门查办的价格违法案件信息，包括案由和查处结果，用于价格监管形势研判。

消费投诉举报信息 201 2 3 2 3 消费维权;12315
    投诉编号:C;被投诉主体名称:C;投诉类别:C;涉及商品或服务:C;登记日期:D;处理结果:M
    通过12315平台登记的{area}消费投诉和举报信息，用于消费维权和市场主体信用画像。

计量器具强制检定信息 3 1 2 4 2 计量;强制检定
    器具编号:C;器具名称:C;使用单位名称:C;检定结论:C;检定日期:D;有效期至:D
    {area}列入强制检定目录的计量器具的检定结论和有效期，服务贸易结算和安全防护领域的计量监管。
""")


LAND = resources("""
不动产登记信息 103 2 3 1 3;7 不动产;产权登记
    不动产单元号:C;不动产权证书号:C;权利人名称:C;权利人证件号码:C;坐落:C;权利类型:C;用途:C;面积:F;登记日期:D
    {area}不动产登记机构办理的土地、房屋等不动产首次、转移、变更和抵押登记信息，是不动产权属的法定依据。

不动产权电子证书 105 2 3 1 7 不动产;电子证照
    证书编号:C;不动产单元号:C;权利人:C;共有情况:C;坐落:C;权利性质:C;用途:C;面积:F;登簿日期:D
    {area}核发的不动产权证书和不动产登记证明的电子证照，用于购房资格、户籍迁入和入学等事项免提交纸质证书。

土地利用现状信息 103 1 2 7 4;3 国土调查;土地利用
    图斑编号:C;地类编码:C;地类名称:C;坐落单位名称:C;图斑面积:F;权属性质:C;调查年度:C
    {area}国土变更调查形成的土地利用现状图斑数据，反映耕地、园地、林地、建设用地等各地类的分布和面积。

国土空间规划信息 103 1 1 8 1;4 国土空间规划
    规划编号:C;规划名称:C;规划层级:C;规划期限:C;批复文号:C;批复日期:D;规划范围面积:F
    经批准的{area}国土空间总体规划、详细规划和相关专项规划的基本信息及成果文件。

公开版地理底图信息 103 1 1 7 4;6 地理信息;底图
    图幅编号:C;图层名称:C;比例尺:C;坐标系统:C;更新日期:D
    经审核可公开使用的{area}标准地理底图和专题图层，为各部门业务系统提供统一的空间参考。

永久基本农田划定信息 103 1 2 7 4;3 耕地保护;永久基本农田
    地块编号:C;所在乡镇:C;地块面积:F;耕地质量等别:I;划定日期:D
    {area}永久基本农田的地块位置、面积和质量等别，用于耕地保护监管和建设项目选址避让。

建设用地审批信息 3 1 1 4 3;2 建设用地;审批
    批准文号:C;项目名称:C;用地单位:C;用地面积:F;批准日期:D;批准机关:C
    {area}农用地转用和土地征收等建设用地审批结果信息，依法向社会公开。

国有建设用地供应信息 209 1 1 4 2;3 土地供应;土地出让
    电子监管号:C;项目名称:C;宗地坐落:C;供地方式:C;土地用途:C;出让面积:F;成交价格:Y;合同签订日期:D
    {area}国有建设用地划拨、出让和租赁的供应结果信息，用于土地市场监测和城乡建设统筹。

采矿权登记信息 3 1 1 4 3 采矿权;矿产资源
    许可证号:C;采矿权人:C;矿山名称:C;开采矿种:C;开采方式:C;生产规模:C;有效期起:D;有效期止:D
    {area}采矿许可证的新立、延续、变更和注销登记信息，服务矿产资源开发监管。

地质灾害隐患点信息 212 2 3 5 3;4 地质灾害;防灾减灾
    隐患点编号:C;隐患点名称:C;灾害类型:C;位置:C;经度:B;纬度:B;威胁人数:I;威胁财产:Y;险情等级:C
    {area}崩塌、滑坡、地面塌陷等地质灾害隐患点的位置、规模和威胁对象信息，用于汛期巡查和预警转移。

建设工程规划许可信息 209 1 1 4 3 规划许可;城乡建设
    许可证编号:C;建设单位:C;项目名称:C;建设位置:C;建设规模:C;发证日期:D
    {area}核发的建设工程规划许可证信息，包括建设单位、位置和规模，依法批后公布。

测绘资质单位信息 3 1 1 5 2 测绘资质;行政许可
    资质证书编号:C;单位名称:C;统一社会信用代码:C;资质等级:C;专业类别:C;有效期至:D
    {area}取得测绘资质的单位名录及其资质等级和专业类别，供社会查询和项目招投标核验。

自然资源执法案件信息 3 3 3 4 3 执法监察;违法用地
    案件编号:C;当事人:C;违法类型:C;违法面积:F;立案日期:D;处理结果:M
    {area}自然资源主管部门立案查处的违法用地、违法采矿等执法案件信息，用于执法督察和卫片执法。
    不予共享依据：《中华人民共和国行政处罚法》有关规定：尚未作出处理决定的案件调查信息不予共享
""")


HR = resources("""
社会保险参保信息 203 2 3 2 3;7 社会保险;参保
    姓名:C;公民身份号码:C;性别:C;出生日期:D;参保险种:C;参保状态:C;参保单位名称:C;参保日期:D;缴费基数:Y
    {area}企业职工和城乡居民参加养老、失业、工伤保险的参保登记和缴费状态信息，用于待遇资格认定和业务协同。

养老保险待遇领取信息 203 2 3 4 3 养老保险;待遇发放
    姓名:C;公民身份号码:C;待遇类型:C;月待遇金额:Y;待遇开始日期:D;领取状态:C
    {area}基本养老保险待遇领取人员的待遇类型、金额和领取状态，用于待遇资格认证和重复领取核查。

失业保险金领取信息 203 2 3 4 3 失业保险;就业
    姓名:C;公民身份号码:C;失业登记日期:D;领取月数:I;月发放金额:Y;发放状态:C
    {area}失业人员领取失业保险金的登记和发放信息，与就业登记信息比对，防止违规领取。

就业登记信息 201 2 3 2 3 就业登记;公共就业服务
    姓名:C;公民身份号码:C;就业单位名称:C;就业形式:C;就业登记日期:D;合同期限:C
    {area}劳动者就业和失业登记信息，支撑就业统计、就业补贴发放和公共就业服务。

社会保障卡电子证照 105 2 3 1 7 社会保障卡;电子证照
    社会保障号码:C;姓名:C;卡号:C;发卡日期:D;发卡机构:C;卡状态:C
    {area}发放的社会保障卡和电子社保卡信息，作为持卡人享受人社服务和身份凭证的电子证照。

职业技能等级证书信息 105 2 2 4 3;7 职业技能;证书
    证书编号:C;姓名:C;公民身份号码:C;职业名称:C;技能等级:C;发证日期:D;评价机构:C
    {area}职业技能等级认定后颁发的证书信息，用于技能补贴申领和人才引进资格核验。
    开放条件：仅开放按证书编号和姓名进行的证书真伪核验查询

人力资源服务许可信息 3 1 1 4 2;3 人力资源服务;行政许可
    统一社会信用代码:C;单位名称:C;法定代表人:C;住所:C;许可证编号:C;服务范围:M;发证日期:D
    {area}取得人力资源服务许可证的机构名录及其服务范围，供劳动者和用人单位查询。

劳动保障监察案件信息 3 3 3 4 3 劳动保障监察;欠薪
    案件编号:C;用人单位名称:C;案由:C;涉及人数:I;涉及金额:Y;立案日期:D;结案日期:D
    {area}劳动保障监察机构受理和查处的拖欠工资等违法案件信息，用于根治欠薪和劳动关系风险研判。
    不予共享依据：《劳动保障监察条例》有关规定：监察中知悉的用人单位商业秘密和举报人信息应当保密

重大劳动保障违法行为社会公布信息 104 1 1 5 3 劳动保障;失信惩戒
    用人单位名称:C;统一社会信用代码:C;法定代表人:C;违法事实:M;处理处罚情况:M;公布日期:D
    {area}依法向社会公布的重大劳动保障违法行为信息，纳入公共信用信息实施联合惩戒。

工伤认定信息 203 2 3 4 3 工伤;社会保险
    认定书编号:C;职工姓名:C;公民身份号码:C;用人单位名称:C;受伤时间:T;认定结论:C;认定日期:D
    {area}社会保险行政部门作出的工伤认定结论信息，用于工伤保险待遇支付和劳动能力鉴定。

技工院校基本信息 201 1 1 7 2 技工院校;职业教育
    学校代码:C;学校名称:C;办学层次:C;办学地址:C;在校生人数:I;联系电话:C
    {area}技工院校的办学层次、地址和规模信息，供学生和家长择校查询。

公共就业服务机构信息 201 1 1 6 2 公共就业服务;便民服务
    机构名称:C;地址:C;服务内容:M;联系电话:C;开放时间:C
    {area}各级公共就业服务机构的地址、服务内容和开放时间，方便群众就近办理就业服务事项。

企业工资指导线信息 206 1 1 7 1 工资指导线;劳动关系
    发布年度:C;基准线:B;上线:B;下线:B;发布日期:D
    {area}人力资源社会保障部门发布的年度企业工资指导线，为企业确定工资增长水平提供参考。
""")


HEALTH = resources("""
医疗机构执业许可信息 202 1 1 4 3;7 医疗机构;执业许可
    登记号:C;机构名称:C;统一社会信用代码:C;机构类别:C;经营性质:C;诊疗科目:M;地址:C;法定代表人:C;有效期至:D
    {area}医疗机构执业登记信息，包括机构类别、诊疗科目和有效期，用于医保定点和医疗服务监管。

医师执业注册信息 202 1 2 2 3 医师;执业注册
    姓名:C;医师资格证书编码:C;医师执业证书编码:C;执业类别:C;执业范围:C;主要执业机构:C;注册日期:D
    {area}医师执业注册和变更注册信息，用于医师多点执业管理和互联网诊疗资质核验。
    开放条件：仅开放医师姓名、执业机构和执业范围的核验查询

护士执业注册信息 202 1 2 4 3 护士;执业注册
    姓名:C;护士执业证书编号:C;执业地点:C;注册日期:D;有效期至:D
    {area}护士执业注册和延续注册信息，用于医疗机构人员配置监管和执业资格核验。

出生医学证明电子证照 105 2 3 2 7 出生医学证明;电子证照
    出生医学证明编号:C;新生儿姓名:C;性别:C;出生时间:T;出生地点:C;母亲姓名:C;母亲公民身份号码:C;签发机构:C
    {area}助产机构签发的出生医学证明形成的电子证照，用于出生登记、医保参保和社保卡申领等事项联办。

居民死亡医学证明信息 101 2 3 2 3 死亡医学证明;人口
    姓名:C;公民身份号码:C;性别:C;出生日期:D;死亡日期:D;死亡地点:C;根本死因:C;签发机构:C
    {area}医疗卫生机构出具的居民死亡医学证明信息，用于户籍注销、殡葬管理和死因监测。

预防接种信息 202 2 3 2 3 预防接种;疫苗
    受种者姓名:C;公民身份号码:C;疫苗名称:C;疫苗批号:C;接种剂次:I;接种日期:D;接种单位:C
    {area}免疫规划疫苗和非免疫规划疫苗的接种记录，用于入托入学查验和疫苗追溯。

居民电子健康档案信息 202 3 3 2 3 健康档案;基本公共卫生
    档案编号:C;姓名:C;公民身份号码:C;既往病史:M;过敏史:M;建档日期:D;管理机构:C
    {area}基层医疗卫生机构为居民建立的电子健康档案，记录既往病史、过敏史和慢病随访情况。
    不予共享依据：《中华人民共和国基本医疗卫生与健康促进法》有关规定：公民个人健康信息受法律保护，不得非法提供

法定传染病疫情统计信息 212 2 2 4 2 传染病;疫情统计
    统计月份:C;病种名称:C;发病数:I;死亡数:I;发病率:B
    {area}按月统计的法定传染病发病和死亡情况，用于疫情形势研判和公共卫生应急准备。
    开放条件：按月向社会公布疫情概况，分病种明细数据需申请后开放

公共场所卫生许可信息 202 1 1 4 3 公共场所;卫生许可
    许可证号:C;单位名称:C;统一社会信用代码:C;经营项目:C;经营地址:C;发证日期:D;有效期至:D
    {area}住宿、沐浴、美容美发等公共场所的卫生许可信息，依法向社会公开。

母婴保健技术服务机构信息 202 1 1 6 2 母婴保健;执业许可
    机构名称:C;许可项目:C;许可证号:C;地址:C;发证日期:D
    {area}取得母婴保健技术服务执业许可的机构及其许可项目，供群众查询选择。

卫生资源统计信息 202 1 1 7 2 卫生统计;医疗资源
    统计年度:C;机构名称:C;实有床位数:I;卫生技术人员数:I;执业医师数:I;注册护士数:I
    {area}医疗卫生机构床位和卫生人员年度统计数据，用于区域卫生规划和医疗资源配置。

计划生育特殊家庭扶助信息 203 2 3 7 3 计划生育;扶助
    姓名:C;公民身份号码:C;扶助类别:C;扶助标准:Y;起始日期:D
    {area}计划生育特殊家庭扶助对象的扶助类别和标准，用于扶助金发放和就医绿色通道服务。

职业病危害项目申报信息 205 2 3 7 3 职业病;安全生产
    用人单位名称:C;统一社会信用代码:C;危害因素类别:C;接触人数:I;申报日期:D
    {area}用人单位申报的职业病危害因素和接触人数，用于职业健康监管和安全生产风险研判。
""")


ENVIRONMENT = resources("""
排污许可证信息 211 1 1 4 3;7 排污许可;污染源
    许可证编号:C;单位名称:C;统一社会信用代码:C;行业类别:C;生产经营场所地址:C;主要污染物类别:C;有效期限:C;发证日期:D
    {area}排污单位的排污许可证核发、变更和注销信息，用于固定污染源监管和环境执法。

建设项目环境影响评价审批信息 211 1 1 4 3 环境影响评价;审批
    项目名称:C;建设单位:C;建设地点:C;环评类别:C;批复文号:C;批复日期:D
    {area}生态环境部门作出的建设项目环境影响评价文件审批决定，依法向社会公开。

环境空气质量监测信息 211 1 1 1 6;7 空气质量;环境监测
    监测点位:C;监测时间:T;PM2.5浓度:F;PM10浓度:F;二氧化硫浓度:F;二氧化氮浓度:F;臭氧浓度:F;空气质量指数:I;首要污染物:C
    {area}国控、省控空气自动监测站的逐小时监测数据和空气质量指数，实时向社会发布。

地表水水质监测信息 211 1 1 4 2;6 水质;环境监测
    断面名称:C;所在水体:C;监测日期:D;水质类别:C;化学需氧量:F;氨氮:F;总磷:F
    {area}地表水考核断面的水质监测结果，用于水环境质量考核和河湖长制工作。

重点排污单位名录 211 1 1 7 2 重点排污单位;名录
    单位名称:C;统一社会信用代码:C;所属行业:C;重点类别:C;所在地址:C;名录年度:C
    {area}年度环境监管重点单位名录，按水环境、大气环境、土壤环境等类别分别列出。

生态环境行政处罚信息 104 1 1 2 3 行政处罚;环境执法
    决定书文号:C;当事人名称:C;统一社会信用代码:C;违法事实:M;处罚依据:M;罚款金额:Y;处罚日期:D
    {area}生态环境部门作出的行政处罚决定信息，归集至公共信用信息平台并向社会公示。

危险废物经营许可证信息 211 1 1 5 3 危险废物;经营许可
    许可证编号:C;单位名称:C;经营设施地址:C;核准经营类别:M;核准经营规模:C;有效期至:D
    {area}危险废物收集、贮存、利用和处置单位的经营许可信息，供产废单位选择合规处置单位。

辐射安全许可证信息 3 1 2 5 3 辐射安全;行政许可
    许可证编号:C;单位名称:C;种类和范围:M;发证日期:D;有效期至:D
    {area}使用放射性同位素和射线装置单位的辐射安全许可信息，用于辐射安全监管。

突发环境事件信息 212 2 3 8 3 突发环境事件;应急管理
    事件编号:C;事件名称:C;发生时间:T;事件级别:C;影响范围:M;处置情况:M
    {area}突发环境事件的发生时间、级别、影响范围和应急处置情况，用于环境应急管理和跨部门联动。

污染源自动监控数据 211 2 2 1 3;7 在线监测;污染源
    排放口编号:C;单位名称:C;监测时间:T;污染物名称:C;排放浓度:F;排放限值:F;是否超标:L
    {area}重点排污单位排放口在线监测设备上传的污染物排放浓度数据，用于超标预警和非现场执法。
    开放条件：仅向社会公开重点排污单位的小时均值数据

企业环境信用评价信息 104 1 1 7 2 环境信用;信用评价
    单位名称:C;统一社会信用代码:C;评价年度:C;信用等级:C;评价机关:C;发布日期:D
    {area}企业环境信用评价结果，按环保诚信、良好、警示、不良等级向社会发布，实施分级分类监管。

饮用水水源保护区信息 211 1 1 7 4;1 饮用水水源;保护区
    水源地名称:C;水源类型:C;保护区级别:C;保护区面积:F;划定批复文号:C
    {area}集中式饮用水水源保护区的划定范围和级别，用于水源地环境保护和建设项目审批。

生态环境执法检查信息 3 3 3 4 3 环境执法;现场检查
    检查编号:C;检查对象:C;检查时间:T;发现问题:M;处理意见:M
    {area}生态环境执法人员开展现场检查的记录，包括发现的问题和处理意见。
    不予共享依据：《中华人民共和国行政处罚法》有关规定：正在调查处理的执法检查信息不予共享
""")


CIVIL = resources("""
婚姻登记信息 101 2 3 2 3;7 婚姻登记;人口
    男方姓名:C;男方公民身份号码:C;女方姓名:C;女方公民身份号码:C;登记类型:C;登记日期:D;登记机关:C;证件字号:C
    {area}婚姻登记机关办理的结婚、离婚和补领婚姻登记证信息，用于购房资格审核和户籍业务办理。

社会组织登记信息 102 1 1 4 3 社会组织;法人
    统一社会信用代码:C;社会组织名称:C;社会组织类型:C;法定代表人:C;业务主管单位:C;登记日期:D;业务范围:M
    {area}登记的社会团体、基金会和民办非企业单位的基本信息，是法人基础信息库的组成部分。

最低生活保障对象信息 203 2 3 4 3 低保;社会救助
    户主姓名:C;户主公民身份号码:C;家庭人口数:I;保障人数:I;月保障金额:Y;保障起始日期:D;所在街道:C
    {area}城乡最低生活保障家庭的保障人数和保障金额信息，用于社会救助对象认定和救助资金发放。

特困人员救助供养信息 203 2 3 4 3 特困人员;社会救助
    姓名:C;公民身份号码:C;供养方式:C;供养标准:Y;认定日期:D
    {area}特困人员的认定、供养方式和供养标准信息，用于社会救助和养老服务衔接。

养老机构信息 201 1 1 5 2 养老服务;养老机构
    机构名称:C;统一社会信用代码:C;机构地址:C;床位数:I;收住老人数:I;机构性质:C;备案日期:D
    {area}已备案养老机构的床位、收住人数和机构性质，供老年人和家属查询选择。

殡葬火化信息 101 2 3 2 3 殡葬;死亡人口
    姓名:C;公民身份号码:C;性别:C;出生日期:D;死亡日期:D;火化日期:D;殡仪馆名称:C
    {area}殡仪馆办理的遗体火化信息，用于死亡人员户籍注销和社会保险待遇停发核查。

残疾人两项补贴发放信息 203 2 3 4 3 残疾人;补贴
    姓名:C;公民身份号码:C;残疾类别:C;残疾等级:C;补贴类型:C;补贴金额:Y;发放月份:C
    {area}困难残疾人生活补贴和重度残疾人护理补贴的发放信息，用于补贴精准发放和动态调整。

地名信息 103 1 1 8 3;6 地名;地名地址
    地名代码:C;标准名称:C;地名类别:C;所在政区:C;经度:B;纬度:B;命名日期:D;地名含义:M
    {area}经批准的标准地名及其类别、位置和含义，是地名地址库和导航服务的基础数据。

慈善组织认定信息 102 1 1 5 3 慈善组织;公开募捐
    统一社会信用代码:C;慈善组织名称:C;认定日期:D;公开募捐资格:L;登记管理机关:C
    {area}认定的慈善组织及其公开募捐资格信息，供社会公众捐赠时查询核验。

城乡社区基本信息 210 1 1 7 2 社区治理;城乡社区
    社区代码:C;社区名称:C;所属街道:C;户数:I;人口数:I;办公地址:C
    {area}城市社区和行政村的基本情况，包括户数、人口和办公地址，支撑基层治理和网格化管理。

困境儿童保障信息 203 3 3 4 3 儿童福利;困境儿童
    儿童姓名:C;公民身份号码:C;困境类型:C;保障方式:C;监护人姓名:C;认定日期:D
    {area}孤儿、事实无人抚养儿童等困境儿童的认定和保障信息，用于基本生活保障金发放。
    不予共享依据：《中华人民共和国未成年人保护法》有关规定：涉及未成年人个人信息和隐私的，不予共享

行政区划信息 103 1 1 7 2;6 行政区划;基础地理
    区划代码:C;区划名称:C;上级区划代码:C;驻地:C;变更日期:D
    {area}县级以上行政区划和乡级行政区划的代码、名称、驻地及变更情况。
""")


DATA = resources("""
公共信用信息 104 1 2 2 3;7 公共信用;信用监管
    统一社会信用代码:C;主体名称:C;信息类别:C;信息内容:M;认定部门:C;认定日期:D;有效期至:D
    {area}公共信用信息平台归集的行政许可、行政处罚、守信激励和失信惩戒等公共信用信息。
    开放条件：信用主体可查询本主体信息，第三方查询须经信用主体授权

信用承诺信息 208 1 1 2 3 信用承诺;告知承诺
    统一社会信用代码:C;主体名称:C;承诺类型:C;承诺事由:M;承诺日期:D;履约状态:C
    {area}市场主体在行政审批和证明事项告知承诺中作出的信用承诺及履约情况。

守信激励和失信惩戒对象名单 208 1 1 2 3 联合奖惩;信用体系
    统一社会信用代码:C;主体名称:C;名单类型:C;列入事由:M;列入日期:D;发布部门:C
    {area}各部门认定的守信激励对象和失信惩戒对象名单，供联合奖惩系统自动比对。

政务服务事项目录 201 1 1 3 3;6 政务服务;办事指南
    事项编码:C;事项名称:C;事项类型:C;实施主体:C;承诺办结时限:I;收费标准:M;设定依据:M
    {area}依申请政务服务事项和公共服务事项的基本目录及实施清单，是办事指南和网上办事的依据。

政务服务办件信息 201 2 3 1 3 政务服务;办件
    办件编号:C;事项编码:C;申请人名称:C;受理时间:T;办结时间:T;办理结果:C;办理部门:C
    {area}政务服务平台受理和办结的办件过程及结果信息，用于好差评和效能监督。

12345热线工单信息 201 2 3 1 3 12345;民生诉求
    工单编号:C;来电时间:T;诉求类型:C;诉求内容:M;承办单位:C;办理状态:C;满意度:C
    {area}12345政务服务便民热线受理的群众诉求工单及办理结果，用于民生热点分析和督办考核。

电子证照目录信息 105 1 1 2 3;6 电子证照;证照目录
    证照类型代码:C;证照名称:C;颁发部门:C;持证主体类型:C;证照数量:I;更新时间:T
    {area}电子证照库汇聚的证照类型目录和数量，用于证照共享互认和“免证办”事项梳理。

信用修复信息 208 1 1 2 3 信用修复;信用体系
    统一社会信用代码:C;主体名称:C;修复事项:C;修复日期:D;修复部门:C
    {area}完成信用修复的主体及修复事项，用于及时停止公示和解除失信约束。

政务数据共享申请信息 3 1 3 2 3 数据共享;资源申请
    申请编号:C;申请单位:C;资源代码:C;申请用途:M;申请日期:D;审核状态:C
    {area}政务数据共享交换平台上各部门提交的资源申请和审核情况，用于共享绩效评估。

法人单位综合信息 102 2 3 2 3;7 法人综合库;法人
    统一社会信用代码:C;单位名称:C;法定代表人:C;住所:C;登记状态:C;参保人数:I;纳税信用等级:C
    {area}法人综合库融合登记、社保、税务等部门数据形成的法人单位综合信息。

人口综合信息 101 2 3 2 3;7 人口综合库;人口
    姓名:C;公民身份号码:C;性别:C;出生日期:D;户籍地址:C;婚姻状况:C;参保状态:C;学历:C
    {area}人口综合库融合公安、民政、人社、卫健等部门数据形成的自然人综合信息。

电子政务外网接入单位信息 3 3 3 8 3 电子政务外网;网络安全
    单位名称:C;接入方式:C;IP地址段:C;接入日期:D
    {area}接入电子政务外网的单位、接入方式和地址分配信息，用于网络运维和安全管理。
    不予共享依据：《中华人民共和国网络安全法》有关规定：网络结构和安全防护信息不予共享
""")


DEVELOPMENT = resources("""
投资项目审批信息 3 1 1 2 3 投资项目;审批
    项目代码:C;项目名称:C;项目单位:C;建设地点:C;总投资:Y;审批事项:C;审批结果:C;审批日期:D
    通过投资项目在线审批监管平台办理的{area}投资项目审批、核准和备案信息。

能源消费统计信息 207 1 1 7 2 能源消费;能耗双控
    统计期:C;地区:C;能源消费总量:F;单位地区生产总值能耗:F;非化石能源占比:F
    {area}能源消费总量和强度的统计信息，用于能耗双控目标考核和能源安全形势分析。

重要商品价格监测信息 206 1 1 3 2;6 价格监测;民生商品
    监测日期:D;商品名称:C;规格等级:C;计量单位:C;平均价格:Y;环比涨跌幅:F
    {area}粮油、猪肉、蔬菜等重要民生商品的价格监测数据，用于价格异常波动预警。

公共信用信息 104 1 2 2 3;7 公共信用;信用监管
    统一社会信用代码:C;主体名称:C;信息类别:C;信息内容:M;认定部门:C;认定日期:D;有效期至:D
    {area}信用信息共享平台归集的各部门公共信用信息，支撑信用监管和联合奖惩。
    开放条件：通过信用中国网站按主体查询，批量数据须经授权

守信激励和失信惩戒对象名单 208 1 1 2 3 联合奖惩;信用体系
    统一社会信用代码:C;主体名称:C;名单类型:C;列入事由:M;列入日期:D;发布部门:C
    {area}各部门认定并推送的守信激励和失信惩戒对象名单，用于跨地区、跨部门联合奖惩。

信用修复信息 208 1 1 2 3 信用修复;信用体系
    统一社会信用代码:C;主体名称:C;修复事项:C;修复日期:D;修复部门:C
    {area}完成信用修复的市场主体及修复事项，用于同步停止公示失信信息。

政府定价目录信息 206 1 1 8 1 政府定价;价格监管
    定价项目:C;定价内容:M;定价部门:C;定价范围:C;实施日期:D
    {area}政府定价目录中的定价项目、内容和定价部门，依法向社会公布。

重大建设项目信息 209 2 2 4 3 重大项目;投资监测
    项目代码:C;项目名称:C;建设内容:M;总投资:Y;开工日期:D;建设进度:C
    {area}重大建设项目的建设内容、投资和进度信息，用于项目调度和投资监测。
    开放条件：仅开放项目名称、建设内容和总投资等批准公开的信息

社会信用体系建设统计信息 208 1 1 7 2 信用体系;统计
    统计年度:C;地区:C;归集信息条数:I;联合奖惩次数:I;信用修复主体数:I
    {area}社会信用体系建设的年度统计数据，用于评估信用信息归集和应用成效。

价格成本调查信息 206 3 3 7 1 成本监审;价格监管
    调查项目:C;调查对象:C;成本构成:M;调查年度:C;调查结论:M
    {area}定价成本监审和价格成本调查的调查对象和结论，为制定和调整政府定价提供依据。
    不予共享依据：《中华人民共和国价格法》有关规定：成本调查中获取的经营者商业秘密应当保密
""")


HOUSING = resources("""
商品房预售许可信息 209 1 1 3 3 商品房;预售许可
    预售许可证号:C;项目名称:C;开发企业:C;项目坐落:C;预售面积:F;预售套数:I;发证日期:D
    {area}核发的商品房预售许可证信息，供购房人查询项目合法性。

商品房网签备案信息 209 2 3 2 3 网签备案;房地产
    合同编号:C;项目名称:C;房屋坐落:C;建筑面积:F;合同总价:Y;备案日期:D;买受人姓名:C;买受人证件号码:C
    {area}新建商品房和存量房买卖合同网签备案信息，用于购房资格复核、税费征收和房地产市场监测。

建筑业企业资质信息 209 1 1 4 3 建筑业;企业资质
    资质证书编号:C;企业名称:C;统一社会信用代码:C;资质类别及等级:C;有效期至:D
    {area}建筑业企业资质证书信息，用于招投标资格审查和建筑市场监管。

住房公积金缴存信息 203 2 3 4 3 住房公积金;住房保障
    个人账号:C;姓名:C;公民身份号码:C;单位名称:C;缴存基数:Y;月缴存额:Y;账户状态:C
    {area}住房公积金个人账户的缴存基数、缴存额和账户状态，用于贷款审批和提取业务协同。

物业服务企业信息 210 1 1 5 2 物业服务;社区治理
    企业名称:C;统一社会信用代码:C;注册地址:C;在管项目数:I;信用等级:C
    {area}物业服务企业的基本信息、在管项目数量和信用等级，服务小区治理和业主选聘。

公共租赁住房保障信息 203 2 3 4 3 公共租赁住房;住房保障
    申请人姓名:C;公民身份号码:C;家庭人口数:I;保障方式:C;房源地址:C;配租日期:D
    {area}公共租赁住房的申请、审核和配租信息，用于住房保障资格复核。

建筑工程施工许可信息 209 1 1 3 3 施工许可;工程建设
    施工许可证编号:C;项目名称:C;建设单位:C;施工单位:C;合同价格:Y;发证日期:D
    {area}核发的建筑工程施工许可证信息，依法向社会公开，便于公众监督。

房屋安全鉴定信息 212 2 3 8 3 房屋安全;危房治理
    鉴定编号:C;房屋地址:C;鉴定等级:C;鉴定日期:D;鉴定机构:C
    {area}房屋安全鉴定结论信息，用于危房排查治理和防汛防台期间人员转移。
""")

KINDS: dict[str, tuple[str, tuple[Spec, ...]]] = {
    "police": ("010", POLICE),
    "market": ("020", MARKET),
    "land": ("030", LAND),
    "hr": ("040", HR),
    "health": ("050", HEALTH),
    "environment": ("060", ENVIRONMENT),
    "civil": ("070", CIVIL),
    "data": ("080", DATA),
    "development": ("090", DEVELOPMENT),
    "housing": ("100", HOUSING),
}
"""Department kind → (three-digit department code used in 部门 identifiers, the resources it keeps)."""

CONDITIONS = (
    "仅限政务部门依法履行职责使用，需经提供方审核同意",
    "按需申请，仅提供核验比对服务，不提供批量数据",
    "需签订数据共享安全保密协议，不得向第三方提供",
    "限于政务服务事项办理中的身份核验和申请材料免提交",
    "须经共享平台授权调用，调用记录留存备查",
)
OPEN_CONDITIONS = (
    "需在开放平台实名注册并签署数据利用协议",
    "仅开放汇总统计数据，不含个人信息",
    "面向科研机构和企业按申请开放，需说明数据用途",
)
REQUIREMENTS = (
    "不得用于申请用途以外的事项",
    "使用单位应落实数据安全保护责任，按期清理过期数据",
    "调用日志保存不少于六个月",
)

# The federation -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    """A provider: the department a catalog entry comes from, with its unified social credit code."""

    name: str
    slug: str
    kind: str
    credit_code: str


@dataclass(frozen=True)
class Source:
    """One file of the federation: the catalog of one level of government, as its platform publishes it.

    ``per_department`` is how many resources each department registers; the hosts are the level's data
    sharing platform and open-data portal (Turtle sources only: the template has no distributions);
    ``category_style`` is how the template's 信息资源分类 is filled in (``path`` 基础/人口 or ``notation`` 101).
    """

    name: str
    file: str
    level: str
    region: str
    area: str
    coordinator: Department
    departments: tuple[Department, ...]
    per_department: int
    share_host: str = ""
    open_host: str = ""
    category_style: str = "path"

    @property
    def form(self) -> str:
        """``turtle``, ``xlsx`` or ``csv``: how the harvester has to read the file."""
        return {".ttl": "turtle", ".xlsx": "xlsx", ".csv": "csv"}[Path(self.file).suffix]

    @property
    def title(self) -> str:
        return f"{self.area}政务信息资源目录"


def organization_code(name: str) -> str:
    """A made-up but well-formed GB 11714 organisation code, derived from the name so it never changes.

    Eight digits and a mod-11 check character (``X`` for 10): the form the nine middle characters of a
    credit code take for organisations registered before 2015.
    """
    digits = f"{int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10**8:08d}"
    remainder = 11 - sum(int(d) * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return digits + {10: "X", 11: "0"}.get(remainder, str(remainder))


def department(name: str, slug: str, kind: str, division: str, *, institution: bool = False) -> Department:
    """A department with a valid credit code: authority 1 (机构编制), type 1 (机关) or 2 (事业单位)."""
    first17 = f"1{2 if institution else 1}{division}{organization_code(name)}"
    return Department(name, slug, kind, first17 + check_character(first17))


def sources() -> tuple[Source, ...]:
    """The seven catalogs, parents before children so that relations can point up the hierarchy.

    A level's coordinating office publishes the level's catalog; where it also keeps resources of its own
    (the municipal and county data bureaus) it is one of the departments too.
    """
    national, js, nj, sz, xw, jn, ks = "100000", "320000", "320100", "320500", "320102", "320115", "320583"
    nanjing_data = department("南京市大数据管理局", "dsjj", "data", nj)
    suzhou_data = department("苏州市大数据管理局", "dsjj", "data", sz)
    xuanwu_data = department("南京市玄武区数据局", "sjj", "data", xw)
    jiangning_data = department("南京市江宁区大数据管理中心", "dsj", "data", jn, institution=True)
    kunshan_office = department("昆山市政务服务管理办公室", "zwb", "data", ks)
    return (
        Source(
            name="national",
            file="national.ttl",
            level="1",
            region=national,
            area="全国",
            coordinator=department("国家数据局", "nda", "data", national),
            departments=(
                department("公安部", "mps", "police", national),
                department("国家市场监督管理总局", "samr", "market", national),
                department("自然资源部", "mnr", "land", national),
                department("人力资源和社会保障部", "mohrss", "hr", national),
                department("国家卫生健康委员会", "nhc", "health", national),
                department("生态环境部", "mee", "environment", national),
                department("民政部", "mca", "civil", national),
                department("国家发展和改革委员会", "ndrc", "development", national),
            ),
            per_department=13,
            share_host="https://sjgx.gjzwfw.gov.cn",
            open_host="https://data.gjzwfw.gov.cn",
        ),
        Source(
            name="jiangsu",
            file="jiangsu.ttl",
            level="2",
            region=js,
            area="江苏省",
            coordinator=department("江苏省政务服务管理办公室", "zwb", "data", js),
            departments=(
                department("江苏省公安厅", "gat", "police", js),
                department("江苏省市场监督管理局", "scjgj", "market", js),
                department("江苏省自然资源厅", "zrzyt", "land", js),
                department("江苏省人力资源和社会保障厅", "rst", "hr", js),
                department("江苏省卫生健康委员会", "wjw", "health", js),
                department("江苏省生态环境厅", "sthjt", "environment", js),
                department("江苏省民政厅", "mzt", "civil", js),
                department("江苏省大数据管理中心", "dsj", "data", js, institution=True),
            ),
            per_department=12,
            share_host="https://sjgx.jszwfw.gov.cn",
            open_host="https://data.jiangsu.gov.cn",
        ),
        Source(
            name="nanjing",
            file="nanjing.ttl",
            level="3",
            region=nj,
            area="南京市",
            coordinator=nanjing_data,
            departments=(
                department("南京市公安局", "gaj", "police", nj),
                department("南京市市场监督管理局", "scjgj", "market", nj),
                department("南京市规划和自然资源局", "ghzyj", "land", nj),
                department("南京市人力资源和社会保障局", "rsj", "hr", nj),
                department("南京市卫生健康委员会", "wjw", "health", nj),
                department("南京市生态环境局", "sthjj", "environment", nj),
                department("南京市民政局", "mzj", "civil", nj),
                department("南京市住房保障和房产局", "fcj", "housing", nj),
                nanjing_data,
            ),
            per_department=8,
            share_host="https://sjgx.nanjing.gov.cn",
            open_host="https://data.nanjing.gov.cn",
        ),
        Source(
            name="suzhou",
            file="suzhou.xlsx",
            level="3",
            region=sz,
            area="苏州市",
            coordinator=suzhou_data,
            departments=(
                department("苏州市公安局", "gaj", "police", sz),
                department("苏州市市场监督管理局", "scjgj", "market", sz),
                department("苏州市自然资源和规划局", "zrzyj", "land", sz),
                department("苏州市人力资源和社会保障局", "rsj", "hr", sz),
                department("苏州市卫生健康委员会", "wjw", "health", sz),
                department("苏州市生态环境局", "sthjj", "environment", sz),
                department("苏州市民政局", "mzj", "civil", sz),
                department("苏州市住房和城乡建设局", "zjj", "housing", sz),
                suzhou_data,
            ),
            per_department=9,
        ),
        Source(
            name="xuanwu",
            file="xuanwu-gbk.csv",
            level="4",
            region=xw,
            area="玄武区",
            coordinator=xuanwu_data,
            departments=(
                department("南京市公安局玄武分局", "gafj", "police", xw),
                department("南京市玄武区市场监督管理局", "scjgj", "market", xw),
                department("南京市玄武区人力资源和社会保障局", "rsj", "hr", xw),
                department("南京市玄武区卫生健康委员会", "wjw", "health", xw),
                department("南京市玄武区民政局", "mzj", "civil", xw),
                xuanwu_data,
            ),
            per_department=6,
            category_style="notation",
        ),
        Source(
            name="jiangning",
            file="jiangning.ttl",
            level="4",
            region=jn,
            area="江宁区",
            coordinator=jiangning_data,
            departments=(
                department("南京市公安局江宁分局", "gafj", "police", jn),
                department("南京市江宁区市场监督管理局", "scjgj", "market", jn),
                department("南京市江宁区人力资源和社会保障局", "rsj", "hr", jn),
                department("南京市江宁区卫生健康委员会", "wjw", "health", jn),
                department("南京市江宁区民政局", "mzj", "civil", jn),
                department("南京市江宁生态环境局", "sthjj", "environment", jn),
                department("南京市江宁区住房和城乡建设局", "zjj", "housing", jn),
                jiangning_data,
            ),
            per_department=6,
            share_host="https://sjgx.nanjing.gov.cn/jiangning",
            open_host="https://data.nanjing.gov.cn/jiangning",
        ),
        Source(
            name="kunshan",
            file="kunshan.csv",
            level="4",
            region=ks,
            area="昆山市",
            coordinator=kunshan_office,
            departments=(
                department("昆山市公安局", "gaj", "police", ks),
                department("昆山市市场监督管理局", "scjgj", "market", ks),
                department("昆山市人力资源和社会保障局", "rsj", "hr", ks),
                department("昆山市卫生健康委员会", "wjw", "health", ks),
                department("昆山市民政局", "mzj", "civil", ks),
                kunshan_office,
            ),
            per_department=6,
        ),
    )


SOURCES = sources()
SOURCES_BY_NAME = {source.name: source for source in SOURCES}

PARENT = {
    "jiangsu": "national",
    "nanjing": "jiangsu",
    "suzhou": "jiangsu",
    "xuanwu": "nanjing",
    "jiangning": "nanjing",
    "kunshan": "suzhou",
}
"""The level above each source, whose same-kind resources an entry may name as related."""

CSV_ENCODINGS = {"xuanwu": "gbk", "kunshan": "utf-8-sig"}
"""The GBK file is what Excel on a Chinese Windows saves; the other CSV carries the BOM WPS writes."""

LEVEL_DATES = {
    "1": ("2018-03-01", "2023-06-30"),
    "2": ("2019-01-01", "2024-06-30"),
    "3": ("2020-01-01", "2024-12-31"),
    "4": ("2021-01-01", "2025-03-31"),
}
"""The span 发布日期 fall in at each level: national catalogs were compiled first, counties last."""

LAST_MODIFIED = dt.date(2025, 6, 30)

UNKNOWN_REGION = "320103"
"""白下区, merged into 秦淮区 in 2013: a code that old department systems still carry but GB/T 2260 no longer has."""

DEFECTS_BY_SOURCE: dict[str, tuple[str, ...]] = {
    "national": ("conditional-without-condition", "basic-not-shared"),
    "jiangsu": ("not-shared-without-basis", "classified"),
    "nanjing": ("missing-title", "identifier-category-mismatch"),
    "suzhou": ("conditional-without-purpose",),
    "xuanwu": ("bad-credit-code",),
    "jiangning": ("unknown-region", "bad-credit-code"),
    "kunshan": ("not-shared-but-open", "no-data-elements"),
}
"""The deliberately invalid entries: each is a valid entry with exactly one rule of the profile broken."""

BAD_ROWS: dict[str, tuple[str, str]] = {
    "suzhou": ("共享类型", "部分共享"),
    "xuanwu": ("更新周期", "每两周"),
    "kunshan": ("共享方式", "共享平台方式/FTP"),
}
"""One spreadsheet row per template file with a value outside its code list: the reader must reject the row."""

DUPLICATED = {"xuanwu": 3, "jiangning": 2}
"""How many district entries 南京市 republishes unchanged (一数一源: the district is the source)."""

CONFLICTING = "jiangning"
"""The district one of whose entries 南京市 republishes under a different title."""

# Entries -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One catalog entry in the profile's terms: code-list values are notations, dates are dates.

    Spreadsheet sources cannot express ``modified``, ``provision`` or distributions, so entries generated for
    them have none; that keeps a district entry republished in a Turtle file equal to its template row.
    """

    identifier: str
    category: str
    stem: str
    title: str | None
    provider: Department
    description: str
    formats: tuple[str, ...]
    elements: tuple[tuple[str, str], ...]
    sharing: str
    condition: str | None
    method: tuple[str, str] | None
    provision: str | None
    basis: str | None
    openness: str
    open_condition: str | None
    purposes: tuple[str, ...]
    requirement: str | None
    frequency: str
    issued: dt.date
    modified: dt.date | None
    relations: tuple[str, ...]
    region: str
    level: str
    classified: bool
    keywords: tuple[str, ...]
    distributed: bool


class IdentifierPool:
    """Hands out 信息资源代码: a seven-digit prefix and a six-digit sequence that grows in small random steps.

    The prefix is fixed by the resource (classification and sub-item), the sequence by the order of
    registration, so the same kind of resource at several levels shares a prefix but never a code.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._last: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        last = self._last.get(prefix)
        number = self._rng.randint(1, 400) if last is None else last + self._rng.randint(1, 25)
        self._last[prefix] = number
        return f"{prefix}/{number:06d}"


def identifier_prefixes() -> dict[tuple[str, str], str]:
    """(kind, title) → the seven-digit prefix of the resource's codes.

    Basic and thematic resources take their category notation and a four-digit sub-item shared by every
    department keeping a resource of that title; departmental ones take 3, the department code and a
    three-digit item.
    """
    prefixes: dict[tuple[str, str], str] = {}
    by_title: dict[tuple[str, str], str] = {}
    items: dict[str, int] = {}
    for kind, (kind_code, specs) in KINDS.items():
        departmental = 0
        for spec in specs:
            if spec.category == "3":
                departmental += 1
                prefixes[kind, spec.title] = f"3{kind_code}{departmental:03d}"
                continue
            key = (spec.category, spec.title)
            if key not in by_title:
                items[spec.category] = items.get(spec.category, 0) + 1
                by_title[key] = f"{spec.category}{items[spec.category]:04d}"
            prefixes[kind, spec.title] = by_title[key]
    return prefixes


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def sharing_method(formats: tuple[str, ...], sharing: str, rng: random.Random) -> tuple[str, str] | None:
    """共享方式 (category, type) as a department would choose it for the resource's formats."""
    if sharing == "3":
        return None
    if "7" in formats:
        return ("1", "2")
    if "3" in formats:
        return ("1", rng.choice(("1", "2")))
    if "4" in formats:
        return (rng.choice(("1", "3")), "3")
    return (rng.choice(("1", "1", "1", "2")), "3")


def make_entry(spec: Spec, identifier: str, provider: Department, source: Source, rng: random.Random) -> Entry:
    """A valid entry for ``spec`` kept by ``provider`` in ``source``."""
    rich = source.form == "turtle"
    formats = tuple(spec.formats.split(";"))
    method = sharing_method(formats, spec.sharing, rng)
    provision = None
    if rich and method is not None:
        provision = {"1": "2", "2": rng.choice(("1", "3")), "3": "4"}[method[1]]
    conditional = spec.sharing == "2"
    start, end = (dt.date.fromisoformat(day) for day in LEVEL_DATES[source.level])
    issued = random_date(rng, start, end)
    modified = min(issued + dt.timedelta(days=rng.randint(20, 900)), LAST_MODIFIED) if rich else None
    open_condition = None
    if spec.openness == "2":
        open_condition = spec.open_condition or rng.choice(OPEN_CONDITIONS)
    return Entry(
        identifier=identifier,
        category=spec.category,
        stem=spec.title,
        title=spec.title if source.level == "1" else source.area + spec.title,
        provider=provider,
        description=spec.description.format(area=source.area),
        formats=formats,
        elements=tuple(
            (name, data_type) for name, _, data_type in (i.partition(":") for i in spec.elements.split(";"))
        ),
        sharing=spec.sharing,
        condition=rng.choice(CONDITIONS) if conditional else None,
        method=method,
        provision=provision,
        basis=spec.basis or None,
        openness=spec.openness,
        open_condition=open_condition,
        purposes=tuple(sorted(rng.sample(("1", "2", "3", "4"), rng.randint(1, 2)))) if conditional else (),
        requirement=rng.choice(REQUIREMENTS) if conditional and rng.random() < 0.6 else None,
        frequency=spec.frequency,
        issued=issued,
        modified=modified,
        relations=(),
        region=source.region,
        level=source.level,
        classified=False,
        keywords=tuple(spec.keywords.split(";")),
        distributed=rich and method is not None and method[0] == "1" and rng.random() < 0.85,
    )


# Deliberate defects ---------------------------------------------------------------------------------------

BASIC_BASIS = "《中华人民共和国个人信息保护法》有关规定：资源含大量个人信息"
GENERIC_BASIS = "《中华人民共和国数据安全法》有关规定：资源涉及重要数据，不予共享"


def not_shared(entry: Entry, basis: str | None, openness: str = "3") -> Entry:
    """The entry turned into a 不予共享 one, with everything that only shared entries carry removed."""
    return replace(
        entry,
        sharing="3",
        condition=None,
        method=None,
        provision=None,
        basis=basis,
        openness=openness,
        open_condition=None,
        purposes=(),
        requirement=None,
        distributed=False,
    )


def corrupt(credit_code: str) -> str:
    """The credit code with a wrong check character, as a typing slip leaves it."""
    return credit_code[:17] + ALPHABET[(ALPHABET.index(credit_code[17]) + 1) % len(ALPHABET)]


@dataclass(frozen=True)
class Defect:
    """One way of breaking a valid entry: which entries it suits and what it does to them."""

    reason: str
    suits: Callable[[Entry], bool]
    apply: Callable[[Entry, IdentifierPool], Entry]


def _departmental_code(entry: Entry, pool: IdentifierPool) -> Entry:
    kind_code = KINDS[entry.provider.kind][0]
    return replace(entry, identifier=pool.next(f"3{kind_code}001"))


DEFECTS: dict[str, Defect] = {
    "conditional-without-condition": Defect(
        "有条件共享但未填写共享条件", lambda e: e.sharing == "2", lambda e, _: replace(e, condition=None)
    ),
    "conditional-without-purpose": Defect(
        "有条件共享但未填写用途", lambda e: e.sharing == "2", lambda e, _: replace(e, purposes=())
    ),
    "basic-not-shared": Defect(
        "基础信息资源标为不予共享", lambda e: e.category.startswith("1"), lambda e, _: not_shared(e, BASIC_BASIS)
    ),
    "not-shared-without-basis": Defect(
        "不予共享但未填写不予共享依据", lambda e: e.category[0] in "23", lambda e, _: not_shared(e, None)
    ),
    "not-shared-but-open": Defect(
        "不予共享却向社会无条件开放",
        lambda e: e.category[0] in "23",
        lambda e, _: not_shared(e, e.basis or GENERIC_BASIS, openness="1"),
    ),
    "classified": Defect("涉密信息资源进入目录", lambda e: e.category == "3", lambda e, _: replace(e, classified=True)),
    "missing-title": Defect("缺少信息资源名称", lambda e: True, lambda e, _: replace(e, title=None)),
    "identifier-category-mismatch": Defect(
        "信息资源代码与分类不符（主题资源使用了部门资源代码）", lambda e: e.category.startswith("2"), _departmental_code
    ),
    "unknown-region": Defect(
        f"行政区划代码 {UNKNOWN_REGION} 已撤销，不在 GB/T 2260 中",
        lambda e: True,
        lambda e, _: replace(e, region=UNKNOWN_REGION),
    ),
    "bad-credit-code": Defect(
        "提供方统一社会信用代码校验位错误",
        lambda e: True,
        lambda e, _: replace(e, provider=replace(e.provider, credit_code=corrupt(e.provider.credit_code))),
    ),
    "no-data-elements": Defect("缺少信息项", lambda e: True, lambda e, _: replace(e, elements=())),
}


# The federation as generated ------------------------------------------------------------------------------


@dataclass
class Catalog:
    """What one source holds, and what the generator did to it on purpose."""

    source: Source
    entries: list[Entry]
    defects: dict[str, str]
    bad_rows: dict[str, tuple[str, str]]
    copies: list[tuple[str, Entry]]
    conflicts: list[str]

    def sound(self) -> list[Entry]:
        """The entries left untouched: candidates for relations, duplicates and further defects."""
        return [e for e in self.entries if e.identifier not in self.defects and e.identifier not in self.bad_rows]


def build(seed: int = SEED) -> list[Catalog]:
    """Generate every catalog, then break, relate and duplicate entries across them, all from one seed."""
    rng = random.Random(seed)
    pool = IdentifierPool(rng)
    prefixes = identifier_prefixes()
    catalogs: dict[str, Catalog] = {}
    for source in SOURCES:
        entries = []
        for provider in source.departments:
            specs = KINDS[provider.kind][1]
            chosen = sorted(rng.sample(range(len(specs)), min(source.per_department, len(specs))))
            for index in chosen:
                spec = specs[index]
                identifier = pool.next(prefixes[provider.kind, spec.title])
                entries.append(make_entry(spec, identifier, provider, source, rng))
        catalogs[source.name] = Catalog(source, entries, {}, {}, [], [])

    for catalog in catalogs.values():
        for name in DEFECTS_BY_SOURCE.get(catalog.source.name, ()):
            defect = DEFECTS[name]
            victim = rng.choice([e for e in catalog.sound() if defect.suits(e)])
            broken = defect.apply(victim, pool)
            catalog.entries[catalog.entries.index(victim)] = broken
            catalog.defects[broken.identifier] = defect.reason
        if catalog.source.name in BAD_ROWS:
            catalog.bad_rows[rng.choice(catalog.sound()).identifier] = BAD_ROWS[catalog.source.name]

    for catalog in catalogs.values():
        relate(catalog, catalogs.get(PARENT.get(catalog.source.name, "")), rng)

    nanjing = catalogs["nanjing"]
    for name, count in DUPLICATED.items():
        for entry in rng.sample(catalogs[name].sound(), count):
            nanjing.copies.append((name, entry))
    copied = {entry.identifier for _, entry in nanjing.copies}
    original = rng.choice([e for e in catalogs[CONFLICTING].sound() if e.identifier not in copied])
    assert original.title is not None
    nanjing.copies.append((CONFLICTING, replace(original, title="南京市" + original.title)))
    nanjing.conflicts.append(original.identifier)
    return list(catalogs.values())


def relate(catalog: Catalog, parent: Catalog | None, rng: random.Random) -> None:
    """Give some entries 关联资源代码: resources of the same catalog, or the same resource one level up."""
    sound = catalog.sound()
    above = {e.stem: e.identifier for e in parent.sound()} if parent else {}
    for position, entry in enumerate(catalog.entries):
        related: list[str] = []
        if rng.random() < 0.15:
            others = [e.identifier for e in sound if e.identifier != entry.identifier]
            related.extend(rng.sample(others, rng.randint(1, 2)))
        if entry.stem in above and rng.random() < 0.3:
            related.append(above[entry.stem])
        if related:
            catalog.entries[position] = replace(entry, relations=tuple(related))


# Turtle ---------------------------------------------------------------------------------------------------

SCHEMES = (
    "resource-category",
    "resource-format",
    "data-type",
    "sharing-type",
    "sharing-method-category",
    "sharing-method-type",
    "provision-method",
    "openness",
    "use-purpose",
    "update-frequency",
    "level",
)

TURTLE_PREFIXES: dict[str, str] = {
    **{p: ns.PREFIXES[p] for p in ("gc", "dcat", "dct", "foaf", "xsd")},
    **{scheme: ns.code(scheme, "") for scheme in SCHEMES},
    "region": ns.REGION,
    "org": ns.ORG,
}
"""Each code list gets its scheme name as prefix, so ``sharing-type:2`` reads as what it is."""

MEDIA_TYPES = {
    "1": "application/pdf",
    "2": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "3": "text/csv",
    "4": "image/tiff",
    "6": "application/json",
    "7": "application/json",
}
"""The media type a distribution on the sharing platform has, by the resource's first format."""

IANA = "https://www.iana.org/assignments/media-types/"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _p(curie: str) -> ox.NamedNode:
    prefix, local = curie.split(":")
    return ox.NamedNode(ns.PREFIXES[prefix] + local)


def _zh(text: str | None) -> ox.Literal | None:
    """A Chinese literal, or nothing for an absent value (so that optional elements simply drop out)."""
    return ox.Literal(text, language="zh") if text else None


def _code(scheme: str, notation: str | None) -> ox.NamedNode | None:
    return _n(ns.code(scheme, notation)) if notation else None


def _date(day: dt.date | None) -> ox.Literal | None:
    return ox.Literal(day.isoformat(), datatype=_p("xsd:date")) if day else None


Node = ox.NamedNode | ox.Literal


class TurtleWriter:
    """Collects the triples of one Turtle file in reading order: catalogs, providers, then entries."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []
        self._described: set[str] = set()

    def add(self, subject: str, predicate: str, obj: Node | None) -> None:
        if obj is not None:
            self.triples.append(ox.Triple(_n(subject), _p(predicate), obj))

    def organization(self, provider: Department) -> None:
        iri = ns.organization(provider.credit_code)
        if iri in self._described:
            return
        self._described.add(iri)
        self.add(iri, "rdf:type", _p("foaf:Organization"))
        self.add(iri, "foaf:name", _zh(provider.name))
        self.add(iri, "gc:creditCode", ox.Literal(provider.credit_code))

    def catalog(
        self,
        iri: str,
        title: str,
        publisher: Department,
        region: str,
        members: Sequence[tuple[str, str]],
        description: str | None = None,
    ) -> None:
        """A ``dcat:Catalog``; ``members`` are (``dcat:catalog`` or ``dcat:dataset``, IRI) pairs."""
        self.add(iri, "rdf:type", _p("dcat:Catalog"))
        self.add(iri, "dct:title", _zh(title))
        self.add(iri, "dct:description", _zh(description))
        self.add(iri, "dct:publisher", _n(ns.organization(publisher.credit_code)))
        self.add(iri, "dct:spatial", _n(ns.region(region)))
        for predicate, member in members:
            self.add(iri, predicate, _n(member))

    def dataset(self, entry: Entry, source: Source) -> None:
        """The entry in profile terms, followed by its data elements and, when published, its distributions."""
        iri = ns.resource(entry.identifier)
        links, parts = distributions(entry, source) if entry.distributed else ([], [])
        self.add(iri, "rdf:type", _p("dcat:Dataset"))
        self.add(iri, "dct:identifier", ox.Literal(entry.identifier))
        self.add(iri, "gc:resourceCategory", _code("resource-category", entry.category))
        self.add(iri, "dct:title", _zh(entry.title))
        self.add(iri, "dct:publisher", _n(ns.organization(entry.provider.credit_code)))
        self.add(iri, "dct:description", _zh(entry.description))
        for notation in entry.formats:
            self.add(iri, "gc:resourceFormat", _code("resource-format", notation))
        for keyword in entry.keywords:
            self.add(iri, "dcat:keyword", _zh(keyword))
        for position in range(1, len(entry.elements) + 1):
            self.add(iri, "gc:dataElement", _n(f"{iri}/element/{position}"))
        self.add(iri, "gc:sharingType", _code("sharing-type", entry.sharing))
        self.add(iri, "gc:sharingCondition", _zh(entry.condition))
        if entry.method:
            self.add(iri, "gc:sharingMethodCategory", _code("sharing-method-category", entry.method[0]))
            self.add(iri, "gc:sharingMethodType", _code("sharing-method-type", entry.method[1]))
        self.add(iri, "gc:provisionMethod", _code("provision-method", entry.provision))
        self.add(iri, "gc:nonSharingBasis", _zh(entry.basis))
        self.add(iri, "gc:openness", _code("openness", entry.openness))
        self.add(iri, "gc:openCondition", _zh(entry.open_condition))
        for notation in entry.purposes:
            self.add(iri, "gc:usePurpose", _code("use-purpose", notation))
        self.add(iri, "gc:useRequirement", _zh(entry.requirement))
        self.add(iri, "dct:accrualPeriodicity", _code("update-frequency", entry.frequency))
        self.add(iri, "dct:issued", _date(entry.issued))
        self.add(iri, "dct:modified", _date(entry.modified))
        for related in entry.relations:
            self.add(iri, "dct:relation", _n(ns.resource(related)))
        self.add(iri, "dct:spatial", _n(ns.region(entry.region)))
        self.add(iri, "gc:level", _code("level", entry.level))
        self.add(iri, "gc:classified", ox.Literal(entry.classified))
        for link in links:
            self.add(iri, "dcat:distribution", _n(link))
        for position, (name, data_type) in enumerate(entry.elements, start=1):
            element = f"{iri}/element/{position}"
            self.add(element, "rdf:type", _p("gc:DataElement"))
            self.add(element, "dct:title", _zh(name))
            self.add(element, "gc:dataType", _code("data-type", data_type))
            self.add(element, "gc:position", ox.Literal(position))
        for subject, predicate, obj in parts:
            self.add(subject, predicate, obj)


def distributions(entry: Entry, source: Source) -> tuple[list[str], list[tuple[str, str, Node]]]:
    """The entry on the sharing platform (through an API for 接口), and on the open-data portal when open.

    Returns the distribution IRIs and the triples describing them (and the API service).
    """
    iri = ns.resource(entry.identifier)
    name = entry.title or entry.stem
    assert entry.method is not None
    method_type = entry.method[1]
    shared = f"{iri}/distribution/1"
    media = "application/json" if method_type == "2" else MEDIA_TYPES.get(entry.formats[0], "text/csv")
    method_label = {"1": "数据库", "2": "接口", "3": "文件"}[method_type]
    triples: list[tuple[str, str, Node]] = [
        (shared, "rdf:type", _p("dcat:Distribution")),
        (shared, "dct:title", ox.Literal(f"{name}（共享平台{method_label}）", language="zh")),
        (shared, "dcat:accessURL", _n(f"{source.share_host}/resource/{entry.identifier}")),
        (shared, "dct:format", _n(IANA + media)),
    ]
    if method_type == "2":
        service = f"{iri}/service"
        triples += [
            (shared, "dcat:accessService", _n(service)),
            (service, "rdf:type", _p("dcat:DataService")),
            (service, "dct:title", ox.Literal(f"{name}查询接口", language="zh")),
            (service, "dcat:endpointURL", _n(f"{source.share_host}/api/v1/resources/{entry.identifier}")),
            (service, "dcat:servesDataset", _n(iri)),
        ]
    links = [shared]
    if entry.openness != "3":
        opened = f"{iri}/distribution/2"
        triples += [
            (opened, "rdf:type", _p("dcat:Distribution")),
            (opened, "dct:title", ox.Literal(f"{name}（开放数据）", language="zh")),
            (opened, "dcat:accessURL", _n(f"{source.open_host}/dataset/{entry.identifier}")),
            (opened, "dct:format", _n(IANA + "text/csv")),
        ]
        links.append(opened)
    return links, triples


def turtle_document(catalog: Catalog) -> bytes:
    """The source's catalog tree: the level's catalog, its department catalogs and their entries.

    Entries that 南京市 republishes from a district sit in that district department's catalog, under the
    city's, just as a municipal platform mirrors what the districts register.
    """
    source = catalog.source
    groups: dict[str, tuple[Department, str, list[Entry]]] = {}
    for entry in catalog.entries:
        groups.setdefault(f"{source.name}/{entry.provider.slug}", (entry.provider, source.region, []))[2].append(entry)
    for origin, entry in catalog.copies:
        groups.setdefault(f"{origin}/{entry.provider.slug}", (entry.provider, entry.region, []))[2].append(entry)

    writer = TurtleWriter()
    writer.catalog(
        ns.catalog(source.name),
        source.title,
        source.coordinator,
        source.region,
        [("dcat:catalog", ns.catalog(slug)) for slug in groups],
        description=f"{source.area}各部门编制的政务信息资源目录，由{source.coordinator.name}汇总发布。",
    )
    for slug, (provider, region, entries) in groups.items():
        members = [("dcat:dataset", ns.resource(e.identifier)) for e in entries]
        writer.catalog(ns.catalog(slug), f"{provider.name}政务信息资源目录", provider, region, members)
    writer.organization(source.coordinator)
    for provider, _, entries in groups.values():
        writer.organization(provider)
        for entry in entries:
            writer.organization(entry.provider)  # differs from the catalog's publisher when its code is broken
    for entry in catalog.entries:
        writer.dataset(entry, source)
    for origin, entry in catalog.copies:
        writer.dataset(entry, SOURCES_BY_NAME[origin])
    return serialize(writer.triples, ox.RdfFormat.TURTLE, TURTLE_PREFIXES)


# Spreadsheets --------------------------------------------------------------------------------------------


def template_row(entry: Entry, source: Source, vocabulary: CodeLists) -> dict[str, str]:
    """The entry as a department fills in the template: code-list values by their Chinese labels."""

    def label(scheme: str, notation: str) -> str:
        text = vocabulary.label(ns.code(scheme, notation))
        assert text is not None, (scheme, notation)
        return text

    if source.category_style == "notation":
        category = entry.category
    elif len(entry.category) == 1:
        category = label("resource-category", entry.category)
    else:
        category = f"{label('resource-category', entry.category[0])}/{label('resource-category', entry.category)}"
    method = ""
    if entry.method:
        method = f"{label('sharing-method-category', entry.method[0])}/{label('sharing-method-type', entry.method[1])}"
    return {
        "信息资源分类": category,
        "信息资源名称": entry.title or "",
        "信息资源代码": entry.identifier,
        "信息资源提供方": entry.provider.name,
        "信息资源提供方代码": entry.provider.credit_code,
        "信息资源摘要": entry.description,
        "信息资源格式": ";".join(label("resource-format", f) for f in entry.formats),
        "信息项": ";".join(f"{name}:{data_type}" for name, data_type in entry.elements),
        "共享类型": label("sharing-type", entry.sharing),
        "共享条件": entry.condition or "",
        "共享方式": method,
        "不予共享依据": entry.basis or "",
        "是否向社会开放": "否" if entry.openness == "3" else "是",
        "开放条件": entry.open_condition or "",
        "更新周期": label("update-frequency", entry.frequency),
        "发布日期": entry.issued.isoformat(),
        "关联资源代码": ";".join(entry.relations),
        "行政区划代码": entry.region,
        "用途": ";".join(label("use-purpose", p) for p in entry.purposes),
        "使用要求": entry.requirement or "",
        "层级": label("level", entry.level),
        "涉密属性": "是" if entry.classified else "否",
        "关键词": ";".join(entry.keywords),
    }


def template_rows(catalog: Catalog, vocabulary: CodeLists) -> list[dict[str, str]]:
    """The catalog's rows in order, the deliberately bad ones with their out-of-list value."""
    rows = []
    for entry in catalog.entries:
        row = template_row(entry, catalog.source, vocabulary)
        if entry.identifier in catalog.bad_rows:
            column, value = catalog.bad_rows[entry.identifier]
            row[column] = value
        rows.append(row)
    return rows


def make_reproducible(xlsx: Path) -> None:
    """Rewrite an XLSX so that it no longer records when it was written (zip entry times, core properties)."""
    with zipfile.ZipFile(xlsx) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    buffer = io.BytesIO()
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*FIXED_TIMESTAMP).encode()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            info = zipfile.ZipInfo(name, FIXED_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    xlsx.write_bytes(buffer.getvalue())


# Output --------------------------------------------------------------------------------------------------


def write_catalog(catalog: Catalog, folder: Path, vocabulary: CodeLists) -> None:
    """Write one source in its form: Turtle, an XLSX template, or a CSV template in the source's encoding."""
    source = catalog.source
    path = folder / source.file
    if source.form == "turtle":
        path.write_bytes(turtle_document(catalog))
    elif source.form == "xlsx":
        write_template_xlsx(template_rows(catalog, vocabulary), path)
        make_reproducible(path)
    else:
        write_template(template_rows(catalog, vocabulary), path, encoding=CSV_ENCODINGS[source.name])


def manifest_entry(catalog: Catalog, vocabulary: CodeLists) -> dict[str, Any]:
    """What a file is and what was done to it on purpose; row numbers are as a spreadsheet shows them."""
    source = catalog.source
    row_of = {entry.identifier: number for number, entry in enumerate(catalog.entries, start=2)}
    entry: dict[str, Any] = {
        "file": source.file,
        "source": source.name,
        "format": source.form,
        "level": source.level,
        "level_name": vocabulary.label(ns.code("level", source.level)),
        "region": source.region,
        "region_name": vocabulary.label(ns.region(source.region)),
        "title": source.title,
        "publisher": source.coordinator.name,
        "entries": len(catalog.entries) + len(catalog.copies),
        "invalid": list(catalog.defects),
        "defects": catalog.defects,
        "duplicates": [e.identifier for origin, e in catalog.copies if e.identifier not in catalog.conflicts],
        "duplicate_of": {e.identifier: origin for origin, e in catalog.copies},
        "conflicts": catalog.conflicts,
        "bad_rows": [
            {"row": row_of[identifier], "identifier": identifier, "column": column, "value": value}
            for identifier, (column, value) in catalog.bad_rows.items()
        ],
    }
    if source.form == "turtle":
        entry["catalog"] = ns.catalog(source.name)
    if source.form == "csv":
        entry["encoding"] = CSV_ENCODINGS[source.name]
    return entry


def generate(folder: Path = OUTPUT, seed: int = SEED) -> dict[str, Any]:
    """Write every file of the federation and ``manifest.json`` into ``folder``; return the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    vocabulary = CodeLists.default()
    catalogs = build(seed)
    for catalog in catalogs:
        write_catalog(catalog, folder, vocabulary)
    manifest: dict[str, Any] = {
        "description": "政务信息资源目录样例联邦：国家、江苏省、南京市、苏州市及三个县级目录",
        "generator": "examples/generate.py",
        "seed": seed,
        "files": [manifest_entry(catalog, vocabulary) for catalog in catalogs],
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return manifest


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=OUTPUT, help=f"output folder (default {OUTPUT})")
    args = parser.parse_args(argv)
    manifest = generate(args.folder)
    for item in manifest["files"]:
        print(
            f"{item['file']:<16} {item['entries']:>4} entries, {len(item['invalid'])} invalid, "
            f"{len(item['bad_rows'])} bad rows, {len(item['duplicate_of'])} republished"
        )


if __name__ == "__main__":
    main()

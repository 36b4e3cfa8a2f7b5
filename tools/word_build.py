"""Build the Word templates shipped in ``src/costing/report/word_templates/``:
``python tools/word_build.py [DIR]`` (a maintainer's script, not part of the installed package).

The .docx files are the source a bureau edits in Word or WPS; this script is
how they were made, so they can be rebuilt and reviewed as text. Policy numbers
(the marks of 预算执行率, the grade bands, the profit-rate cap) are never typed
in: the templates take them from the scoring profile and the project's
parameters (the ``policy`` field of :func:`costing.report.word.report_context`).
Every template has the same house style:

- A4, the margins of official documents (GB/T 9704: top 37 mm, bottom 35 mm,
  left 28 mm, right 26 mm), page number in the footer;
- letterhead: the bureau's name in red and a red rule (edit both in Word);
- body 仿宋_GB2312 16 pt (三号), headings 黑体, tables 宋体 10.5 pt (五号), title
  方正小标宋简体 22 pt (二号); each East-Asian font is set as ``w:eastAsia`` in
  the styles, Latin text in Times New Roman, and the font table declares the
  fallback (``w:altName``: 仿宋, 黑体, 宋体) used where the first font is missing;
- numbered headings 一、二、三… as the Heading 1 style (so Word's navigation
  pane and table of contents work); tables are native Word tables (style
  Table Grid) whose rows and columns are Jinja loops over the recorded table,
  laid out when rendered (:mod:`costing.report.word_layout`: widths from
  content, landscape or column groups when wide, long text to notes);
- the fixed forms (自评表, 整改建议书, 人大 summary) are 小五 (9 pt) tables with
  1 mm cell margins whose column widths fit their labels (序号, 问题类型) and
  numbers (10,240.61, 100.00%) on one line; rows never split across pages.

Only fields of :data:`costing.report.word.REPORT_FIELDS` (or of the bulk
documents' fields) are used; the tests render each template.
"""
from __future__ import annotations

import sys
from pathlib import Path

from costing.report.word import TEMPLATE_DIR

BUREAU = "示例区财政局"

#: style -> (East-Asian font, fallback, size [pt], bold)
FONTS = {
    "Normal": ("仿宋_GB2312", "仿宋", 16, False),
    "Title": ("方正小标宋简体", "宋体", 22, False),
    "Heading 1": ("黑体", "SimHei", 16, False),
    "Heading 2": ("楷体_GB2312", "楷体", 16, True),
    "表格文字": ("宋体", "SimSun", 10.5, False),
    "表格小字": ("宋体", "SimSun", 9, False),
    "图表题注": ("黑体", "SimHei", 12, False),
    "版头": ("方正小标宋简体", "宋体", 26, False),
}
#: font-table entries: font -> (fallback, panose family, charset GB2312 = 86)
FALLBACKS = {"仿宋_GB2312": "仿宋", "方正小标宋简体": "宋体", "黑体": "SimHei", "楷体_GB2312": "楷体",
             "宋体": "SimSun"}
LATIN = "Times New Roman"
RED = "FF0000"


def _set_fonts(style, east_asian: str, size: float, bold: bool) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = style.font
    font.name = LATIN
    font.size = Pt(size)
    font.bold = bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:hint"), "eastAsia")


def _font_table(doc) -> None:
    """Declare each East-Asian font and its fallback in word/fontTable.xml."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    root = parse_xml(part.blob)
    for name, alt in FALLBACKS.items():
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        root.append(parse_xml(
            f'<w:font xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            f'w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{"modern" if "仿宋" in name or "楷" in name else "auto"}"/>'
            f'<w:pitch w:val="variable"/></w:font>'))
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(section) -> None:
    """Centered footer "— N —"."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.style = "表格文字"
    p.add_run("— ")
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = p.add_run()
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    p.add_run(" —")


#: styles every template keeps (and the styles they are based on); the rest of python-docx's
#: default styles, the latent styles and the Word 2010 duplicate stylesWithEffects are dropped,
#: which makes each render several times faster.
KEEP_STYLES = {"Normal", "Default Paragraph Font", "Normal Table", "No List", "Table Grid", "Title",
               "Heading 1", "Heading 2", "Header", "Footer", *FONTS}
#: parts of python-docx's default package a template does not need
DROP_PARTS = ("/stylesWithEffects", "/customXml", "/thumbnail")


def _slim(doc) -> None:
    from docx.oxml.ns import qn

    root = doc.styles.element
    for latent in root.findall(qn("w:latentStyles")):
        root.remove(latent)
    by_id = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
    wanted = {n.lower() for n in KEEP_STYLES}
    keep = {sid for sid, s in by_id.items() if s.find(qn("w:name")).get(qn("w:val")).lower() in wanted}
    todo = list(keep)
    while todo:  # and the styles those are based on or linked to
        for tag in ("w:basedOn", "w:link", "w:next"):
            el = by_id[todo[-1]].find(qn(tag))
            ref = None if el is None else el.get(qn("w:val"))
            if ref in by_id and ref not in keep:
                keep.add(ref)
                todo.insert(0, ref)
        todo.pop()
    for sid, style in by_id.items():
        if sid not in keep:
            root.remove(style)
    for owner in (doc.part, doc.part.package):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype.endswith(DROP_PARTS):
                del owner.rels[rid]


def new_document():
    """An empty document in the house style (see the module docstring)."""
    from datetime import datetime

    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    styles = doc.styles
    for name in ("表格文字", "表格小字", "图表题注", "版头"):
        styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]
    for name, (ea, _alt, size, bold) in FONTS.items():
        _set_fonts(styles[name], ea, size, bold)
    normal = styles["Normal"].paragraph_format
    normal.first_line_indent = Pt(32)  # two characters
    normal.line_spacing = Pt(28)
    normal.space_after = Pt(0)
    for name in ("Title", "版头", "图表题注", "表格文字", "表格小字"):
        pf = styles[name].paragraph_format
        pf.first_line_indent = Pt(0)
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["表格文字"].paragraph_format.line_spacing = 1.0
    styles["表格小字"].paragraph_format.line_spacing = 1.0
    styles["图表题注"].paragraph_format.keep_with_next = True  # a table's title stays with it
    styles["Title"].paragraph_format.space_before = Pt(12)
    styles["Title"].paragraph_format.space_after = Pt(12)
    styles["Title"].paragraph_format.line_spacing = Pt(36)
    from docx.oxml.ns import qn

    pPr = styles["Title"].element.get_or_add_pPr()
    for border in pPr.findall(qn("w:pBdr")):  # python-docx's Title has a blue rule
        pPr.remove(border)
    styles["版头"].font.color.rgb = __import__("docx.shared", fromlist=["RGBColor"]).RGBColor.from_string(RED)
    styles["版头"].font.character_spacing = Pt(4)
    for name in ("Heading 1", "Heading 2"):
        pf = styles[name].paragraph_format
        pf.first_line_indent = Pt(32)
        pf.space_before = Pt(6)
        pf.space_after = Pt(0)
        pf.keep_with_next = True
    styles["Heading 2"].font.bold = False
    _font_table(doc)
    _slim(doc)
    # docDefaults: no theme fonts, so the style fonts above apply in Word, WPS and LibreOffice
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rf = rpr_default.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rf.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rf.set(qn(attr), LATIN)
    rf.set(qn("w:eastAsia"), "宋体")
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    _page_number(sec)
    cp = doc.core_properties
    cp.author = cp.last_modified_by = BUREAU
    cp.created = cp.modified = datetime(2026, 1, 1)
    cp.revision = 1
    cp.comments = "costing Word template (python tools/word_build.py)"
    return doc


def letterhead(doc, title: str, subtitle: str | None = None) -> None:
    """The bureau's name in red, a red rule, the document title and its date line."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc.add_paragraph(BUREAU, style="版头")
    rule = doc.add_paragraph(style="表格文字")
    pbdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", RED)):
        bottom.set(qn(k), v)
    pbdr.append(bottom)
    rule._p.get_or_add_pPr().append(pbdr)
    doc.add_paragraph(title, style="Title")
    if subtitle:
        doc.add_paragraph(subtitle, style="表格文字")


def heading(doc, text: str, level: int = 1) -> None:
    doc.add_paragraph(text, style=f"Heading {level}")


def para(doc, text: str) -> None:
    doc.add_paragraph(text)


def tag(doc, text: str) -> None:
    """A paragraph holding only a docxtpl block tag ({%p ... %}); removed when rendered."""
    doc.add_paragraph(text, style="表格文字")


def loop_table(doc, expr: str, caption: str | None = None) -> None:
    """A native table whose header, rows and columns loop over the recorded table ``expr``
    (a :class:`costing.report.word.Table`); the header row repeats on each page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if caption:
        doc.add_paragraph(caption, style="图表题注")
    tag(doc, f"{{%p with t = {expr} %}}")
    t = doc.add_table(rows=4, cols=3, style="Table Grid")
    cells = [
        ["{%tc for h in t.header %}", "{{ h }}", "{%tc endfor %}"],
        ["{%tr for r in t.rows %}", "", ""],
        ["{%tc for v in r %}", "{{ v }}", "{%tc endfor %}"],
        ["{%tr endfor %}", "", ""],
    ]
    for i, row in enumerate(cells):
        for j, text in enumerate(row):
            _cell(t, i, j, text, bold=i == 0 and j == 1)
    for tc in t._tbl.iter(qn("w:tc")):  # no fixed cell widths: the table fits the page
        tcpr = tc.tcPr
        if tcpr is not None:
            for w in tcpr.findall(qn("w:tcW")):
                tcpr.remove(w)
    _repeat_header(t.rows[0])
    tblpr = t._tbl.tblPr
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), "5000")
    width.set(qn("w:type"), "pct")
    for old in tblpr.findall(qn("w:tblW")):
        tblpr.remove(old)
    tblpr.append(width)
    tag(doc, "{%p endwith %}")


def charts_block(doc, where: str = "charts") -> None:
    """Every chart of ``where`` centered, with its caption 图N below."""
    tag(doc, f"{{%p for c in {where} %}}")
    doc.add_paragraph("{{ c.image }}", style="表格文字").paragraph_format.keep_with_next = True
    caption = doc.add_paragraph("图{{ c.number }}　{{ c.caption }}", style="图表题注")
    caption.paragraph_format.keep_with_next = False
    tag(doc, "{%p endfor %}")


# ------------------------------------------------------------------ reports


def cost_standard(doc) -> None:
    letterhead(doc, "{{ project.name }}成本测算报告", "{{ date }}")
    heading(doc, "一、项目基本情况")
    para(doc, "本报告按“标靶划线，反推所需；横向扩展，据实测算；核定标准，编制预算”四步法，对"
              "{{ project.name }}的运行成本进行测算，核定单位成本标准，并据以审核补贴预算申报数。"
              "价格基年为{{ figures.price_year }}年，金额单位为万元。")
    para(doc, "测算结论：单位成本标准 {{ figures.unit_cost_standard }} {{ figures.unit_cost_standard.unit }}；"
              "核定补贴 {{ figures.subsidy }} 万元，申报 {{ figures.requested }} 万元，"
              "审减 {{ figures.cut_amount }} 万元，审减率 {{ figures.cut_rate }}。")
    tag(doc, '{%p if "服务目标" in tables %}')
    loop_table(doc, 'tables["服务目标"].without("指标代码")', "表1　服务目标")
    tag(doc, "{%p endif %}")
    heading(doc, "二、测算依据和方法")
    # the project type's own sentences ([wording] of its TOML): a sanitation report never speaks of 车公里
    para(doc, "（一）标靶划线。{{ wording.targets }}")
    para(doc, "（二）反推所需。{{ wording.need }}")
    para(doc, "（三）横向扩展，据实测算。近五年审计数按价格指数重述为价格基年价格、取近三年平均；"
              "与同行单位比较单位成本，给出分位数与排名；以成本函数和效率前沿检验成本水平。")
    para(doc, "（四）核定标准，编制预算。每个成本项目按明确的规则核定标准并记录依据；"
              "补贴＝核定成本＋税金－票款及其他收入－上级补贴＋核定成本×合理利润率（上限{{ policy.profit_rate_cap }}）。")
    tag(doc, '{%p if "资源测算" in tables %}')
    loop_table(doc, 'tables["资源测算"].without("成本项目代码")', "表2　资源测算")
    tag(doc, "{%p endif %}")
    heading(doc, "三、测算过程和结果")
    tag(doc, '{%p if "同行比较" in tables %}')
    loop_table(doc, 'tables["同行比较"]', "表3　同行比较")
    tag(doc, "{%p endif %}")
    loop_table(doc, 'tables["成本标准表"].without("成本项目代码", "依据")', "表4　成本标准")
    loop_table(doc, 'tables["预算汇总"]', "表5　预算汇总")
    tag(doc, '{%p if "敏感性分析" in tables %}')
    loop_table(doc, 'tables["敏感性分析"]', "表6　补贴敏感性分析")
    tag(doc, "{%p endif %}")
    charts_block(doc)
    heading(doc, "四、审核意见及审减情况")
    para(doc, "经审核，{{ project.name }}申报补贴 {{ figures.requested }} 万元，按核定成本标准测算审定 "
              "{{ figures.subsidy }} 万元，审减 {{ figures.cut_amount }} 万元，审减率 {{ figures.cut_rate }}。"
              "分项审减情况见下表。")
    loop_table(doc, 'tables["审减情况"].without("成本项目代码")', "表7　申报数与审定数")
    heading(doc, "五、有关建议")
    tag(doc, "{%p for a in advice %}")  # the same text as the HTML report (costing.report.advice)
    para(doc, "{{ a }}")
    tag(doc, "{%p endfor %}")


def cba(doc) -> None:
    letterhead(doc, "{{ project.name }}成本效益分析报告", "{{ date }}")
    heading(doc, "一、主要结论")
    para(doc, "按选定的折现率方案，项目经济净现值 {{ figures.enpv }} 万元，经济内部收益率 "
              "{{ figures.eirr }}，效益费用比 {{ figures.bcr }}。蒙特卡洛模拟的期望净现值 "
              "{{ figures.expected_npv }} 万元，净现值为负的概率 {{ figures.prob_npv_negative }}。")
    heading(doc, "二、现金流量")
    para(doc, "费用为负、效益为正，按年计，第0年不折现，金额单位为万元。")
    loop_table(doc, 'tables["cashflows"].without("t")', "表1　现金流量表")
    heading(doc, "三、评价指标")
    loop_table(doc, 'tables["summary"]', "表2　评价指标")
    heading(doc, "四、敏感性分析和风险分析")
    para(doc, "对投资、运营费用和各项效益分别上下变动，计算经济净现值的变化和敏感度系数，"
              "并求出使经济净现值为零的临界点（见图1，图中为最大的变动幅度）；按各因素的概率分布做蒙特卡洛模拟"
              "（见表3、图2）。各因素的变动幅度、敏感性和临界点明细见同名工作簿。")
    loop_table(doc, 'tables["montecarlo"]', "表3　蒙特卡洛风险分析")
    charts_block(doc)
    heading(doc, "五、有关建议")
    para(doc, "以期望净现值作为项目取舍的依据；对敏感度高、临界点近的因素，在实施方案中明确控制措施，"
              "并纳入绩效目标跟踪。")


def ex_ante(doc) -> None:
    letterhead(doc, "{{ project.name }}事前绩效评估报告", "{{ date }}")
    heading(doc, "一、评估对象基本情况")
    para(doc, "本次对{{ project.name }}申报的项目开展事前绩效评估，申报资金 {{ figures.requested }} 万元。")
    heading(doc, "二、评估工作开展情况")
    para(doc, "按“无绩效，不预算”的要求，从立项必要性、投入经济性、绩效目标合理性、实施方案可行性、"
              "筹资合规性五个维度逐项打分，得出予以支持、部分支持或不予支持的结论，并核定审减额与审减率。"
              "上年绩效评价结果同时带入本年评估。")
    heading(doc, "三、综合评估情况与评估结论")
    para(doc, "经评估，安排 {{ figures.approved }} 万元，审减 {{ figures.cut_amount }} 万元，审减率 "
              "{{ figures.cut_rate }}；未开展事前评估的项目 {{ figures.n_no_assessment }} 个，"
              "因上年评价建议取消而暂停安排的项目 {{ figures.n_blocked }} 个。")
    loop_table(doc, 'tables["部门汇总"]', "表1　部门汇总")
    loop_table(doc, 'tables["事前绩效评估表"]', "表2　事前绩效评估表")
    heading(doc, "四、相关建议")
    para(doc, "对下列项目暂不安排预算：未开展事前绩效评估的项目、评估不予支持的项目，"
              "以及上年评价建议取消且未说明恢复申报理由的项目。")
    loop_table(doc, 'tables["需关注项目"]', "表3　需关注项目")
    heading(doc, "五、其他需要说明的问题")
    para(doc, "评估结论阈值、维度权重等为参数，可按本地办法调整。")


def monitoring(doc) -> None:
    letterhead(doc, "{{ project.name }}绩效运行监控报告", "{{ date }}")
    heading(doc, "一、总体情况")
    para(doc, "截至监控时点，时间进度 {{ figures.time_progress }}，全部项目预算执行率 {{ figures.execution_rate }}；"
              "执行偏慢项目 {{ figures.n_low_execution }} 个，目标偏离项目 {{ figures.n_deviating_projects }} 个"
              "（{{ figures.n_deviating_indicators }} 个指标）。")
    charts_block(doc)
    heading(doc, "二、部门执行情况")
    loop_table(doc, 'tables["部门汇总"]', "表1　部门汇总")
    heading(doc, "三、绩效跟踪分析")
    loop_table(doc, 'tables["绩效跟踪分析表"]', "表2　绩效跟踪分析表")
    heading(doc, "四、目标偏离指标")
    loop_table(doc, 'tables["偏离指标明细"]', "表3　偏离指标明细")
    heading(doc, "五、整改要求")
    para(doc, "对执行偏慢、目标偏离和填报不完整的项目，向有关预算单位发出整改建议书（另附），要求分析原因、"
              "提出措施并在期限内回复，必要时调整预算或绩效目标。")
    tag(doc, '{%p if "整改建议书汇总" in tables %}')
    loop_table(doc, 'tables["整改建议书汇总"]', "表4　整改建议书汇总")
    tag(doc, "{%p endif %}")


def self_evaluation(doc) -> None:
    letterhead(doc, "{{ project.name }}绩效自评报告", "{{ date }}")
    heading(doc, "一、自评结果")
    para(doc, "参加自评的项目 {{ figures.n_projects }} 个，其中等级为优的 {{ figures.n_grade_优 }} 个、"
              "良 {{ figures.n_grade_良 }} 个、中 {{ figures.n_grade_中 }} 个、差 {{ figures.n_grade_差 }} 个。")
    loop_table(doc, 'tables["等级分布"]', "表1　等级分布")
    heading(doc, "二、评分办法")
    para(doc, "按{{ policy.title }}评分：预算执行率{{ policy.execution }}分，产出指标{{ policy.output }}分，"
              "效益指标{{ policy.benefit }}分，满意度指标{{ policy.satisfaction }}分。等级：{{ policy.grades }}；"
              "{{ policy.recommendations }}。")
    heading(doc, "三、项目自评情况")
    loop_table(doc, 'tables["自评汇总"]', "表2　项目自评汇总")
    para(doc, "示例项目自评表明细如下（得分 {{ figures.example_score }} 分）。")
    loop_table(doc, 'tables["自评表明细"]', "表3　项目支出绩效自评表明细")
    tag(doc, '{%p if "重点项目" in tables %}')
    para(doc, "重点项目（报区人大）的自评情况如下。")
    loop_table(doc, 'tables["重点项目"]', "表3-1　重点项目自评情况")
    tag(doc, "{%p endif %}")
    heading(doc, "四、部门整体绩效")
    loop_table(doc, 'tables["部门汇总"]', "表4　部门汇总")
    loop_table(doc, 'tables["部门整体绩效"]', "表5　部门整体绩效")
    tag(doc, '{%p if "绩效管理工作考核" in tables %}')
    heading(doc, "五、绩效管理工作考核")
    para(doc, "各部门绩效管理工作按下表计分（0–100分）。{{ figures.work_rule }}。")
    loop_table(doc, 'tables["绩效管理工作考核"]', "表6　绩效管理工作考核")
    tag(doc, "{%p endif %}")
    heading(doc, '{% if "绩效管理工作考核" in tables %}六{% else %}五{% endif %}、结果应用')
    para(doc, "自评结果带入下一年度事前绩效评估：建议取消的项目，除写明恢复申报理由外，暂停安排预算。")


# --------------------------------------------------------- bulk documents


def _cell(table, r, c, text="", *, bold=False, to=None, style="表格文字"):
    """Write ``text`` in cell (r, c), merged with cell ``to`` when given."""
    cell = table.cell(r, c) if to is None else table.cell(r, c).merge(table.cell(*to))
    p = cell.paragraphs[0]
    p.style = style
    if text:
        p.add_run(text).bold = bold
    return cell


#: [twips] left and right cell margin of the fixed forms (1 mm)
FORM_CELL_MARGIN = 57


def _fixed_table(doc, rows: int, cols: int, widths_mm):
    """A table of fixed column widths [mm] in the forms' style: 1 mm cell margins, rows kept whole."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    t = doc.add_table(rows=rows, cols=cols, style="Table Grid")
    t.autofit = False
    for col, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(Mm(w).twips))
    for j, w in enumerate(widths_mm):
        for cell in t.columns[j].cells:
            cell.width = Mm(w)
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(FORM_CELL_MARGIN))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    t._tbl.tblPr.find(qn("w:tblLook")).addprevious(mar)
    for row in t.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return t


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _form_cell(table, r, c, text="", *, bold=False, to=None):
    return _cell(table, r, c, text, bold=bold, to=to, style="表格小字")


def rows_table(doc, widths_mm, headers, loop: str, cells) -> None:
    """A fixed-column table: a header row (repeated on each page), then one row per item of
    ``loop`` (``"i in items"``) with the ``cells`` Jinja expressions."""
    assert abs(sum(widths_mm) - 156) < 0.01, "a form fills the portrait text block (156 mm)"
    t = _fixed_table(doc, 4, len(widths_mm), widths_mm)
    for j, h in enumerate(headers):
        _form_cell(t, 0, j, h, bold=True)
    _form_cell(t, 1, 0, f"{{%tr for {loop} %}}")
    for j, text in enumerate(cells):
        _form_cell(t, 2, j, text)
    _form_cell(t, 3, 0, "{%tr endfor %}")
    _repeat_header(t.rows[0])


def self_evaluation_form(doc) -> None:
    """《项目支出绩效自评表》 (财预〔2020〕10号 附件2) as one Word table: the funding block loops over
    年度资金总额 / 其中：当年财政拨款 / 上年结转资金 / 其他资金, 年度总体目标 is split into 预期目标 and
    实际完成情况, and the indicator rows loop over the indicators."""
    doc.add_paragraph("项目支出绩效自评表", style="Title")
    doc.add_paragraph("（{{ year }}年度）", style="表格文字")
    t = _fixed_table(doc, 14, 9, [17, 17, 17, 20, 18, 17, 15, 16, 19])
    _form_cell(t, 0, 0, "项目名称", bold=True, to=(0, 1))
    _form_cell(t, 0, 2, "{{ project.name }}", to=(0, 8))
    _form_cell(t, 1, 0, "主管部门", bold=True, to=(1, 1))
    _form_cell(t, 1, 2, "{{ project.department }}", to=(1, 4))
    _form_cell(t, 1, 5, "实施单位", bold=True, to=(1, 6))
    _form_cell(t, 1, 7, "{{ project.unit }}", to=(1, 8))
    _form_cell(t, 2, 0, "项目资金（万元）", bold=True, to=(5, 1))
    for j, h in enumerate(["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], 2):
        _form_cell(t, 2, j, h, bold=True)
    _form_cell(t, 3, 2, "{%tr for f in funds %}")
    for j, f in enumerate(["item", "initial", "budget", "spent", "weight", "rate", "score"], 2):
        _form_cell(t, 4, j, f"{{{{ f.{f} }}}}")
    _form_cell(t, 5, 2, "{%tr endfor %}")
    _form_cell(t, 6, 0, "年度总体目标", bold=True, to=(7, 1))
    _form_cell(t, 6, 2, "预期目标", bold=True, to=(6, 4))
    _form_cell(t, 6, 5, "实际完成情况", bold=True, to=(6, 8))
    _form_cell(t, 7, 2, "{{ project.goal }}", to=(7, 4))
    _form_cell(t, 7, 5, "{{ project.result }}", to=(7, 8))
    _form_cell(t, 8, 0, "绩效指标", bold=True, to=(11, 0))
    for j, h in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                           "偏差原因分析及改进措施"], 1):
        _form_cell(t, 8, j, h, bold=True)
    _form_cell(t, 9, 1, "{%tr for i in indicators %}")
    for j, f in enumerate(["level1", "level2", "level3", "target", "actual", "weight", "score", "reason"], 1):
        _form_cell(t, 10, j, f"{{{{ i.{f} }}}}")
    _form_cell(t, 11, 1, "{%tr endfor %}")
    _form_cell(t, 12, 0, "总分", bold=True, to=(12, 5))
    _form_cell(t, 12, 6, "{{ total.weight }}")
    _form_cell(t, 12, 7, "{{ total.score }}", bold=True)
    _form_cell(t, 12, 8, "等级：{{ total.grade }}　评价建议：{{ total.recommendation }}", bold=True)
    _form_cell(t, 13, 0, "说明", bold=True, to=(13, 1))
    _form_cell(t, 13, 2, "各行得分先按四舍五入保留两位小数，总分为各行得分之和，等级按总分确定。", to=(13, 8))
    _repeat_header(t.rows[8])
    doc.add_paragraph("填报日期：{{ date }}", style="表格文字")


def rectification_notice(doc) -> None:
    """整改建议书 to one budget unit: the findings as a table with the unit's reply column,
    the budget adjustment proposals, the rules applied."""
    letterhead(doc, "{{ notice.title }}", "编号：{{ notice.number }}")
    doc.add_paragraph("{{ notice.department }}：").paragraph_format.first_line_indent = 0
    para(doc, "{{ notice.request }}")
    heading(doc, "一、存在的问题和整改要求")
    rows_table(doc, [10, 20, 15, 38, 31, 18, 12, 12],
               ["序号", "项目名称", "问题类型", "发现的问题", "整改要求", "整改措施", "完成时限", "说明"], "i in items",
               [f"{{{{ i.{f} }}}}" for f in ("seq", "project_name", "problem_type", "problem", "requirement")])
    tag(doc, "{%p if adjustments %}")
    heading(doc, "二、预算调整建议")
    para(doc, "对下列项目，建议按以下规则调整全年预算（金额单位：万元；调整额为负表示调减）。")
    rows_table(doc, [28, 20, 20, 20, 20, 20, 28],
               ["项目名称", "全年预算数", "截至执行数", "全年预计执行数", "调整后预算数", "调整额", "调整依据"],
               "a in adjustments", [f"{{{{ a.{f} }}}}" for f in ("project_name", "budget", "spent", "forecast",
                                                                "proposed", "adjustment", "rule")])
    tag(doc, "{%p endif %}")
    heading(doc, "{% if adjustments %}三{% else %}二{% endif %}、有关说明")
    tag(doc, "{%p for r in rules %}")
    para(doc, "{{ r.name }}：{{ r.text }}。")
    tag(doc, "{%p endfor %}")
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for text in ("{{ notice.issuer }}", "{{ date }}"):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def key_projects(doc) -> None:
    """重点项目预算绩效情况 for the People's Congress: the figures first, then one row per project."""
    letterhead(doc, "{{ year }}年度重点项目预算绩效情况汇总", "（报区人大常委会）")
    heading(doc, "一、总体情况")
    para(doc, "{{ year }}年度重点项目（{{ rule }}）共{{ summary.n }}个，年初预算{{ summary.budget_initial }}万元，"
              "全年预算{{ summary.budget }}万元，执行{{ summary.spent }}万元，预算执行率{{ summary.execution_rate }}。"
              "经绩效自评，{{ summary.grades }}。")
    heading(doc, "二、重点项目绩效情况")
    para(doc, "执行率为全年执行数占全年预算数的比例；年初预算数为列入重点项目的依据。")
    rows_table(doc, [11, 24, 20, 17, 17, 17, 16, 17, 17],
               ["序号", "项目名称", "主管部门", "年初预算数（万元）", "全年预算数（万元）", "全年执行数（万元）",
                "执行率（按全年预算数）", "自评得分", "等级及建议"], "p in projects",
               ["{{ loop.index }}", "{{ p.name }}", "{{ p.department }}", "{{ p.budget_initial }}", "{{ p.budget }}",
                "{{ p.spent }}", "{{ p.execution_rate }}", "{{ p.score }}", "{{ p.grade }}（{{ p.recommendation }}）"])
    heading(doc, "三、绩效目标及完成情况")
    rows_table(doc, [11, 26, 20, 50, 49],
               ["序号", "项目名称", "列入原因", "绩效目标（年度指标值）", "实际完成值"], "p in projects",
               ["{{ loop.index }}", "{{ p.name }}", "{{ p.reason }}", "{{ p.targets }}", "{{ p.results }}"])
    heading(doc, "四、结果应用")
    para(doc, "自评结果与下一年度预算安排挂钩：评价建议延续的项目继续安排，建议调整的项目按评价意见调整后安排，"
              "建议取消的项目不再安排预算。")
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc.add_paragraph("{{ date }}").alignment = WD_ALIGN_PARAGRAPH.RIGHT


DOCUMENTS = {"self_evaluation_form": self_evaluation_form, "rectification_notice": rectification_notice,
             "key_projects": key_projects}

REPORTS = {"cost_standard": cost_standard, "cba": cba, "ex_ante": ex_ante, "monitoring": monitoring,
           "self_evaluation": self_evaluation}


def build(out_dir=TEMPLATE_DIR) -> list[Path]:
    """Write every template into ``out_dir``; returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fill in {**REPORTS, **DOCUMENTS}.items():
        doc = new_document()
        fill(doc)
        path = out_dir / f"{name}.docx"
        doc.save(path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build(*sys.argv[1:2]):
        print(p)

"""Documents are dated from the run (issue 17 item 4): ``--issued`` / ``[report] issued``, else the
as-of date, else a blank date line for the signer; never the machine clock. A 整改建议书 is dated
before its reply deadline (its numbering and deadline: costing.performance.notices)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest

from costing.errors import InputError
from costing.report import word
from costing.report.spec import parse_issued, read_report_spec

ROOT = Path(__file__).resolve().parents[1]
PORTFOLIO = ROOT / "data" / "portfolios" / "example_portfolio.toml"


def _paragraphs(path) -> list[str]:
    return [p.text for p in docx.Document(path).paragraphs if p.text.strip()]


def test_document_date_rule():
    assert word.document_date({"issued": dt.date(2026, 10, 8), "parameters": {"as_of": "2026-09-30"}}) \
        == "2026年10月8日"
    assert word.document_date({"parameters": {"as_of": "2026-09-30"}}) == "2026年9月30日"
    assert word.document_date({"parameters": {}}) == word.UNDATED == "　　年　　月　　日"


def test_no_word_module_reads_the_machine_clock():
    src = ROOT / "src" / "costing" / "report"
    for name in ("word.py", "word_docs.py", "word_layout.py"):
        text = (src / name).read_text(encoding="utf-8")
        assert "today(" not in text and "datetime.now" not in text and "time.time" not in text, name


def test_issued_from_the_project_file(tmp_path):
    text = PORTFOLIO.read_text(encoding="utf-8").replace("../raw/", str(ROOT / "data" / "raw") + "/")
    f = tmp_path / "p.toml"
    f.write_text(text.replace("[report]\n", "[report]\nissued = 2026-10-08\n"), encoding="utf-8")
    assert read_report_spec(f).issued == dt.date(2026, 10, 8)
    f.write_text(text.replace("[report]\n", '[report]\nissued = "2026-13-01"\n'), encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_report_spec(f)
    assert "report.issued" in str(e.value) and "2026-13-01" in str(e.value) and "p.toml" in str(e.value)
    assert parse_issued("") is None and parse_issued("2026-10-08") == dt.date(2026, 10, 8)


def test_notice_is_dated_as_of_by_default_or_issued_and_before_its_deadline(tmp_path):
    import costing.performance as cp
    from costing.performance.notices import rectification_notices
    from costing.report.word_docs import write_notice_docs

    pf = cp.load_portfolio(PORTFOLIO)
    mon = cp.monitor(pf, "2026-09-30")
    (first, *_) = rectification_notices(pf, mon)
    (path, *_), failed = write_notice_docs([first], tmp_path)
    assert not failed and _paragraphs(path)[-1] == "2026年9月30日"  # the as-of date, under the issuer
    (first, *_) = rectification_notices(pf, mon, issued="2026-10-08")
    (path, *_), _ = write_notice_docs([first], tmp_path / "b")
    assert _paragraphs(path)[-1] == "2026年10月8日" and first.deadline > dt.date(2026, 10, 8)


def test_cli_issued_for_forms(tmp_path):
    from costing.cli import main

    assert main(["evaluate", str(PORTFOLIO), "--docx", str(tmp_path / "u")]) == 0
    assert _paragraphs(next((tmp_path / "u").glob("自评表_P001_*.docx")))[-1] == "填报日期：" + word.UNDATED
    assert main(["evaluate", str(PORTFOLIO), "--docx", str(tmp_path / "f"), "--issued", "2027-01-15"]) == 0
    form = next((tmp_path / "f").glob("自评表_P001_*.docx"))
    assert _paragraphs(form)[-1] == "填报日期：2027年1月15日"
    assert _paragraphs(tmp_path / "f" / "重点项目预算绩效情况_2026.docx")[-1] == "2027年1月15日"


def test_issued_reaches_the_plan_and_the_templates_that_declare_it():
    from costing.report import plan_report
    from costing.report.cli import add_arguments

    import argparse

    args = add_arguments(argparse.ArgumentParser()).parse_args([str(PORTFOLIO), "--issued", "2026-10-08"])
    assert args.issued == "2026-10-08"
    plan = plan_report(PORTFOLIO, {"issued": "2026-10-08"})
    assert plan.issued == dt.date(2026, 10, 8)
    params = {t.name: t.parameters for t in plan.templates}
    assert params["monitoring"]["issued"] == "2026-10-08"  # the 整改建议书 of the monitoring report
    assert "issued" not in params["ex_ante"]              # a template without the parameter is not given it
    plain = plan_report(PORTFOLIO)
    assert plain.issued is None and plain.as_of == dt.date(2026, 9, 30)  # no [report] issued: the as_of
    with pytest.raises(InputError, match="--issued"):
        plan_report(PORTFOLIO, {"issued": "30/09/2026"})

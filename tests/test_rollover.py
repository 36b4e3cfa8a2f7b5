"""Closing the loop: assess -> monitor -> evaluate -> rollover -> assess on the bundled example."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import costing.performance as cp
from costing.cli import main
from costing.errors import InputError
from costing.performance.rollover import rollover, write_rollover

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "portfolios" / "example_portfolio.toml"
#: stricter grade bands and recommendations than the default, so the example has 调整 and 取消 projects
#: (the funded example projects all score 81-99 under the national profile)
RULES = {"良": "调整", "中": "取消"}
BANDS = {"优": 95.0, "良": 90.0, "中": 85.0, "差": float("-inf")}


def test_full_loop_on_the_example(tmp_path):
    pf = cp.load_portfolio(EXAMPLE)
    assert len(cp.ex_ante(pf).sheet) == len(pf.projects)
    mon = cp.monitor(pf, "2026-09-30")
    assert len(cp.rectification_notices(pf, mon)) >= 1
    ev = cp.evaluate_portfolio(pf, rules=RULES, bands=BANDS)
    rec = ev.projects.set_index("project_id")["recommendation"]
    cancelled = list(rec[rec == "取消"].index)
    adjusted = set(rec[rec == "调整"].index)
    assert cancelled and adjusted

    ro = rollover(pf, ev, 2027)
    path = write_rollover(ro, tmp_path / "2027", portfolio_id=pf.id)
    nxt = cp.load_portfolio(path)
    assert nxt.budget_year == 2027
    carried = set(nxt.projects["project_id"])
    # 取消 is blocked, everything else carried; 调整 carries its required change
    assert carried == set(rec.index) - set(cancelled)
    p = nxt.projects.set_index("project_id")
    assert all(p.loc[list(adjusted), "change_required"].str.contains("须按评价意见调整"))
    assert (p.loc[list(carried - adjusted), "change_required"] == "").all()
    # this year's results are next year's previous_evaluation, to the cent of a point
    prev = nxt.previous_evaluation.set_index("project_id")
    got = ev.projects.set_index("project_id").loc[sorted(carried)]
    assert (prev.loc[sorted(carried), "year"] == 2026).all()
    pd.testing.assert_series_equal(prev.loc[sorted(carried), "score"], got["score"].round(2), check_names=False)
    assert list(prev.loc[sorted(carried), "grade"]) == list(got["grade"])
    # targets carried, actuals not; the budget placeholder is this year's budget in 元, unrounded
    assert len(nxt.indicators) == (pf.indicators["project_id"].isin(carried)).sum()
    assert nxt.indicators["final_actual"].isna().all() and nxt.tracking.empty
    assert p.loc["P001", "requested"] == pf.projects.set_index("project_id").loc["P001", "budget"]
    # and the next ex-ante assessment runs on it and sees last year's grades
    s = cp.ex_ante(nxt).sheet.set_index("project_id")
    assert list(s.loc[sorted(adjusted), "prev_recommendation"].unique()) == ["调整"]

    # an override carries a 取消 project with its reason
    pid = cancelled[0]
    ro2 = rollover(pf, ev, 2027, overrides={pid: "已按评价意见整改，经区政府研究同意继续实施"})
    d = ro2.decisions.set_index("project_id")
    assert d.loc[pid, "action"] == "结转（恢复申报）" and "恢复申报理由" in d.loc[pid, "reason"]
    nxt2 = cp.load_portfolio(write_rollover(ro2, tmp_path / "2027b", portfolio_id=pf.id))
    assert pid in set(nxt2.projects["project_id"])
    # ... which the next ex-ante review reads: the 取消 no longer blocks it
    s2 = cp.ex_ante(nxt2).sheet.set_index("project_id")
    assert s2.loc[pid, "prev_recommendation"] == "取消" and not s2.loc[pid, "blocked"]
    assert s2.loc[pid, "override_reason"] == "已按评价意见整改，经区政府研究同意继续实施"


def test_rollover_refuses_bad_overrides_and_non_empty_folders(tmp_path):
    pf = cp.load_portfolio(EXAMPLE)
    ev = cp.evaluate_portfolio(pf, rules=RULES, bands=BANDS)
    ok = ev.projects.loc[ev.projects["recommendation"] == "延续", "project_id"].iloc[0]
    with pytest.raises(InputError, match="并非评价建议取消"):
        rollover(pf, ev, 2027, overrides={ok: "理由"})
    with pytest.raises(InputError, match="不晚于本项目组合的预算年度"):
        rollover(pf, ev, 2026)
    (tmp_path / "x.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="输出文件夹不是空的"):
        write_rollover(rollover(pf, ev, 2027), tmp_path, portfolio_id=pf.id)
    assert (tmp_path / "x.txt").read_text(encoding="utf-8") == "keep me"


def test_rollover_command(tmp_path, capsys):
    out = tmp_path / "next"
    assert main(["rollover", str(EXAMPLE), "--to", "2027", "--out", str(out)]) == 0
    assert (out / "example_portfolio_2027.toml").exists() and (out / "结转清单.csv").exists()
    assert main(["rollover", str(EXAMPLE), "--to", "2027", "--out", str(out)]) == 2      # not empty: bad input
    assert main(["assess", str(out / "example_portfolio_2027.toml")]) == 0

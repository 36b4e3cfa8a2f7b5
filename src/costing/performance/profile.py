"""Scoring profiles: every rule of the performance life cycle that varies by place or year, as data.

A profile is a TOML file (bundled ones in ``costing/performance/profiles/``):
weights of the self-evaluation score, the rule for reverse (≤) indicators,
the qualitative bands and what a blank rating means, the over-achievement
rule, where the satisfaction weight goes when a project has no satisfaction
indicator, the ex-ante dimension marks and conclusion bands, the grade bands,
the recommendation per grade and the key-project threshold. Each table names
its ``source``: the document the rule comes from, or "local practice".

A portfolio file picks its profile::

    [scoring]
    profile = "national"        # bundled name, or a path to a .toml file (relative to the portfolio file)

A profile may start from another with ``base = "national"``: its tables
replace the base's keys one by one (a sub-table such as
``[ex_ante.conclusions]`` is replaced whole).

:meth:`ScoringProfile.rules` is the table every output prints on its 说明 sheet.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import pandas as pd

from ..errors import InputError, ParameterError
from ..glossary import DISPLAY_NAMES

PROFILE_DIR = Path(__file__).parent / "profiles"
DEFAULT_PROFILE = "national"

#: ex-ante dimensions: identifier -> Chinese name (the glossary's display names, in form order)
EX_ANTE_NAMES: dict[str, str] = {k: DISPLAY_NAMES[k] for k in
                                 ("necessity", "economy", "target_quality", "feasibility", "compliance")}
#: the four parts of a project's self-evaluation score
WEIGHT_KEYS = ("execution", "产出指标", "效益指标", "满意度指标")
REVERSE_RULES = {
    "ratio": "达标得满分，否则按 目标值 ÷ 实际值 × 分值 计分",
    "linear": "达标得满分，否则按 (1 − (实际值 − 目标值) ÷ 目标值) × 分值 计分，实际值达到目标值两倍时为0分",
}
BLANK_RULES = {
    "flag": "按所选档次下限计分，并列为填报问题",
    "midpoint": "按所选档次中值计分",
    "error": "不予计分，作为输入错误退回",
}
SATISFACTION_RULES = {
    "to_benefit": "满意度分值并入效益指标",
    "to_output": "满意度分值并入产出指标",
    "error": "不允许缺少满意度指标",
}
#: the rule for ≥ indicators does not vary between the sources, so it is not a profile setting
HIGHER_SOURCE = "财预〔2020〕10号《项目支出绩效自评表》（见于地方转发文本，各地一致）"
#: tolerance when checking that marks sum to 100 [points]
SUM_TOLERANCE = 1e-6


def check_bands(bands: Mapping[str, float]) -> dict[str, float]:
    """Validate bands (grades, conclusions): a mapping label -> lowest score, strictly decreasing."""
    items = list(bands.items())
    if not items:
        raise ParameterError("等级分数线为空", expected="如 {'优': 90, '良': 80, '中': 60, '差': -inf}")
    lows = [float(v) for _, v in items]
    if any(a <= b for a, b in zip(lows, lows[1:])):
        raise ParameterError("等级须按分数线从高到低排列",
                             expected="严格递减的分数线", found=dict(bands))
    return {k: float(v) for k, v in items}


def bands_text(bands: Mapping[str, float], unit: str = "分", sep: str = "；") -> str:
    """Grade or conclusion bands (label -> lower bound, highest first) in words, the one wording
    every output uses: "90分及以上为优；80分（含）至90分为良；…；60分以下为差"."""
    out, upper = [], None
    for label, lo in bands.items():
        if math.isinf(lo):
            out.append(f"{upper:g}{unit}以下为{label}")
        elif upper is None:
            out.append(f"{lo:g}{unit}及以上为{label}")
        else:
            out.append(f"{lo:g}{unit}（含）至{upper:g}{unit}为{label}")
        upper = lo
    return sep.join(out)


@dataclass(frozen=True)
class ScoringProfile:
    """A named set of scoring rules (see the module docstring).

    Attributes
    ----------
    name, title : str
    weights : dict
        ``execution``, ``产出指标``, ``效益指标``, ``满意度指标`` -> marks [points], sum 100.
    reverse_rule : {"ratio", "linear"}
    qualitative_bands : dict
        band -> (lowest, highest) fraction of the indicator's marks.
    blank_rating : {"flag", "midpoint", "error"}
    over_achievement : float
        Actual / target at or above which a deviation reason is required (0: off).
    satisfaction_missing : {"to_benefit", "to_output", "error"}
    ex_ante_max : dict
        Dimension -> maximum marks [points], sum 100.
    conclusions : dict
        Conclusion -> lowest total score, highest first; the last is "not funded".
    grade_bands : dict
        Grade -> lowest score, highest first.
    recommendations : dict
        Grade -> 延续 / 调整 / 取消.
    key_project_threshold : float
        [元] compared with the year's budget.
    sources : dict
        Table name -> source text ("local practice" when none).
    path : Path or None
    """

    name: str
    title: str
    weights: dict
    reverse_rule: str
    qualitative_bands: dict
    blank_rating: str
    over_achievement: float
    satisfaction_missing: str
    ex_ante_max: dict
    conclusions: dict
    grade_bands: dict
    recommendations: dict
    key_project_threshold: float
    sources: dict
    path: Path | None = None

    @property
    def execution_weight(self) -> float:
        """Marks of the budget execution rate [points]."""
        return self.weights["execution"]

    @property
    def indicator_total(self) -> float:
        """Marks the indicators of a project must sum to [points] (100 − execution)."""
        return 100.0 - self.weights["execution"]

    @property
    def not_funded(self) -> str:
        """The lowest ex-ante conclusion: a project concluded so gets no budget."""
        return list(self.conclusions)[-1]

    def rules(self) -> pd.DataFrame:
        """The rules in force, one row each: ``规则``, ``取值``, ``依据`` (for every output's 说明 sheet)."""
        from ..units import from_yuan

        w = self.weights
        qb = "；".join(f"{b} {lo:.0%}{'（含）' if lo > 0 else ''}–{hi:.0%}" for b, (lo, hi) in self.qualitative_bands.items())
        over = ("不适用" if not self.over_achievement else
                f"实际值达到目标值的{self.over_achievement:.0%}及以上（反向指标为目标值÷实际值）须填写偏差原因")
        rows = [
            ("评分口径", self.title, "组合文件选定的评分口径"),
            ("权重", f"预算执行率 {w['execution']:g} 分；产出指标 {w['产出指标']:g} 分；效益指标 {w['效益指标']:g} 分；"
                   f"满意度指标 {w['满意度指标']:g} 分", self.sources["weights"]),
            ("正向指标（≥）", "达标得满分，否则按 实际值 ÷ 目标值 × 分值 计分", HIGHER_SOURCE),
            ("反向指标（≤）", REVERSE_RULES[self.reverse_rule], self.sources["reverse"]),
            ("定性指标档次", qb + "；评分人在档内给出得分比例", self.sources["qualitative"]),
            ("定性指标未填评分", BLANK_RULES[self.blank_rating], self.sources["qualitative"]),
            ("超额完成", over, self.sources["over_achievement"]),
            ("无满意度指标", SATISFACTION_RULES[self.satisfaction_missing], self.sources["satisfaction"]),
            ("事前评估维度分值", "；".join(f"{EX_ANTE_NAMES[k]} {v:g}" for k, v in self.ex_ante_max.items()),
             self.sources["ex_ante"]),
            ("事前评估结论", bands_text(self.conclusions) + f"（{self.not_funded}不安排预算）", self.sources["ex_ante"]),
            ("绩效等级", bands_text(self.grade_bands), self.sources["grades"]),
            ("评价建议", "；".join(f"{g}→{r}" for g, r in self.recommendations.items()), self.sources["recommendations"]),
            ("重点项目（报人大）", f"年初预算数 ≥ {from_yuan(self.key_project_threshold, '万元'):g}万元，或标注为重点项目",
             self.sources["key_projects"]),
        ]
        from ..glossary import reader_source

        return pd.DataFrame([(a, b, reader_source(c)) for a, b, c in rows], columns=["规则", "取值", "依据"])


def _merge(base: dict, child: dict) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for k, v in child.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k].update(v)
        else:
            out[k] = v
    return out


def _read(path: Path, seen: tuple = ()) -> dict:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("评分方案文件不存在", file=str(path),
                         expected=f".toml 文件，或内置评分方案 {'、'.join(bundled_profiles())} 之一") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"评分方案文件不是有效的 TOML（{e}）", file=str(path)) from None
    base = doc.pop("base", None)
    if base:
        if base in seen:
            raise InputError("评分方案互相以对方为基础（base 循环引用）", file=str(path), column="base", found=base)
        doc = _merge(_read(_resolve(base, path.parent), seen + (base,)), doc)
    return doc


def _resolve(name_or_path: str | Path, base_dir: Path | None) -> Path:
    s = str(name_or_path)
    if s.endswith(".toml"):
        p = Path(s)
        return p if p.is_absolute() or base_dir is None else base_dir / p
    return PROFILE_DIR / f"{s}.toml"


def bundled_profiles() -> list[str]:
    """Names of the profiles shipped with the package."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def _parse(doc: dict, path: Path) -> ScoringProfile:
    def get(table: str, key: str | None = None, kind=None):
        if table not in doc or (key is not None and key not in doc[table]):
            col = table if key is None else f"[{table}] {key}"
            raise InputError("评分方案缺少规则", file=str(path), column=col,
                             expected="该规则及其依据（参见内置的 national.toml）")
        v = doc[table] if key is None else doc[table][key]
        return v

    def choice(table, key, allowed):
        v = get(table, key)
        if v not in allowed:
            raise InputError("评分方案中有未知的规则", file=str(path), column=f"[{table}] {key}",
                             expected=f"{'、'.join(allowed)} 之一", found=v)
        return v

    def marks(table: str, keys, sub: str | None = None) -> dict:
        t = get(table) if sub is None else get(table).get(sub, {})
        where = f"[{table}]" if sub is None else f"[{table}.{sub}]"
        missing = [k for k in keys if k not in t]
        unknown = [k for k in t if k not in keys and k != "source"]
        if missing or unknown:
            raise InputError("评分方案分值不完整", file=str(path), column=where,
                             expected=f"恰好包含 {'、'.join(keys)}", found=f"缺少 {'、'.join(missing)}" if missing else f"多出 {'、'.join(unknown)}")
        out = {k: float(t[k]) for k in keys}
        if any(v < 0 for v in out.values()) or abs(sum(out.values()) - 100.0) > SUM_TOLERANCE:
            raise InputError("评分方案分值须不小于 0 且合计为 100", file=str(path), column=where,
                             expected="100", found=sum(out.values()))
        return out

    def bands(table: str, sub: str | None = None) -> dict:
        t = get(table) if sub is None else get(table).get(sub, {})
        t = {k: v for k, v in t.items() if k != "source"}
        try:
            return check_bands(t)
        except ParameterError as e:
            raise InputError(e.problem, file=str(path), column=f"[{table}{'.' + sub if sub else ''}]",
                             expected=e.expected, found=e.found) from None

    sources = {}
    for t in ("weights", "reverse", "qualitative", "over_achievement", "satisfaction", "ex_ante", "grades",
              "recommendations", "key_projects"):
        src = str(get(t).get("source", "")).strip()
        if not src:
            raise InputError("计分规则未注明依据", file=str(path), column=f"[{t}] source",
                             expected='规则出处的文件，或 "local practice"（地方做法）', found="")
        sources[t] = src
    qb = {}
    for b, v in get("qualitative", "bands").items():
        if not (isinstance(v, list) and len(v) == 2 and 0 <= v[0] < v[1] <= 1):
            raise InputError("定性档次须写成 [下限, 上限] 两个比例", file=str(path),
                             column=f"[qualitative.bands] {b}", expected="如 [0.8, 1.0]", found=v)
        qb[b] = (float(v[0]), float(v[1]))
    grades = bands("grades")
    recs = {k: str(v) for k, v in get("recommendations").items() if k != "source"}
    if set(recs) != set(grades):
        raise InputError("处理建议须覆盖每个评价等级", file=str(path), column="[recommendations]",
                         expected="、".join(grades), found="、".join(recs))
    from ..io import parse_money
    over = float(get("over_achievement", "reason_at"))
    if over and over <= 1:
        raise InputError("超额完成比例须大于 1（或填 0 表示不启用）", file=str(path),
                         column="[over_achievement] reason_at", expected="如 1.3", found=over)
    return ScoringProfile(
        name=str(doc.get("name", path.stem)), title=str(doc.get("title", "")),
        weights=marks("weights", WEIGHT_KEYS),
        reverse_rule=choice("reverse", "rule", REVERSE_RULES),
        qualitative_bands=qb, blank_rating=choice("qualitative", "blank", BLANK_RULES), over_achievement=over,
        satisfaction_missing=choice("satisfaction", "when_missing", SATISFACTION_RULES),
        ex_ante_max=marks("ex_ante", list(EX_ANTE_NAMES), "max_scores"),
        conclusions=bands("ex_ante", "conclusions"), grade_bands=grades, recommendations=recs,
        key_project_threshold=parse_money(get("key_projects", "threshold"),
                                          where=dict(file=str(path), column="[key_projects] threshold")),
        sources=sources, path=path)


@lru_cache(maxsize=32)
def _load_cached(path: Path) -> ScoringProfile:
    return _parse(_read(path), path)


def load_profile(profile: str | Path | ScoringProfile | None = None, *, base_dir: str | Path | None = None
                 ) -> ScoringProfile:
    """A scoring profile by bundled name (``"national"``), by path to a .toml file, or as given.

    Parameters
    ----------
    profile : str, path, ScoringProfile or None
        None gives the default, ``national``.
    base_dir : path, optional
        Folder a relative path is resolved against (the portfolio file's folder).

    Raises
    ------
    InputError
        Naming the profile file and the table of the first problem.
    """
    if isinstance(profile, ScoringProfile):
        return profile
    path = _resolve(profile or DEFAULT_PROFILE, Path(base_dir) if base_dir else None)
    if not path.exists():
        raise InputError("未知的评分方案", file=str(path), column="[scoring] profile",
                         expected=f"{'、'.join(bundled_profiles())} 之一，或 .toml 文件的路径", found=str(profile))
    return _load_cached(path.resolve())


def national() -> ScoringProfile:
    """The default profile."""
    return load_profile(DEFAULT_PROFILE)

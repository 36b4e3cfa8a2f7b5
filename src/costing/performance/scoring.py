"""Self-evaluation scoring rules (绩效自评), with the rules that vary held in a scoring profile.

Pure, vectorised functions: every argument may be a scalar, a numpy array or a
pandas Series (broadcast together); the result has the same kind (a Series
keeps the index of the first Series argument).

Rules (the defaults are the ``national`` profile, :mod:`.profile`; its
``rules()`` table names the source of each one):

- the budget execution rate scores its weight (10 points nationally, 20 in
  some provinces) in proportion, capped at the weight:
  ``weight × min(spent / budget, 1)``;
- a quantitative indicator (``direction="higher"``) that meets its target
  scores its full weight, otherwise ``weight × actual / target``;
- a reverse indicator (``direction="lower"``, lower is better) scores its full
  weight when met; otherwise, by the profile's ``reverse`` rule, ``"ratio"``:
  ``weight × target / actual``, or ``"linear"``:
  ``weight × max(0, 1 − (actual − target) / target)`` (0 at twice the target);
- a qualitative indicator (``direction="qualitative"``) is rated in one of
  three bands of its weight: 达成 80–100% (80% included), 部分达成 60–80%
  (60% included), 未达成 0–60%. The rater's fraction within the band is
  ``actual``, so 达成 can score full marks. A blank ``actual`` follows the
  profile's ``blank`` rule: ``"flag"`` (the band's lower bound, and the
  evaluation lists the row as a problem), ``"midpoint"`` or ``"error"``.

Grades: 优 ≥ 90, 良 80 to under 90, 中 60 to under 80, 差 under 60
(:data:`GRADE_BANDS`, configurable). Recommendations follow the grade by the
rules in :data:`RECOMMENDATION_RULES` (configurable).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..cuts import as_kind_of as _wrap  # one "same kind as the input" rule (core)
from ..errors import InputError, ParameterError
from .profile import check_bands, national

_NATIONAL = national()
#: default weights of the four parts of a project's score [points] (the national profile):
#: execution 预算执行率, 产出指标 outputs, 效益指标 benefits, 满意度指标 satisfaction
DEFAULT_WEIGHTS: dict[str, float] = dict(_NATIONAL.weights)
#: grade -> lowest score of the grade [points], highest band first (the national profile)
GRADE_BANDS: dict[str, float] = dict(_NATIONAL.grade_bands)
#: qualitative rating bands -> (lowest, highest) fraction of the indicator's weight (the national profile).
#: The lower bound is included; the upper bound is included only for the top band (100%).
QUALITATIVE_BANDS: dict[str, tuple[float, float]] = dict(_NATIONAL.qualitative_bands)
#: accepted spellings of the bands
BAND_ALIASES: dict[str, str] = {
    "达成": "达成", "全部达成": "达成", "achieved": "达成", "a": "达成",
    "部分达成": "部分达成", "partly achieved": "部分达成", "partial": "部分达成", "b": "部分达成",
    "未达成": "未达成", "not achieved": "未达成", "c": "未达成",
}

#: grade -> recommendation (延续 continue / 调整 adjust / 取消 cancel), the national profile's
#: (local practice); override per call or in a profile.
RECOMMENDATION_RULES: dict[str, str] = dict(_NATIONAL.recommendations)

DIRECTIONS = ("higher", "lower", "qualitative")
#: accepted spellings of a direction
DIRECTION_ALIASES: dict[str, str] = {
    "higher": "higher", "high": "higher", "正向": "higher", "越高越好": "higher", "≥": "higher", ">=": "higher",
    "lower": "lower", "low": "lower", "反向": "lower", "逆向": "lower", "越低越好": "lower", "≤": "lower", "<=": "lower",
    "qualitative": "qualitative", "定性": "qualitative",
}

#: tolerance [points] that absorbs floating-point error at grade boundaries (89.9999999999 -> 优)
GRADE_TOLERANCE = 1e-9


def _map_unique(values, fn) -> np.ndarray:
    """Apply ``fn`` to each distinct value only (fast on long arrays of few labels)."""
    arr = np.asarray(values, dtype=object)
    flat = pd.Series(arr.reshape(-1), dtype=object)
    mapping = {u: fn(u) for u in pd.unique(flat)}
    return flat.map(mapping).to_numpy(dtype=object).reshape(arr.shape)


def _direction_one(d) -> str:
    v = DIRECTION_ALIASES.get(str(d).strip().lower())
    if v is None:
        raise ParameterError("未知的指标方向", column="direction",
                             expected="正向、反向或定性", found=d)
    return v


def _band_one(b, bands: Mapping = QUALITATIVE_BANDS) -> str:
    if b is None or (isinstance(b, float) and np.isnan(b)) or str(b).strip() == "":
        return ""
    s = str(b).strip()
    v = s if s in bands else BAND_ALIASES.get(s.lower())
    if v not in bands:
        raise ParameterError("未知的定性评价档次", column="band",
                             expected=f"{'、'.join(bands)} 之一", found=b)
    return v


def normalize_direction(direction) -> np.ndarray:
    """Map direction spellings (``正向``, ``≤``, ``qualitative``...) onto :data:`DIRECTIONS`."""
    return _map_unique(direction, _direction_one)


def normalize_band(band, bands: Mapping | None = None) -> np.ndarray:
    """Map qualitative band spellings onto the keys of ``bands`` (:data:`QUALITATIVE_BANDS`); empty -> ''."""
    return _map_unique(band, lambda x: _band_one(x, bands if bands is not None else QUALITATIVE_BANDS))


def score_indicator(target, actual, *, direction, weight, band=None, reverse: str = "ratio",
                    bands: Mapping[str, tuple[float, float]] | None = None, blank: str = "flag"):
    """Score one indicator (or many, vectorised).

    Parameters
    ----------
    target : float, array or Series
        Target value (年度指标值) in the indicator's unit. Ignored for
        qualitative indicators (pass NaN).
    actual : float, array or Series
        Actual value (实际完成值) in the same unit. For a qualitative indicator,
        the rater's score as a fraction of the weight [fraction], which must
        lie in ``band``; NaN is a blank rating (see ``blank``).
    direction : {"higher", "lower", "qualitative"} or array of them
        ``higher``: higher is better; ``lower``: lower is better (reverse
        indicator); ``qualitative``: rated by band.
    weight : float, array or Series
        The indicator's marks (分值) [points].
    band : {"达成", "部分达成", "未达成"} or array, optional
        Rating band of a qualitative indicator (a key of ``bands``).
    reverse : {"ratio", "linear"}
        Rule for a missed reverse indicator: ``weight × target / actual``, or
        ``weight × max(0, 1 − (actual − target) / target)``. With target 0,
        ``linear`` gives full marks only for an actual of 0.
    bands : mapping band -> (lowest, highest), optional
        Default :data:`QUALITATIVE_BANDS`.
    blank : {"flag", "midpoint", "error"}
        A blank qualitative rating scores the band's lower bound (``flag``;
        the caller lists it as a problem), its midpoint, or raises.

    Returns
    -------
    score : float, array or Series
        Marks earned [points], between 0 and ``weight``.

    Raises
    ------
    InputError
        A quantitative indicator without a numeric target or actual, a
        negative target or actual, a qualitative indicator without a band, a
        rating outside its band, or a blank rating when ``blank="error"``.

    Examples
    --------
    >>> score_indicator(100, 80, direction="higher", weight=20)
    16.0
    >>> score_indicator(5, 8, direction="lower", weight=8)                    # 8 × 5/8
    5.0
    >>> score_indicator(5, 8, direction="lower", weight=8, reverse="linear")  # 8 × (1 − 3/5)
    3.2
    """
    if reverse not in ("ratio", "linear"):
        raise ParameterError("未知的反向指标计分规则", column="reverse", expected="ratio 或 linear",
                             found=reverse)
    if blank not in ("flag", "midpoint", "error"):
        raise ParameterError("未知的空白评分处理规则", column="blank", expected="flag、midpoint 或 error",
                             found=blank)
    qbands = dict(bands) if bands is not None else QUALITATIVE_BANDS
    d = normalize_direction(direction)
    t = np.asarray(target, dtype=float)
    a = np.asarray(actual, dtype=float)
    w = np.asarray(weight, dtype=float)
    d, t, a, w = np.broadcast_arrays(d, t, a, w)
    qual = d == "qualitative"
    quant = ~qual
    if np.any(quant & (np.isnan(t) | np.isnan(a))):
        raise InputError("定量指标缺少数值形式的目标值或实际值",
                         expected="目标值和实际值均为数", found="（空）")
    if np.any(quant & ((t < 0) | (a < 0))):
        raise InputError("目标值或实际值为负数", expected="不小于 0 的数",
                         found=float(np.where(t < 0, t, a)[quant & ((t < 0) | (a < 0))][0]))
    if np.any(w < 0) or np.any(np.isnan(w)):
        raise InputError("指标权重缺失或为负数", column="weight", expected="不小于 0 的分值")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        higher = np.where(t > 0, np.minimum(a / t, 1.0), 1.0)           # target 0: met by any actual >= 0
        if reverse == "ratio":
            missed = np.where(a > 0, t / a, 1.0)
        else:
            missed = np.where(t > 0, np.maximum(1.0 - (a - t) / t, 0.0), 0.0)
        lower = np.where(a > t, missed, 1.0)
    frac = np.where(d == "higher", higher, lower)
    if np.any(qual):
        b = _map_unique(band if band is not None else "", lambda x: _band_one(x, qbands))
        b = np.broadcast_to(b, d.shape)
        if np.any(qual & (b == "")):
            raise InputError("定性指标没有评价档次", column="band",
                             expected=f"{'、'.join(qbands)} 之一", found="")
        lo = _map_unique(b, lambda x: qbands.get(x, (np.nan, np.nan))[0]).astype(float)
        hi = _map_unique(b, lambda x: qbands.get(x, (np.nan, np.nan))[1]).astype(float)
        if blank == "error" and np.any(qual & np.isnan(a)):
            raise InputError("定性指标没有评价人给出的得分", column="actual",
                             expected="评价档次范围内的得分比例（0 至 1）", found="")
        rating = np.where(np.isnan(a), lo if blank == "flag" else (lo + hi) / 2, a)
        top = hi >= 1.0
        outside = qual & ((rating < lo) | (rating > hi) | ((rating == hi) & ~top))
        if np.any(outside):
            i = np.flatnonzero(outside.reshape(-1))[0]
            raise InputError("定性指标评分超出所选档次的范围", column="actual",
                             expected=f"档次“{b.reshape(-1)[i]}”的得分比例：不低于 {lo.reshape(-1)[i]:g} 且低于 {hi.reshape(-1)[i]:g}",
                             found=float(rating.reshape(-1)[i]))
        frac = np.where(qual, rating, frac)
    return _wrap(w * frac, target, actual, weight, direction)


def score_execution(spent, budget, *, weight: float = DEFAULT_WEIGHTS["execution"]):
    """Score of the budget execution rate: ``weight × min(spent / budget, 1)`` [points].

    Parameters
    ----------
    spent : float, array or Series
        全年执行数 [元], >= 0.
    budget : float, array or Series
        全年预算数 [元], > 0.
    weight : float
        Marks of the execution rate [points]; default the national profile's 10.
    """
    s = np.asarray(spent, dtype=float)
    b = np.asarray(budget, dtype=float)
    if np.any(~(b > 0)):
        raise InputError("预算数不是正数，无法计算预算执行率",
                         column="budget", expected="大于 0 的数", found=float(b[~(b > 0)].reshape(-1)[0]))
    r = np.minimum(np.maximum(s, 0.0) / b, 1.0)
    return _wrap(weight * r, spent, budget)


def grade(score, bands: Mapping[str, float] | None = None):
    """Grade a score [points]: 优 ≥ 90, 良 80 to under 90, 中 60 to under 80, 差 under 60.

    Parameters
    ----------
    score : float, array or Series
        Total score [points].
    bands : mapping grade -> lowest score, optional
        Highest band first; default :data:`GRADE_BANDS`. A score below every
        lower bound gets the last grade.

    Returns
    -------
    str, array of str or Series of str
        NaN scores get ``""``.

    Examples
    --------
    >>> grade(90), grade(89.99), grade(60), grade(59.99)
    ('优', '良', '中', '差')
    """
    b = check_bands(bands if bands is not None else GRADE_BANDS)
    s = np.asarray(score, dtype=float)
    names = list(b)
    conds = [s + GRADE_TOLERANCE >= lo for lo in b.values()]
    out = np.select(conds, names, default=names[-1]).astype(object)
    out = np.where(np.isnan(s), "", out)
    res = _wrap(out, score)
    return str(res) if isinstance(res, (np.str_, str)) else res


def recommend(grades, rules: Mapping[str, str] | None = None):
    """Recommendation (延续 / 调整 / 取消) for each grade by :data:`RECOMMENDATION_RULES`.

    Parameters
    ----------
    grades : str, array or Series
    rules : mapping grade -> recommendation, optional
        Overrides :data:`RECOMMENDATION_RULES` (e.g. ``{"中": "延续"}``):
        given keys replace the defaults, others are kept.
    """
    r = dict(RECOMMENDATION_RULES)
    if rules:
        r.update(rules)
    g = np.asarray(grades, dtype=object)
    bad = [x for x in g.reshape(-1) if x not in r and x != ""]
    if bad:
        raise ParameterError("该评价等级没有处理建议规则", expected=f"{'、'.join(r)} 之一", found=bad[0])
    out = _map_unique(g, lambda x: r.get(x, ""))
    res = _wrap(out, grades)
    return str(res) if isinstance(res, (np.str_, str)) else res

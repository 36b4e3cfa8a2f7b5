"""Appraisal measures in numpy-financial's conventions: NPV, IRR, MIRR, XNPV,
XIRR, BCR, payback periods and cost-effectiveness ratios.

Conventions (the same in every function of :mod:`costing.cba`)
---------------------------------------------------------------
* **Sign.** Benefits and other inflows are positive, costs and other outflows
  negative.
* **Timing.** ``values[t]`` is the net flow at the end of year ``t``; ``t = 0``
  is *now* and is **not discounted**: ``NPV = sum_t values[t] / (1 + rate)**t``
  (numpy-financial's convention). :func:`excel_npv` reproduces Excel's
  ``NPV()``, which discounts its first value by one period.
* **Shape.** A 1-D array is one cash flow; a 2-D array holds one cash flow per
  row, and :func:`npv`, :func:`irr`, :func:`mirr` and the payback functions
  return one value per row.
* **No solution** gives NaN, or :class:`costing.errors.NotComputable` with
  ``raise_exceptions=True``.

Money is in 元 (any consistent unit works: the measures are scale-free except
NPV, which carries the unit of ``values``).
"""
from __future__ import annotations

import datetime as _dt
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ..errors import InputError, NotComputable
from ._arrays import as_flows, as_rate, as_scalar, same_length
from .discounting import discount_factors

__all__ = [
    "MultipleIRRWarning",
    "IRRResult",
    "npv",
    "excel_npv",
    "irr",
    "irr_roots",
    "mirr",
    "xnpv",
    "xirr",
    "bcr",
    "payback_period",
    "discounted_payback_period",
    "cost_effectiveness_ratio",
    "incremental_cost_effectiveness_ratio",
]


class MultipleIRRWarning(UserWarning):
    """A cash flow has more than one real IRR; the documented rule picked one."""


def _discount(values: np.ndarray, rate) -> np.ndarray:
    """PV of each row at ``rate`` (scalar or one per row), t = 0 undiscounted."""
    t = np.arange(values.shape[-1], dtype=float)
    r = as_rate(rate)
    if r.ndim == 0:
        return values @ (1.0 + r) ** -t
    return (values * (1.0 + r)[..., None] ** -t).sum(axis=-1)


# --------------------------------------------------------------------------
# NPV
# --------------------------------------------------------------------------
def npv(rate, values):
    """Net present value, numpy-financial's convention (t = 0 undiscounted).

    Parameters
    ----------
    rate : float or array_like
        Discount rate per period [fraction]. A scalar, or one rate per row
        of ``values``.
    values : array_like, shape (T,) or (N, T)
        Net cash flow per year [元]: benefits positive, costs negative;
        ``values[..., 0]`` falls at t = 0 and is not discounted.

    Returns
    -------
    float or ndarray, shape (N,)
        ``sum_t values[t] / (1 + rate)**t`` [元], one value per row.

    Notes
    -----
    numpy-financial 1.0 sums a 2-D input down its columns; here each *row* is
    one cash flow, so a Monte Carlo matrix (draws x years) gives one NPV per
    draw.

    Examples
    --------
    numpy-financial's ``npv`` docstring example:

    >>> round(npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000]), 5)
    3065.22267
    """
    v = as_flows(values)
    return as_scalar(_discount(v, rate))


def excel_npv(rate, values):
    """NPV as Excel's ``NPV()`` computes it: the *first* value is discounted too.

    Parameters
    ----------
    rate : float
        Discount rate per period [fraction].
    values : array_like, shape (T,) or (N, T)
        Cash flows [元] at the end of periods 1..T (sign: inflows positive).

    Returns
    -------
    float or ndarray
        ``sum_{t=1..T} values[t-1] / (1 + rate)**t`` [元] = ``npv(rate, values) / (1 + rate)``.

    Examples
    --------
    Microsoft's ``NPV`` help page, first example:

    >>> round(excel_npv(0.10, [-10_000, 3_000, 4_200, 6_800]), 2)
    1188.44
    """
    v = as_flows(values)
    r = as_rate(rate)
    return as_scalar(_discount(v, r) / (1.0 + r))


# --------------------------------------------------------------------------
# IRR
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class IRRResult:
    """Full output of :func:`irr`.

    Attributes
    ----------
    irr : float or ndarray
        The IRR chosen by the rule [fraction per period]; NaN where none.
    n_roots : int or ndarray
        Number of distinct real IRRs (rates > -1) of each cash flow.
    multiple : bool or ndarray
        ``n_roots > 1``: the IRR is ambiguous; read the cash flow's NPV profile.
    method : str or ndarray
        ``"none"`` (no sign change), ``"newton"`` (one sign change: unique root,
        safeguarded Newton), ``"isolated"`` (several sign changes, at most one
        root proven on each side of r = 0, bracketed Newton on each side) or
        ``"eigen"`` (companion-matrix roots).
    """

    irr: object
    n_roots: object
    multiple: object
    method: object


def _sign_changes(v: np.ndarray) -> np.ndarray:
    """Number of sign changes along each row, zeros skipped (Descartes' rule)."""
    neg = v < 0
    out = np.count_nonzero(neg[:, 1:] != neg[:, :-1], axis=1)
    has_zero = (v == 0).any(axis=1)
    if has_zero.any():  # forward-fill the last nonzero sign over the zeros
        s = np.sign(v[has_zero])
        t = np.arange(v.shape[1])
        idx = np.where(s != 0, t, 0)
        np.maximum.accumulate(idx, axis=1, out=idx)
        filled = np.take_along_axis(s, idx, axis=1)
        out[has_zero] = np.count_nonzero(filled[:, 1:] * filled[:, :-1] < 0, axis=1)
    return out


def _cauchy_bracket(c: np.ndarray):
    """Cauchy's bounds (lo, hi) on the moduli of the nonzero roots x of each row,
    and the signs of P just above 0 and at +infinity."""
    n, T = c.shape
    nz = c != 0
    first = nz.argmax(axis=1)
    last = T - 1 - nz[:, ::-1].argmax(axis=1)
    rows = np.arange(n)
    c_first = c[rows, first]
    c_last = c[rows, last]
    amax = np.abs(c).max(axis=1)
    lo = np.abs(c_first) / (np.abs(c_first) + amax)
    hi = 1.0 + amax / np.abs(c_last)
    return lo, hi, np.sign(c_first), np.sign(c_last)


def _newton_unique(c: np.ndarray, x0: np.ndarray, tol: float, maxiter: int,
                   lo=None, hi=None, sign_lo=None):
    """Safeguarded vectorised Newton for rows with exactly one root of
    ``P(x) = sum_t c[:, t] x**t`` (x = 1/(1+r)) in the bracket (lo, hi).

    The default bracket is Cauchy's bounds on the moduli of the nonzero roots
    (for rows with one root on x > 0); ``sign_lo`` is the sign of P at ``lo``.
    Each iteration keeps the bracket and falls back to a geometric bisection
    when the Newton step leaves it. Returns (x, converged).
    """
    n, T = c.shape
    if lo is None:
        lo, hi, sign_lo, _ = _cauchy_bracket(c)
    x = np.where((x0 > lo) & (x0 < hi), x0, np.sqrt(lo * hi))
    cT = np.ascontiguousarray(c.T)  # (T, n): contiguous columns for Horner
    out = np.full(n, np.nan)
    done = np.zeros(n, dtype=bool)
    active = np.arange(n)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(maxiter):
            p = cT[T - 1].copy()
            dp = np.zeros_like(p)
            for k in range(T - 2, -1, -1):
                np.multiply(dp, x, out=dp)
                dp += p
                np.multiply(p, x, out=p)
                p += cT[k]
            same = np.sign(p) == sign_lo
            lo = np.where(same, x, lo)
            hi = np.where(same, hi, x)
            xn = x - p / dp
            ok = np.isfinite(xn) & (xn >= lo) & (xn <= hi)
            xn = np.where(ok, xn, np.sqrt(lo * hi))
            conv = (np.abs(xn - x) <= tol * xn * x) | (p == 0)
            xn = np.where(p == 0, x, xn)
            x = xn
            if conv.any():
                out[active[conv]] = x[conv]
                done[active[conv]] = True
                keep = ~conv
                if not keep.any():
                    break
                active, x, lo, hi, sign_lo = active[keep], x[keep], lo[keep], hi[keep], sign_lo[keep]
                cT = cT[:, keep]
    return out, done


def _binomial_maps(T: int):
    """Matrices B_pos[t, k] = C(T-1-t, k) and B_neg[t, k] = C(t, k).

    ``c @ B_pos`` are the coefficients in r of ``(1+r)**(T-1) * NPV(r)`` (its
    positive roots are the IRRs > 0); ``c @ B_neg`` those in s of
    ``NPV(-s/(1+s))`` (positive roots s <-> IRRs in (-1, 0)).
    """
    from scipy.special import comb

    t = np.arange(T)
    return comb(T - 1 - t[:, None], t[None, :]), comb(t[:, None], t[None, :])


def _interval_counts(c: np.ndarray):
    """Descartes' bounds on the number of IRRs in r > 0 and in -1 < r < 0 of each
    row, and a flag for rows where rounding could flip a coefficient's sign."""
    T = c.shape[1]
    B = np.hstack(_binomial_maps(T))
    a = c @ B
    # rounding bound on each coefficient: max|c| * sum_t B[t, k] * 1e-11 (>= |c| @ B * 1e-11)
    err = np.abs(c).max(axis=1)[:, None] * (B.sum(axis=0) * 1e-11)[None, :]
    unsure = (np.abs(a) <= err).any(axis=1)
    return _sign_changes(a[:, :T]), _sign_changes(a[:, T:]), unsure


def _isolated_roots(v2, rows, g, target, tol, maxiter, out, n_roots, method):
    """IRRs of flows with several sign changes, without an eigenvalue problem
    where Descartes' rule on r > 0 and on -1 < r < 0 separately proves at most
    one root in each: each is found by the bracketed Newton on its side of
    x = 1 (r = 0), and the rule of :func:`irr` picks one. Fills ``out``,
    ``n_roots`` and ``method``; returns the rows left for the eigenvalue method."""
    c = v2[rows]
    vp, vn, unsure = _interval_counts(c)
    total = c.sum(axis=1)
    easy = ~unsure & (vp <= 1) & (vn <= 1) & (total != 0)
    lo_c, hi_c, s0, _ = _cauchy_bracket(c)
    r_pos = np.full(rows.size, np.nan)
    r_neg = np.full(rows.size, np.nan)
    for side, want in (("pos", easy & (vp == 1)), ("neg", easy & (vn == 1))):
        k = np.flatnonzero(want)
        if not k.size:
            continue
        if side == "pos":  # x in (lo, 1): r > 0
            lo, hi, sgn = lo_c[k], np.ones(k.size), s0[k]
            x0 = np.full(k.size, 1.0 / (1.0 + max(g, 1e-3)))
        else:  # x in (1, hi): -1 < r < 0
            lo, hi, sgn = np.ones(k.size), hi_c[k], np.sign(total[k])
            x0 = np.full(k.size, 1.0 / (1.0 + min(g, -1e-3)))
        x, ok = _newton_unique(c[k], x0, tol, maxiter, lo=lo, hi=hi, sign_lo=sgn)
        easy[k[~ok]] = False
        (r_pos if side == "pos" else r_neg)[k[ok]] = 1.0 / x[ok] - 1.0
    idx = np.flatnonzero(easy)
    cand = np.stack([r_pos[idx], r_neg[idx]], axis=1)
    cnt = np.isfinite(cand).sum(axis=1)
    dist = np.where(np.isfinite(cand), np.abs(cand - target), np.inf)
    pick = cand[np.arange(idx.size), dist.argmin(axis=1)]
    rr = rows[idx]
    out[rr] = np.where(cnt > 0, pick, np.nan)
    n_roots[rr] = cnt
    method[rr] = "isolated"
    return rows[~easy]


def _eigen_roots(c_rows: np.ndarray):
    """All real positive roots x of each row's polynomial, exactly as ``np.roots``
    (numpy-financial's method) finds them. Returns a list of 1-D arrays."""
    result: list[np.ndarray] = [np.empty(0)] * len(c_rows)
    # np.roots(values[::-1]): strips zero coefficients at both ends.
    nz = c_rows != 0
    T = c_rows.shape[1]
    first = nz.argmax(axis=1)
    last = T - 1 - nz[:, ::-1].argmax(axis=1)
    for f, l in set(zip(first.tolist(), last.tolist())):
        grp = np.flatnonzero((first == f) & (last == l))
        p = c_rows[grp, f:l + 1][:, ::-1]  # highest degree first
        deg = p.shape[1] - 1
        if deg < 1:
            continue
        A = np.zeros((len(grp), deg, deg))
        if deg > 1:
            A[:, np.arange(1, deg), np.arange(deg - 1)] = 1.0
        A[:, 0, :] = -p[:, 1:] / p[:, :1]
        ev = np.linalg.eigvals(A)
        for j, g in enumerate(grp):
            e = ev[j]
            result[g] = e.real[(e.imag == 0) & (e.real > 0)]
    return result


def _distinct(r: np.ndarray) -> np.ndarray:
    r = np.sort(r)
    if r.size <= 1:
        return r
    keep = np.concatenate([[True], np.diff(r) > 1e-9 * np.maximum(1.0, np.abs(r[1:]))])
    return r[keep]


def irr(values, *, guess=None, tol: float = 1e-12, maxiter: int = 100,
        raise_exceptions: bool = False, full_output: bool = False):
    """Internal rate of return: the rate at which :func:`npv` is zero.

    Parameters
    ----------
    values : array_like, shape (T,) or (N, T)
        Net cash flow per year [元]; benefits positive, costs negative;
        t = 0 undiscounted. A 2-D array holds one cash flow per row.
    guess : float, optional
        Starting rate of the Newton iteration [fraction] and, when a cash flow
        has several IRRs, the rate the chosen root is closest to. Default:
        start at 10% and choose the root closest to zero.
    tol : float
        Convergence tolerance on the rate [fraction].
    maxiter : int
        Newton iterations before a row falls back to the eigenvalue method.
    raise_exceptions : bool
        Raise :class:`~costing.errors.NotComputable` instead of returning NaN
        when some cash flow has no IRR.
    full_output : bool
        Return an :class:`IRRResult` (IRR, number of roots, flag, method).

    Returns
    -------
    float or ndarray, shape (N,), or IRRResult
        The IRR [fraction per period]; NaN when the flow has no sign change
        or no real root.

    Notes
    -----
    The NPV is a polynomial in ``x = 1/(1+r)`` with the cash flows as
    coefficients. By Descartes' rule of signs its number of positive roots is
    the number of sign changes of the flow (zeros skipped) minus an even
    number. So:

    * no sign change: no IRR, NaN (or ``NotComputable``);
    * one sign change (the usual invest-then-earn flow): exactly one IRR,
      found by a vectorised Newton iteration on the polynomial, safeguarded by
      a bracket (Cauchy's root bounds) and bisection; rows that do not
      converge fall back to the eigenvalue method;
    * two or more sign changes: there may be 0, 2, 4... roots. Descartes'
      rule is applied again to the NPV rewritten as a polynomial in ``r``
      (roots r > 0) and in ``s = -r/(1+r)`` (roots -1 < r < 0). Where that
      proves at most one root on each side of r = 0 (e.g. a mid-life
      replacement year), each is found by the bracketed Newton; otherwise
      (or when rounding leaves a coefficient's sign in doubt) all roots are
      computed as eigenvalues of the companion matrix (the method of
      ``numpy.roots``, which numpy-financial 1.0 uses). The returned IRR
      follows numpy-financial's rule: **the real root closest to zero** (or
      closest to ``guess`` when one is given). If a flow has more than one
      distinct real root a :class:`MultipleIRRWarning` is issued (one warning
      per call, counting the rows) and ``full_output`` flags the rows; use
      :func:`irr_roots` to list the roots and judge with NPV or MIRR instead.

    Examples
    --------
    numpy-financial's ``irr`` docstring example (Gitman, 2003, p. 348):

    >>> round(irr([-100, 39, 59, 55, 20]), 5)
    0.28095
    """
    v = as_flows(values)
    one = v.ndim == 1
    v2 = np.atleast_2d(v)
    n = v2.shape[0]
    changes = _sign_changes(v2)
    out = np.full(n, np.nan)
    n_roots = np.zeros(n, dtype=int)
    method = np.full(n, "none", dtype=object)

    target = 0.0 if guess is None else float(guess)
    g = 0.1 if guess is None else float(guess)
    fallback = []
    single = np.flatnonzero(changes == 1)
    if single.size:
        x0 = np.full(single.size, 1.0 / (1.0 + g))
        x, ok = _newton_unique(v2[single], x0, tol, maxiter)
        good = single[ok]
        out[good] = 1.0 / x[ok] - 1.0
        n_roots[good] = 1
        method[good] = "newton"
        fallback.append(single[~ok])

    several_changes = np.flatnonzero(changes >= 2)
    if several_changes.size:
        fallback.append(_isolated_roots(v2, several_changes, g, target, tol, maxiter,
                                        out, n_roots, method))
    multi = np.concatenate(fallback) if fallback else np.empty(0, dtype=int)
    if multi.size:
        for i, xs in zip(multi, _eigen_roots(v2[multi])):
            method[i] = "eigen"
            if xs.size == 0:
                continue
            rates = 1.0 / xs - 1.0
            out[i] = rates[np.argmin(np.abs(rates - target))]
            n_roots[i] = _distinct(rates).size

    several = n_roots > 1
    if several.any():
        rule = "closest to zero" if guess is None else f"closest to the guess {guess}"
        warnings.warn(MultipleIRRWarning(
            f"{int(several.sum())} of {n} cash flow(s) have several real IRRs "
            f"(first: row {int(np.flatnonzero(several)[0])}); returned the root {rule} "
            "(numpy-financial's rule). Use irr_roots() and judge by NPV."), stacklevel=2)
    if raise_exceptions and np.isnan(out).any():
        bad = np.flatnonzero(np.isnan(out))
        raise NotComputable(
            f"no real IRR for {bad.size} of {n} cash flow(s) (first: row {int(bad[0])}): "
            "the flow needs at least one sign change and a real root")
    if full_output:
        if one:
            return IRRResult(float(out[0]), int(n_roots[0]), bool(several[0]), str(method[0]))
        return IRRResult(out, n_roots, several, method.astype(str))
    return float(out[0]) if one else out


def irr_roots(values) -> np.ndarray:
    """Every distinct real IRR (rate > -1) of one cash flow, sorted ascending.

    Parameters
    ----------
    values : array_like, shape (T,)
        Net cash flow per year [元] (benefits positive, t = 0 undiscounted).

    Returns
    -------
    ndarray
        The real roots [fraction]; empty when there is none.

    Examples
    --------
    A flow with two IRRs, 10% and 20% (-100 + 230x - 132x^2 = 0 at x = 1/1.1, 1/1.2):

    >>> irr_roots([-100, 230, -132]).round(10)
    array([0.1, 0.2])
    """
    v = as_flows(values)
    if v.ndim != 1:
        raise InputError("irr_roots takes one cash flow", expected="a 1-D array",
                         found=f"shape {v.shape}")
    xs = _eigen_roots(v[None, :])[0]
    return _distinct(1.0 / xs - 1.0)


# --------------------------------------------------------------------------
# MIRR
# --------------------------------------------------------------------------
def mirr(values, finance_rate, reinvest_rate, *, raise_exceptions: bool = False):
    """Modified internal rate of return, as numpy-financial defines it.

    Parameters
    ----------
    values : array_like, shape (T,) or (N, T)
        Net cash flows [元]; negative values are financed at ``finance_rate``,
        positive ones reinvested at ``reinvest_rate``; t = 0 undiscounted.
    finance_rate, reinvest_rate : float
        Rates per period [fraction].
    raise_exceptions : bool
        Raise NotComputable instead of returning NaN when a flow lacks a
        positive or a negative value.

    Returns
    -------
    float or ndarray
        ``(FV(positives) / |PV(negatives)|) ** (1/(T-1)) - 1`` [fraction],
        computed as ``(|NPV_reinvest(pos)| / |NPV_finance(neg)|)**(1/(T-1)) * (1+reinvest) - 1``.

    Examples
    --------
    numpy-financial's test suite (``TestMirr``):

    >>> round(mirr([-120000, 39000, 30000, 21000, 37000, 46000], 0.10, 0.12), 6)
    0.126094
    """
    v = as_flows(values)
    if v.shape[-1] < 2:
        raise InputError("mirr needs at least two periods", expected="T >= 2",
                         found=f"T = {v.shape[-1]}")
    pos, neg = v > 0, v < 0
    valid = pos.any(axis=-1) & neg.any(axis=-1)
    if raise_exceptions and not np.all(valid):
        raise NotComputable("MIRR needs at least one positive and one negative cash flow")
    numer = np.abs(_discount(v * pos, reinvest_rate))
    denom = np.abs(_discount(v * neg, finance_rate))
    with np.errstate(divide="ignore", invalid="ignore"):
        res = (numer / denom) ** (1.0 / (v.shape[-1] - 1)) * (1.0 + reinvest_rate) - 1.0
    res = np.where(valid, res, np.nan)
    return as_scalar(res)


# --------------------------------------------------------------------------
# XNPV / XIRR: dated cash flows, Excel's actual/365 day count
# --------------------------------------------------------------------------
def _year_fractions(dates, n: int) -> np.ndarray:
    try:
        d = np.array([np.datetime64(x.isoformat() if isinstance(x, (_dt.date, _dt.datetime)) else x, "D")
                      for x in dates])
    except (TypeError, ValueError) as exc:
        raise InputError("dates must be calendar dates", expected="ISO dates like 2025-01-31",
                         found=str(exc)) from None
    if d.size != n:
        raise InputError("values and dates have different lengths", expected=f"{n} dates",
                         found=f"{d.size} dates")
    if np.isnat(d).any():
        raise InputError("a date is missing", expected="a date for each value",
                         found=f"missing at position {int(np.flatnonzero(np.isnat(d))[0])}")
    days = (d - d[0]).astype(float)
    if (days < 0).any():
        i = int(np.flatnonzero(days < 0)[0])
        raise InputError(f"dates[{i}] ({d[i]}) precedes the first date ({d[0]})",
                         expected="no date before dates[0] (Excel's XNPV/XIRR rule: #NUM!)",
                         found=str(d[i]))
    return days / 365.0


def xnpv(rate, values, dates):
    """NPV of dated cash flows, as Excel's ``XNPV`` computes it.

    Parameters
    ----------
    rate : float
        Annual discount rate [fraction].
    values : array_like, shape (T,)
        Cash flows [元], inflows positive.
    dates : sequence of dates
        One date per value (``datetime.date``, ``numpy.datetime64`` or ISO
        strings). ``dates[0]`` is the valuation date and is not discounted;
        no date may precede it (an InputError otherwise, Excel's ``#NUM!``).
        The others may be in any order.

    Returns
    -------
    float
        ``sum_i values[i] / (1 + rate)**((dates[i] - dates[0]).days / 365)`` [元].
    """
    v = as_flows(values)
    if v.ndim != 1:
        raise InputError("xnpv takes one cash flow", expected="a 1-D array", found=f"shape {v.shape}")
    tau = _year_fractions(dates, v.size)
    r = float(as_rate(rate))
    return float(np.sum(v * (1.0 + r) ** -tau))


def xirr(values, dates, *, guess=None, raise_exceptions: bool = False) -> float:
    """Annual IRR of dated cash flows, as Excel's ``XIRR`` defines it.

    Parameters
    ----------
    values : array_like, shape (T,)
        Cash flows [元], inflows positive.
    dates : sequence of dates
        As for :func:`xnpv`.
    guess : float, optional
        When several roots exist, return the one closest to ``guess``
        (default: closest to zero, as :func:`irr`).
    raise_exceptions : bool
        Raise NotComputable instead of returning NaN when there is no root.

    Returns
    -------
    float
        The rate [fraction per year] at which :func:`xnpv` is zero.

    Notes
    -----
    The exponents are not integers, so there is no polynomial: the XNPV is
    evaluated on a grid of 800 rates from -99% to +9,900% (log-spaced in
    1 + r), every sign change is refined with Brent's method, and the rule of
    :func:`irr` picks the root; several roots issue a
    :class:`MultipleIRRWarning`. Roots closer together than the grid step are
    not separated.
    """
    v = as_flows(values)
    if v.ndim != 1:
        raise InputError("xirr takes one cash flow", expected="a 1-D array", found=f"shape {v.shape}")
    tau = _year_fractions(dates, v.size)
    if not ((v > 0).any() and (v < 0).any()):
        if raise_exceptions:
            raise NotComputable("XIRR needs at least one positive and one negative cash flow")
        return float("nan")

    def f(r):
        return float(np.sum(v * (1.0 + r) ** -tau))

    grid = np.exp(np.linspace(np.log(0.01), np.log(100.0), 800)) - 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        fg = (v[None, :] * (1.0 + grid[:, None]) ** -tau[None, :]).sum(axis=1)
    roots = []
    for i in np.flatnonzero(np.isfinite(fg[:-1]) & np.isfinite(fg[1:])):
        if fg[i] == 0:
            roots.append(grid[i])
        elif fg[i] * fg[i + 1] < 0:
            roots.append(brentq(f, grid[i], grid[i + 1], xtol=1e-14, rtol=4 * np.finfo(float).eps))
    if not roots:
        if raise_exceptions:
            raise NotComputable("no XIRR between -99% and +9,900%")
        return float("nan")
    roots = np.array(roots)
    target = 0.0 if guess is None else float(guess)
    if _distinct(roots).size > 1:
        warnings.warn(MultipleIRRWarning(
            f"the dated cash flow has several IRRs {np.round(roots, 6).tolist()}; returned the one "
            f"closest to {target}"), stacklevel=2)
    return float(roots[np.argmin(np.abs(roots - target))])


# --------------------------------------------------------------------------
# BCR, payback, cost-effectiveness
# --------------------------------------------------------------------------
def _pv(values: np.ndarray, discount, timing: str) -> np.ndarray:
    return values @ discount_factors(discount, values.shape[-1], timing=timing)


def _check_sign(arr: np.ndarray, sign: int, name: str) -> None:
    bad = arr * sign < 0
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        want = "benefits >= 0" if sign > 0 else "costs <= 0 (costs are negative in costing.cba)"
        raise InputError(f"{name}{list(i)} has the wrong sign", expected=want, found=float(arr[i]))


def bcr(rate, benefits, costs, *, timing: str = "start"):
    """Benefit-cost ratio: PV of benefits over PV of costs.

    Parameters
    ----------
    rate : float, str or DiscountPreset
        Discount rate [fraction], or a preset name (``"china_8"``,
        ``"uk_green_book"``...) or a :class:`~costing.cba.DiscountPreset`.
    benefits : array_like, shape (T,) or (N, T)
        Benefit stream [元], >= 0.
    costs : array_like, same shape
        Cost stream [元], <= 0 (the package's sign convention); an InputError
        names the first positive entry.
    timing : {"start", "mid", "end"}
        When in year t the flows fall (see :func:`costing.cba.discount_factors`).

    Returns
    -------
    float or ndarray
        ``PV(benefits) / -PV(costs)`` [ratio]; NaN when the costs are all zero.

    Examples
    --------
    >>> round(bcr(0.0, [0, 60, 60], [-100, 0, 0]), 6)
    1.2
    """
    b = as_flows(benefits, "benefits")
    c = as_flows(costs, "costs")
    same_length(b, c, "benefits", "costs")
    _check_sign(b, +1, "benefits")
    _check_sign(c, -1, "costs")
    pv_b = _pv(b, rate, timing)
    pv_c = -_pv(c, rate, timing)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = np.where(pv_c > 0, pv_b / np.where(pv_c > 0, pv_c, 1.0), np.nan)
    return as_scalar(res)


def _payback(v: np.ndarray) -> np.ndarray:
    v2 = np.atleast_2d(v)
    cum = np.cumsum(v2, axis=1)
    nonneg = cum >= 0
    k = nonneg.argmax(axis=1)
    found = nonneg.any(axis=1)
    rows = np.arange(v2.shape[0])
    prev = cum[rows, np.maximum(k - 1, 0)]
    step = v2[rows, k]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(k > 0, (k - 1) + (-prev) / step, 0.0)
    res = np.where(found, frac, np.nan)
    return res[0] if v.ndim == 1 else res


def payback_period(values):
    """Static payback period (静态投资回收期) [years after t = 0].

    Parameters
    ----------
    values : array_like, shape (T,) or (N, T)
        Net cash flow per year [元], costs negative, t = 0 first.

    Returns
    -------
    float or ndarray
        With ``k`` the first year whose cumulative net flow is >= 0:
        ``(k - 1) + |cum[k-1]| / values[k]`` (the flow of year ``k`` is
        spread evenly over the year, the formula of 《建设项目经济评价方法与参数》
        with years counted from t = 0); 0 when ``cum[0] >= 0``; NaN when the
        cumulative flow never becomes non-negative. Later dips (e.g. a
        battery replacement) do not change the first crossing.

    Examples
    --------
    >>> payback_period([-100, 30, 40, 50, 60])
    2.6
    """
    return as_scalar(_payback(as_flows(values)))


def discounted_payback_period(values, rate, *, timing: str = "start"):
    """Dynamic (discounted) payback period (动态投资回收期) [years after t = 0].

    Parameters
    ----------
    values : array_like, shape (T,) or (N, T)
        Net cash flow per year [元], costs negative, t = 0 first.
    rate : float, str or DiscountPreset
        Discount rate [fraction] or preset.
    timing : {"start", "mid", "end"}
        Discounting timing; see :func:`costing.cba.discount_factors`.

    Returns
    -------
    float or ndarray
        :func:`payback_period` of the discounted flows; NaN if never repaid.
    """
    v = as_flows(values)
    return as_scalar(_payback(v * discount_factors(rate, v.shape[-1], timing=timing)))


def cost_effectiveness_ratio(costs, outcomes, rate=0.0, *, discount_outcomes: bool = True,
                             timing: str = "start"):
    """Cost-effectiveness ratio: PV of costs per (discounted) unit of outcome.

    Used where benefits cannot be priced (e.g. 元 per tonne of CO2 avoided).

    Parameters
    ----------
    costs : array_like, shape (T,)
        Cost stream [元], <= 0 (sign convention).
    outcomes : array_like, shape (T,)
        Physical outcome per year [unit of outcome], >= 0.
    rate : float, str or DiscountPreset
        Discount rate [fraction] or preset.
    discount_outcomes : bool
        Discount outcomes at the same rate (the usual, consistent choice).
    timing : {"start", "mid", "end"}

    Returns
    -------
    float
        ``-PV(costs) / PV(outcomes)`` [元 per unit of outcome]; NaN when the
        outcomes sum to zero.
    """
    c = as_flows(costs, "costs")
    o = as_flows(outcomes, "outcomes")
    same_length(c, o, "costs", "outcomes")
    _check_sign(c, -1, "costs")
    _check_sign(o, +1, "outcomes")
    pv_c = -_pv(c, rate, timing)
    pv_o = _pv(o, rate, timing) if discount_outcomes else o.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return as_scalar(np.where(pv_o > 0, pv_c / np.where(pv_o > 0, pv_o, 1.0), np.nan))


def incremental_cost_effectiveness_ratio(cost_a: float, outcome_a: float,
                                         cost_b: float, outcome_b: float) -> float:
    """Incremental cost-effectiveness ratio (ICER) of option A over option B.

    Parameters
    ----------
    cost_a, cost_b : float
        Present value of each option's costs [元], as positive magnitudes.
    outcome_a, outcome_b : float
        Present value of each option's outcome [unit].

    Returns
    -------
    float
        ``(cost_a - cost_b) / (outcome_a - outcome_b)`` [元 per extra unit];
        NaN when the outcomes are equal (no extra outcome to price).

    Examples
    --------
    >>> incremental_cost_effectiveness_ratio(1500.0, 30.0, 1000.0, 20.0)
    50.0
    """
    d_out = float(outcome_a) - float(outcome_b)
    if d_out == 0:
        return float("nan")
    return (float(cost_a) - float(cost_b)) / d_out

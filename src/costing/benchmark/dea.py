"""Data envelopment analysis (DEA): radial efficiency against a piecewise-linear frontier.

Step 3 of the method (横向扩展，据实测算) measures how far a unit (an operator, a
district, a year) stands from the best practice of its peers. DEA builds the
best-practice frontier from the peers themselves, with no functional form and
no prices, by solving one linear programme per unit (Charnes, Cooper & Rhodes
1978; Banker, Charnes & Cooper 1984).

Conventions (those of R's ``Benchmarking`` package, Bogetoft & Otto 2011):

- ``inputs`` is an ``(n, m)`` array, ``outputs`` an ``(n, s)`` array, one row per
  unit. Inputs must be strictly positive, outputs non-negative with at least
  one positive output per unit.
- Input orientation returns the Farrell input efficiency θ ∈ (0, 1]: the
  factor by which every input of the unit could shrink, outputs held.
- Output orientation returns the Farrell output efficiency φ ≥ 1: the factor
  by which every output could grow, inputs held. pyDEA and some textbooks
  print 1/φ instead.
- Returns to scale (``rts``) is a bound on Σλ, kept as data in
  :data:`RTS_LAMBDA_SUM`: ``crs`` none, ``vrs`` Σλ = 1, ``nirs`` (alias ``drs``)
  Σλ ≤ 1, ``ndrs`` (alias ``irs``) Σλ ≥ 1.
- Slacks come from a separate second phase that fixes the radial score and
  maximises the plain (unweighted) sum of input and output slacks, in the
  data's own units, as ``Benchmarking::slack`` does. A unit with score 1 but a
  positive slack is only weakly efficient.

Solver. Every score is an exact LP optimum from HiGHS. The default backend
keeps one persistent HiGHS model per data set and changes only the column and
the right-hand side of the unit being evaluated (hot start); it solves over a
growing reference set of candidate peers and adds a unit as a column only when
its reduced cost proves it could improve the optimum (column generation). The
optimality test is the LP's own: no unit of the full data set has a negative
reduced cost, so the result equals the LP over all units. The public
``highspy`` binding is used when installed, else the identical binding that
ships inside SciPy; ``backend="linprog"`` solves one
:func:`scipy.optimize.linprog` per unit over all units (slower; the reference).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError, ModelError

__all__ = [
    "RTS_LAMBDA_SUM",
    "RTS_ALIASES",
    "ORIENTATIONS",
    "DEAResult",
    "LowDiscriminationWarning",
    "dea",
    "dea_full",
    "super_efficiency",
]

#: bounds (lower, upper) on Σλ per returns-to-scale assumption
RTS_LAMBDA_SUM: dict[str, tuple[float, float]] = {
    "crs": (-np.inf, np.inf),  # constant returns: no constraint
    "vrs": (1.0, 1.0),  # variable returns (BCC)
    "nirs": (-np.inf, 1.0),  # non-increasing returns
    "ndrs": (1.0, np.inf),  # non-decreasing returns
}
#: other names for the same assumptions (R Benchmarking's "drs" and "irs")
RTS_ALIASES: dict[str, str] = {"drs": "nirs", "irs": "ndrs", "fdh": "fdh"}
ORIENTATIONS = ("input", "output")

#: a score within this distance of 1 counts as radially efficient
EFFICIENCY_TOL = 1e-6
#: a λ or a slack below this is zero
ZERO_TOL = 1e-8
_REDUCED_COST_TOL = 1e-9


class LowDiscriminationWarning(UserWarning):
    """DEA was asked to rank too few units for the number of inputs and outputs,
    or units that do not differ: many or all scores will be 1."""


@dataclass(frozen=True)
class DEAResult:
    """Scores, peers and slacks of a DEA model.

    Attributes
    ----------
    efficiency : ndarray, shape (n,)
        θ ≤ 1 (input orientation) or Farrell φ ≥ 1 (output orientation)
        [fraction].
    lambdas : ndarray, shape (n, n)
        Row k holds the intensity weights λ of unit k's projection on the
        frontier, from the slack (second) phase [-].
    slacks_in : ndarray, shape (n, m)
        Input slacks after the radial contraction, in the inputs' units.
    slacks_out : ndarray, shape (n, s)
        Output slacks after the radial expansion, in the outputs' units.
    rts, orientation : str
        The model.
    target_inputs : ndarray, shape (n, m)
        Projected inputs X λ on the strong frontier [inputs' units].
    target_outputs : ndarray, shape (n, s)
        Projected outputs Y λ on the strong frontier [outputs' units].
    labels : tuple or None
        Unit labels (the index of a DataFrame input).
    """

    efficiency: np.ndarray
    lambdas: np.ndarray
    slacks_in: np.ndarray
    slacks_out: np.ndarray
    rts: str
    orientation: str
    target_inputs: np.ndarray
    target_outputs: np.ndarray
    labels: tuple | None = field(default=None)

    @property
    def peers(self) -> list[np.ndarray]:
        """Per unit, the indices of the units with λ > 0 (its reference set)."""
        return [np.flatnonzero(row > ZERO_TOL) for row in self.lambdas]

    @property
    def radially_efficient(self) -> np.ndarray:
        """Score equal to 1 (within :data:`EFFICIENCY_TOL`)."""
        return np.abs(self.efficiency - 1.0) <= EFFICIENCY_TOL

    @property
    def efficient(self) -> np.ndarray:
        """Pareto-Koopmans efficient: score 1 and every slack zero."""
        scale_in = np.maximum(np.abs(self.slacks_in).max(axis=0, initial=0), 1.0)
        scale_out = np.maximum(np.abs(self.slacks_out).max(axis=0, initial=0), 1.0)
        no_slack = (np.all(self.slacks_in <= 1e-7 * scale_in, axis=1)
                    & np.all(self.slacks_out <= 1e-7 * scale_out, axis=1))
        return self.radially_efficient & no_slack

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: score, efficient flags, peers and slacks."""
        idx = list(self.labels) if self.labels is not None else range(len(self.efficiency))
        names = np.array(list(idx), dtype=object)
        df = pd.DataFrame({"efficiency": self.efficiency,
                           "radially_efficient": self.radially_efficient,
                           "efficient": self.efficient,
                           "peers": [", ".join(str(names[j]) for j in p) for p in self.peers]},
                          index=idx)
        for i in range(self.slacks_in.shape[1]):
            df[f"slack_in_{i}"] = self.slacks_in[:, i]
        for r in range(self.slacks_out.shape[1]):
            df[f"slack_out_{r}"] = self.slacks_out[:, r]
        return df


# --------------------------------------------------------------------- input validation
def _as_matrix(a, what: str) -> tuple[np.ndarray, list[str], tuple | None]:
    labels = None
    if isinstance(a, pd.Series):
        a = a.to_frame()
    if isinstance(a, pd.DataFrame):
        cols = [str(c) for c in a.columns]
        labels = tuple(a.index)
        try:
            arr = a.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{what} must be numeric", expected="numbers",
                             found=str(exc)) from None
    else:
        try:
            arr = np.asarray(a, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{what} must be numeric", expected="numbers",
                             found=str(exc)) from None
        if arr.ndim == 1:
            arr = arr[:, None]
        cols = [f"{what}[{j}]" for j in range(arr.shape[1] if arr.ndim == 2 else 0)]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InputError(f"{what} must be a non-empty 2-D table (one row per unit)",
                         expected="shape (n_units, n_columns)", found=arr.shape)
    return arr, cols, labels


def _check_values(arr: np.ndarray, cols: list[str], what: str, *, strictly_positive: bool):
    bad = ~np.isfinite(arr)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputError(f"{what} hold a missing or infinite value (unit {i})", row=int(i),
                         column=cols[j], expected="a finite number", found=float(arr[i, j]))
    bad = arr <= 0 if strictly_positive else arr < 0
    if bad.any():
        i, j = np.argwhere(bad)[0]
        need = "a number > 0 (DEA inputs must be strictly positive)" if strictly_positive \
            else "a number >= 0"
        raise InputError(f"{what} hold a {'non-positive' if strictly_positive else 'negative'}"
                         f" value (unit {i}; {int(bad.sum())} such values in all)",
                         row=int(i), column=cols[j], expected=need, found=float(arr[i, j]))


def _validate(inputs, outputs, rts: str, orientation: str):
    X, xcols, labels = _as_matrix(inputs, "inputs")
    Y, ycols, ylabels = _as_matrix(outputs, "outputs")
    if X.shape[0] != Y.shape[0]:
        raise InputError("inputs and outputs must have one row per unit each",
                         expected=f"{X.shape[0]} output rows", found=Y.shape[0])
    _check_values(X, xcols, "inputs", strictly_positive=True)
    _check_values(Y, ycols, "outputs", strictly_positive=False)
    zero = np.flatnonzero(Y.max(axis=1) <= 0)
    if zero.size:
        raise InputError(f"unit {zero[0]} produces nothing: every output is 0 "
                         f"({zero.size} such units); DEA cannot score it", row=int(zero[0]),
                         expected="at least one positive output per unit", found=0.0)
    key = str(rts).lower()
    key = RTS_ALIASES.get(key, key)
    if key not in RTS_LAMBDA_SUM:
        raise InputError("unknown returns to scale", column="rts",
                         expected=f"one of {sorted(RTS_LAMBDA_SUM) + sorted(RTS_ALIASES)}",
                         found=rts)
    if orientation not in ORIENTATIONS:
        raise InputError("unknown orientation", column="orientation",
                         expected=f"one of {ORIENTATIONS}", found=orientation)
    n, m = X.shape
    s = Y.shape[1]
    if n < m + s:
        warnings.warn(f"DEA with {n} units for {m} inputs + {s} outputs: fewer units than "
                      "inputs plus outputs, so most units will score 1 (low discrimination); "
                      "a common rule of thumb asks for n >= max(m*s, 3*(m+s))",
                      LowDiscriminationWarning, stacklevel=3)
    if n > 1 and np.all(X == X[0]) and np.all(Y == Y[0]):
        warnings.warn(f"all {n} units have identical inputs and outputs: DEA cannot tell them "
                      "apart and every score is 1", LowDiscriminationWarning, stacklevel=3)
    return X, Y, key, labels if labels is not None else ylabels


# --------------------------------------------------------------------- HiGHS backend
def _highs_module():
    """The HiGHS Python binding: public ``highspy`` if installed, else SciPy's copy."""
    try:  # pragma: no cover - depends on the environment
        import highspy

        return highspy, highspy.Highs
    except ImportError:
        pass
    try:
        from scipy.optimize._highspy import _core

        return _core, _core._Highs
    except ImportError:  # pragma: no cover - very old SciPy
        return None, None


def _new_highs(Highs):
    """A HiGHS instance, without the banner highspy prints (at C level) on its first construction.

    Jupyter kernels forward C-level stdout into cell outputs, so the banner
    would otherwise end up in reports.
    """
    import os
    import sys

    try:
        sys.stdout.flush()
        fd = os.dup(1)
    except (OSError, ValueError):  # no real stdout (some embedded interpreters)
        return Highs()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        return Highs()
    finally:
        os.dup2(fd, 1)
        os.close(fd)
        os.close(devnull)


class _EnvelopmentModel:
    """Persistent HiGHS model of the envelopment LP of one data set.

    Columns: 0 is the radial variable t (θ or φ), then one λ per unit of the
    current reference set. Rows: m inputs, s outputs, one Σλ row.

    input orientation:   min t   s.t.  Xλ - t x_k <= 0,  Yλ >= y_k,  Σλ in RTS bounds
    output orientation:  min -t  s.t.  Xλ <= x_k,  Yλ - t y_k >= 0,  Σλ in RTS bounds
    """

    def __init__(self, X, Y, sum_bounds, orientation, ref, cost=None):
        core, Highs = _highs_module()
        self.core = core
        self.inf = core.kHighsInf
        self.X, self.Y = X, Y
        self.n, self.m = X.shape
        self.s = Y.shape[1]
        self.input = orientation == "input"
        self.A_all = np.vstack([X.T, Y.T, np.ones((1, self.n))])  # (m+s+1, n)
        self.cost_all = np.zeros(self.n) if cost is None else cost
        h = _new_highs(Highs)
        h.setOptionValue("output_flag", False)
        self.h = h
        inf = self.inf
        nrow = self.m + self.s + 1
        lo_sum = sum_bounds[0] if np.isfinite(sum_bounds[0]) else -inf
        hi_sum = sum_bounds[1] if np.isfinite(sum_bounds[1]) else inf
        row_lo = np.r_[np.full(self.m, -inf), np.zeros(self.s), lo_sum]
        row_hi = np.r_[np.zeros(self.m), np.full(self.s, inf), hi_sum]
        h.addRows(nrow, row_lo, row_hi, 0, np.zeros(1, np.int32), np.zeros(0, np.int32),
                  np.zeros(0))
        h.addCol(1.0 if self.input else -1.0, 0.0, inf, 0, np.zeros(0, np.int32), np.zeros(0))
        self.ref: list[int] = []
        self.in_ref = np.zeros(self.n, bool)
        self.add_columns(np.asarray(ref, int))
        # the t column's coefficients live in the input rows (input orientation)
        # or the output rows (output orientation)
        self.t_rows = np.arange(self.m) if self.input else np.arange(self.m, self.m + self.s)

    def add_columns(self, idx):
        idx = np.asarray([j for j in np.unique(idx) if not self.in_ref[j]], int)
        if idx.size == 0:
            return
        block = self.A_all[:, idx]
        nrow = block.shape[0]
        starts = (np.arange(idx.size) * nrow).astype(np.int32)
        index = np.tile(np.arange(nrow, dtype=np.int32), idx.size)
        values = block.T.ravel().copy()
        self.h.addCols(idx.size, self.cost_all[idx].astype(float), np.zeros(idx.size),
                       np.full(idx.size, self.inf), values.size, starts, index, values)
        self.ref.extend(idx.tolist())
        self.in_ref[idx] = True

    def set_unit(self, k):
        """Point the model at unit k: its column of t and its right-hand sides."""
        h, m, s, inf = self.h, self.m, self.s, self.inf
        if self.input:
            for i in range(m):
                h.changeCoeff(i, 0, -self.X[k, i])
            for r in range(s):
                h.changeRowBounds(m + r, self.Y[k, r], inf)
        else:
            for i in range(m):
                h.changeRowBounds(i, -inf, self.X[k, i])
            for r in range(s):
                h.changeCoeff(m + r, 0, -self.Y[k, r])

    def solve(self):
        """Run HiGHS. Returns (status, t, λ over the reference set, row duals)."""
        h = self.h
        h.run()
        status = h.getModelStatus()
        if status != self.core.HighsModelStatus.kOptimal:
            return h.modelStatusToString(status), np.nan, None, None
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        return "Optimal", x[0], x[1:], np.asarray(sol.row_dual)

    def violators(self, duals, k=None):
        """Units outside the reference set whose reduced cost c_j - a_j'π is negative."""
        d = self.cost_all - duals @ self.A_all
        bad = (d < -_REDUCED_COST_TOL * (1.0 + np.abs(self.cost_all))) & ~self.in_ref
        return np.flatnonzero(bad)


def _initial_reference(X, Y) -> np.ndarray:
    """Candidate peers that are often on the frontier: best single ratios and extremes."""
    ratio = (Y[:, None, :] / X[:, :, None]).reshape(len(X), -1)  # every output/input ratio
    agg = Y.sum(axis=1) / X.sum(axis=1)
    cand = np.r_[ratio.argmax(axis=0), X.argmin(axis=0), Y.argmax(axis=0), X.argmax(axis=0),
                 np.argsort(-agg)[: min(len(X), 10)]]
    return np.unique(cand)


def _solve_all(model: _EnvelopmentModel, units, fixed_t=None, max_rounds=None):
    """Solve the LP of each unit in ``units``, adding columns until every optimum is proven.

    Returns arrays t (n,) and Λ (n, n). ``fixed_t`` fixes t per unit (slack phase).
    """
    n = model.n
    t_out = np.full(n, np.nan)
    lam = np.zeros((len(units), n))
    pos = {k: p for p, k in enumerate(units)}
    pending = list(units)
    # the slack phase fixes t at its phase-1 optimum; if rounding makes that point
    # infeasible by a hair, t is loosened by these relative amounts, in turn
    loosen = {k: 0 for k in units}
    steps = (0.0, 1e-10, 1e-8)
    direction = 1.0 if model.input else -1.0
    rounds = 0
    while pending:
        rounds += 1
        retry = []
        for k in pending:
            model.set_unit(k)
            if fixed_t is not None:
                tk = fixed_t[k] * (1.0 + direction * steps[loosen[k]])
                model.h.changeColBounds(0, tk, tk)
            status, t, lam_ref, duals = model.solve()
            if status != "Optimal":
                if not model.in_ref[k]:  # unit k itself makes the LP feasible
                    model.add_columns([k])
                    retry.append(k)
                    continue
                if fixed_t is not None and loosen[k] + 1 < len(steps):
                    loosen[k] += 1
                    retry.append(k)
                    continue
                raise ModelError(f"DEA LP for unit {k} ended with HiGHS status {status!r}")
            viol = model.violators(duals)
            if viol.size:
                d = model.cost_all[viol] - duals @ model.A_all[:, viol]
                model.add_columns(viol[np.argsort(d)[:8]])  # the most negative few
                retry.append(k)
                continue
            t_out[k] = t
            lam[pos[k], :] = 0.0
            lam[pos[k], model.ref] = lam_ref
        pending = retry
        if max_rounds is not None and rounds > max_rounds:  # pragma: no cover
            raise ModelError("DEA column generation did not converge")
    return t_out, lam


# --------------------------------------------------------------------- linprog backend
def _linprog_unit(X, Y, k, sum_bounds, orientation, fixed_t=None, cost=None, exclude=None):
    """One LP for unit k over all units with scipy.optimize.linprog (HiGHS)."""
    from scipy.optimize import linprog

    n, m = X.shape
    s = Y.shape[1]
    cols = np.ones(n, bool)
    if exclude is not None:
        cols[exclude] = False
    Xr, Yr = X[cols].T, Y[cols].T
    nr = Xr.shape[1]
    if orientation == "input":
        A_ub = np.block([[-X[k][:, None], Xr], [np.zeros((s, 1)), -Yr]])
        b_ub = np.r_[np.zeros(m), -Y[k]]
        c = np.r_[1.0, np.zeros(nr)]
    else:
        A_ub = np.block([[np.zeros((m, 1)), Xr], [Y[k][:, None], -Yr]])
        b_ub = np.r_[X[k], np.zeros(s)]
        c = np.r_[-1.0, np.zeros(nr)]
    if cost is not None:
        c = np.r_[0.0, cost[cols]]
    lo, hi = sum_bounds
    extra_ub, extra_b, eq, eq_b = [], [], None, None
    if lo == hi:
        eq, eq_b = np.r_[0.0, np.ones(nr)][None, :], [lo]
    else:
        if np.isfinite(hi):
            extra_ub.append(np.r_[0.0, np.ones(nr)]), extra_b.append(hi)
        if np.isfinite(lo):
            extra_ub.append(np.r_[0.0, -np.ones(nr)]), extra_b.append(-lo)
    if extra_ub:
        A_ub = np.vstack([A_ub, extra_ub])
        b_ub = np.r_[b_ub, extra_b]
    t_bounds = (0, None) if fixed_t is None else (fixed_t, fixed_t)
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=eq, b_eq=eq_b,
                  bounds=[t_bounds] + [(0, None)] * nr, method="highs")
    if res.status != 0:
        return res.message, np.nan, None
    lam = np.zeros(n)
    lam[cols] = res.x[1:]
    return "Optimal", res.x[0], lam


# --------------------------------------------------------------------- public functions
def _scales(X, Y):
    return X.mean(axis=0), Y.mean(axis=0)


def _pick_backend(backend: str) -> str:
    if backend not in ("auto", "highs", "linprog"):
        raise InputError("unknown DEA backend", column="backend",
                         expected="'auto', 'highs' or 'linprog'", found=backend)
    if backend == "auto":
        return "highs" if _highs_module()[0] is not None else "linprog"
    return backend


def _phase1(Xn, Yn, key, orientation, backend):
    n = len(Xn)
    bounds = RTS_LAMBDA_SUM[key]
    if backend == "linprog":
        t = np.empty(n)
        for k in range(n):
            status, t[k], _ = _linprog_unit(Xn, Yn, k, bounds, orientation)
            if status != "Optimal":  # pragma: no cover - LP always feasible (λ = e_k)
                raise ModelError(f"DEA LP for unit {k} failed: {status}")
        return t, None
    model = _EnvelopmentModel(Xn, Yn, bounds, orientation, _initial_reference(Xn, Yn))
    t, _ = _solve_all(model, list(range(n)))
    return t, model


def dea(inputs, outputs, *, rts: str = "crs", orientation: str = "input",
        backend: str = "auto") -> np.ndarray:
    """Radial (Farrell) DEA efficiency of every unit.

    Parameters
    ----------
    inputs : array_like or DataFrame, shape (n, m)
        Inputs of each unit, > 0, any units (e.g. [元], [vehicles]).
    outputs : array_like or DataFrame, shape (n, s)
        Outputs of each unit, >= 0 (e.g. [车公里], [passengers]).
    rts : {"crs", "vrs", "nirs", "ndrs"}
        Returns to scale (aliases "drs" = "nirs", "irs" = "ndrs"); see
        :data:`RTS_LAMBDA_SUM`.
    orientation : {"input", "output"}
        Input: θ = min t with X λ <= t x_k, Y λ >= y_k. Output: φ = max t with
        X λ <= x_k, Y λ >= t y_k.
    backend : {"auto", "highs", "linprog"}
        "highs" is the hot-started persistent model with column generation,
        "linprog" one :func:`scipy.optimize.linprog` per unit. Both are exact.

    Returns
    -------
    ndarray, shape (n,)
        θ ∈ (0, 1] for input orientation, φ >= 1 for output orientation
        [fraction]. Under CRS θ = 1/φ.

    Raises
    ------
    InputError
        Non-positive or missing inputs, negative or missing outputs, a unit
        with no output, unknown ``rts`` or ``orientation``.

    Warns
    -----
    LowDiscriminationWarning
        Fewer units than inputs + outputs, or all units identical.

    Examples
    --------
    >>> dea([[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]], [1, 2, 3, 1, 2]).round(4)
    array([0.5   , 1.    , 0.8333, 0.7143, 1.    ])
    """
    X, Y, key, _ = _validate(inputs, outputs, rts, orientation)
    sx, sy = _scales(X, Y)
    t, _ = _phase1(X / sx, Y / sy, key, orientation, _pick_backend(backend))
    return t


def dea_full(inputs, outputs, *, rts: str = "crs", orientation: str = "input",
             backend: str = "auto") -> DEAResult:
    """DEA scores with peers (λ) and slacks from a second phase.

    Phase 1 is :func:`dea`. Phase 2 fixes each unit's score and maximises the
    sum of its slacks, in the data's own units (``Benchmarking::slack``):

    input orientation:  max Σ s⁻ + Σ s⁺  s.t.  Xλ + s⁻ = θ* x_k,  Yλ - s⁺ = y_k
    output orientation: max Σ s⁻ + Σ s⁺  s.t.  Xλ + s⁻ = x_k,  Yλ - s⁺ = φ* y_k

    with the same Σλ bound. Parameters, errors and warnings are those of
    :func:`dea`.

    Returns
    -------
    DEAResult
        ``efficiency`` [fraction], ``lambdas`` (n x n) of the phase-2 solution,
        ``slacks_in`` [inputs' units], ``slacks_out`` [outputs' units],
        ``peers``, ``efficient`` (score 1 and no slack) and the projected
        ``target_inputs``/``target_outputs``.
    """
    X, Y, key, labels = _validate(inputs, outputs, rts, orientation)
    backend = _pick_backend(backend)
    sx, sy = _scales(X, Y)
    Xn, Yn = X / sx, Y / sy
    t, _ = _phase1(Xn, Yn, key, orientation, backend)
    n = len(X)
    # phase 2: minimise Σ_j (Σ_i x_ij - Σ_r y_rj) λ_j, i.e. maximise the raw slack sum
    cost = X.sum(axis=1) - Y.sum(axis=1)
    cost = cost / max(1.0, np.abs(cost).max())  # same optimum, better conditioned
    bounds = RTS_LAMBDA_SUM[key]
    if backend == "linprog":
        lam = np.zeros((n, n))
        for k in range(n):
            status, _, lam_k = _linprog_unit(Xn, Yn, k, bounds, orientation, fixed_t=t[k],
                                             cost=cost)
            if status != "Optimal":  # pragma: no cover
                raise ModelError(f"DEA slack LP for unit {k} failed: {status}")
            lam[k] = lam_k
    else:
        model = _EnvelopmentModel(Xn, Yn, bounds, orientation, _initial_reference(Xn, Yn),
                                  cost=cost)
        model.h.changeColCost(0, 0.0)
        _, lam = _solve_all(model, list(range(n)), fixed_t=t)
    tx, ty = lam @ X, lam @ Y
    if orientation == "input":
        s_in = t[:, None] * X - tx
        s_out = ty - Y
    else:
        s_in = X - tx
        s_out = ty - t[:, None] * Y
    scale_in, scale_out = X.max(axis=0), Y.max(axis=0)
    s_in = np.where(np.abs(s_in) <= 1e-9 * scale_in, 0.0, s_in)
    s_out = np.where(np.abs(s_out) <= 1e-9 * np.maximum(scale_out, 1e-300), 0.0, s_out)
    return DEAResult(efficiency=t, lambdas=lam, slacks_in=s_in, slacks_out=s_out, rts=key,
                     orientation=orientation, target_inputs=tx, target_outputs=ty,
                     labels=labels)


def super_efficiency(inputs, outputs, *, rts: str = "crs", orientation: str = "input",
                     backend: str = "auto") -> np.ndarray:
    """Andersen–Petersen (1993) super-efficiency: each unit against all the others.

    Inefficient units keep their :func:`dea` score; an efficient unit gets
    θ >= 1 (input orientation: how much its inputs could grow before it
    leaves the frontier) or φ <= 1 (output orientation), which ranks the
    efficient units.

    Returns
    -------
    ndarray, shape (n,)
        Super-efficiency [fraction]. Under VRS (and NIRS/NDRS) the LP of an
        extreme unit can be infeasible; its score is then NaN and a
        :class:`UserWarning` names the units.
    """
    X, Y, key, _ = _validate(inputs, outputs, rts, orientation)
    backend = _pick_backend(backend)
    sx, sy = _scales(X, Y)
    Xn, Yn = X / sx, Y / sy
    n = len(X)
    bounds = RTS_LAMBDA_SUM[key]
    out = np.full(n, np.nan)
    if backend == "linprog":
        for k in range(n):
            status, out[k], _ = _linprog_unit(Xn, Yn, k, bounds, orientation, exclude=k)
    else:
        model = _EnvelopmentModel(Xn, Yn, bounds, orientation, np.arange(n))
        inf = model.inf
        for k in range(n):
            model.set_unit(k)
            model.h.changeColBounds(1 + k, 0.0, 0.0)  # column 1+k is unit k (ref = 0..n-1)
            _, out[k], _, _ = model.solve()
            model.h.changeColBounds(1 + k, 0.0, inf)
    bad = np.flatnonzero(~np.isfinite(out))
    if bad.size:
        warnings.warn(f"super-efficiency LP infeasible for units {bad.tolist()} under "
                      f"{key.upper()} (no radial projection onto the others' frontier); "
                      "their score is NaN", UserWarning, stacklevel=2)
    return out

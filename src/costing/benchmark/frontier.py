"""The efficiency frontier in the method: the project's DEA score among its peers.

Cost efficiency by DEA: each unit (the peers' latest year and the project's
latest audited year, both at price-year prices) uses one input, its total
cost [元], to produce the outputs of the project type (vehicle-km and
passengers for buses; area for sanitation). The input-oriented score θ ≤ 1
is the share of its cost that a frontier unit of the same outputs would
need, so the *frontier cost* is θ × actual cost. Regulators (Ofwat, Ofgem)
set allowances from such frontiers, phased in by a catch-up share.

Catch-up rule (``frontier`` basis of :mod:`costing.rules`): with θ the
project's score and s the share of the gap closed per year (parameter
``frontier_catch_up``, default 0.5) over k years (``frontier_catch_up_years``,
default 1, i.e. the budget year is the first year of the phase-in),

    standard = actual × (1 − (1 − (1 − s)^k) × (1 − θ)).

s = 1 sets the standard at the frontier at once; s = 0 keeps the actual cost.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .dea import dea

DEFAULT_CATCH_UP = 0.5


@dataclass
class FrontierResult:
    """DEA cost efficiency of the project among its peers.

    Attributes
    ----------
    scores : Series
        θ per unit [fraction], peers and ``"本项目"`` (the project).
    efficiency : float
        The project's θ [fraction].
    rts, inputs, outputs : as used.
    gap_closed : float
        Share of the gap to the frontier the budget year closes [fraction].
    """

    scores: pd.Series
    efficiency: float
    rts: str
    inputs: list[str]
    outputs: list[str]
    gap_closed: float

    @property
    def factor(self) -> float:
        """Multiplier applied to actual unit costs: 1 − gap_closed × (1 − θ)."""
        return 1.0 - self.gap_closed * (1.0 - self.efficiency)


PROJECT_LABEL = "本项目"


def project_frontier(peers: pd.DataFrame, own: pd.DataFrame, spec: dict, parameters: dict) -> FrontierResult:
    """Score the project (one row ``own``) among ``peers`` by input-oriented DEA.

    ``spec`` is the project type's ``[benchmark.frontier]``: ``inputs``
    (default ``["total_cost"]``), ``outputs`` and ``rts`` (default ``"vrs"``).
    """
    inputs = list(spec.get("inputs", ["total_cost"]))
    outputs = list(spec["outputs"])
    rts = spec.get("rts", "vrs")
    units = pd.concat([peers[inputs + outputs], own[inputs + outputs].set_axis([PROJECT_LABEL])])
    theta = dea(units[inputs].to_numpy(float), units[outputs].to_numpy(float), rts=rts, orientation="input")
    scores = pd.Series(theta, index=units.index, name="efficiency")
    s = float(parameters.get("frontier_catch_up", DEFAULT_CATCH_UP))
    k = float(parameters.get("frontier_catch_up_years", 1))
    if not 0.0 <= s <= 1.0:
        from ..errors import InputError
        raise InputError("frontier_catch_up must be a share of the gap per year", column="parameters.frontier_catch_up",
                         expected="a number between 0 and 1", found=s)
    return FrontierResult(scores=scores, efficiency=float(scores[PROJECT_LABEL]), rts=rts, inputs=inputs,
                          outputs=outputs, gap_closed=1.0 - (1.0 - s) ** k)

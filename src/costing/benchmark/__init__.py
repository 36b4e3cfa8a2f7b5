"""Benchmarking engine: peer statistics, cost functions, efficiency frontiers.

Step 3 of the method (横向扩展，据实测算). Pure functions by topic:

- :mod:`~costing.benchmark.peers`: unit-cost metrics, percentiles, ranks, outlier flags;
- :mod:`~costing.benchmark.costfn`: Cobb-Douglas and translog cost functions
  (OLS with robust errors, quantile regression);
- :mod:`~costing.benchmark.dea`: data envelopment analysis;
- :mod:`~costing.benchmark.sfa`: stochastic frontier analysis.
"""
from .._lazy import attach

_MODULES = {
    "costfn": ("CostFunctionResult", "fit_cost_function"),
    "peers": ("outlier_flags", "peer_metrics", "percentile_rank", "summarize_peers"),
    "dea": ("RTS_LAMBDA_SUM", "RTS_ALIASES", "ORIENTATIONS", "DEAResult", "LowDiscriminationWarning", "dea",
            "dea_full", "super_efficiency"),
    "sfa": ("SFAResult", "WrongSkewWarning", "sfa", "GAMMA_GRID"),
}
__getattr__, __dir__ = attach(__name__, _MODULES, submodules=("costfn", "peers", "dea", "sfa", "frontier",
                                                             "diagnostics", "ntd"))
__all__ = [name for names in _MODULES.values() for name in names]

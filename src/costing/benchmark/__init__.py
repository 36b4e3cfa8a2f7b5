"""Benchmarking engine: peer statistics, cost functions, efficiency frontiers.

Step 3 of the method (横向扩展，据实测算). Pure functions by topic:

- :mod:`~costing.benchmark.peers`: unit-cost metrics, percentiles, ranks, outlier flags;
- :mod:`~costing.benchmark.costfn`: Cobb-Douglas and translog cost functions
  (OLS with robust errors, quantile regression);
- :mod:`~costing.benchmark.dea`: data envelopment analysis;
- :mod:`~costing.benchmark.sfa`: stochastic frontier analysis.
"""
from .costfn import CostFunctionResult, fit_cost_function
from .peers import outlier_flags, peer_metrics, percentile_rank, summarize_peers

__all__ = ["CostFunctionResult", "fit_cost_function", "outlier_flags", "peer_metrics",
           "percentile_rank", "summarize_peers"]
try:  # the frontier modules land separately
    from .dea import *  # noqa: F401,F403
    from .dea import __all__ as _dea_all
    __all__ += list(_dea_all)
except ImportError:  # pragma: no cover
    pass
try:
    from .sfa import *  # noqa: F401,F403
    from .sfa import __all__ as _sfa_all
    __all__ += list(_sfa_all)
except ImportError:  # pragma: no cover
    pass

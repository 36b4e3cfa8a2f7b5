"""Array helpers shared by :mod:`.measures` and :mod:`.discounting`: input
validation once, at the boundary (cash flows [元], rates [fraction]), and the
float-or-array return convention. A leaf module, so the two import it without
importing each other.
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError


def as_flows(values, name: str = "values") -> np.ndarray:
    """Float array of shape (T,) or (N, T); InputError for empty, >2-D or non-finite input."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numbers", expected="a sequence of numbers [元]",
                         found=str(exc)) from None
    if arr.ndim == 0 or arr.ndim > 2:
        raise InputError(f"{name} must be a 1-D cash flow or a 2-D array with one cash flow per row",
                         expected="ndim 1 or 2", found=f"ndim {arr.ndim}")
    if arr.shape[-1] == 0 or arr.size == 0:
        raise InputError(f"{name} is empty", expected="at least one period", found="0 periods")
    bad = ~np.isfinite(arr)
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"{name}[{pos[0]}]" if arr.ndim == 1 else f"{name}[{pos[0]}, {pos[1]}]"
        raise InputError(f"{where} is not a finite number ({int(bad.sum())} such cells)",
                         expected="finite amounts [元]", found=float(arr[pos]))
    return arr


def as_rate(rate, name: str = "rate") -> np.ndarray:
    """Rates [fraction] as an array; InputError unless finite and above -1 (-100%)."""
    r = np.asarray(rate, dtype=float)
    if not np.all(np.isfinite(r)):
        raise InputError(f"{name} is not a finite number", expected="a fraction, e.g. 0.08",
                         found=rate)
    if np.any(r <= -1):
        raise InputError(f"{name} must be greater than -1 (-100%)", expected="rate > -1",
                         found=float(np.min(r)))
    return r


def same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """InputError unless two flows cover the same number of periods."""
    if a.shape[-1] != b.shape[-1]:
        raise InputError(f"{name_a} and {name_b} cover different numbers of periods",
                         expected=f"{a.shape[-1]} periods in both", found=f"{b.shape[-1]} in {name_b}")


def as_scalar(x):
    """A 0-d result as a float, an array as it is."""
    return float(x) if np.ndim(x) == 0 else x

"""Exact half-up rounding on integer numerators and denominators (scoring.md section 5).

Inputs carry at most two decimals, so every component is an exact rational num/den that the
engine keeps as integer arrays; rounding is then integer arithmetic, never a float guess.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

# Above this an int64 intermediate could overflow: switch that computation to Python ints.
INT64_SAFE = 2**62


def cents(values) -> np.ndarray:
    """Values with at most two decimals (floats) → exact integer hundredths."""
    return np.rint(np.asarray(values, dtype="float64") * 100).astype("int64")


def half_up(num: np.ndarray, den: np.ndarray, scale: int) -> np.ndarray:
    """round_half_up(num / den × scale) for num ≥ 0, den > 0, as integers (vectorised)."""
    num = np.asarray(num)
    den = np.asarray(den)
    if num.dtype == object or den.dtype == object:
        return ((2 * num * scale + den) // (2 * den)).astype("int64")
    bound = float(np.max(np.abs(num), initial=0)) * 2 * scale + float(np.max(den, initial=0))
    if bound >= INT64_SAFE:
        num_o = num.astype(object)
        den_o = den.astype(object)
        return ((2 * num_o * scale + den_o) // (2 * den_o)).astype("int64")
    return (2 * num * scale + den) // (2 * den)


def half_up_fraction(value: Fraction, scale: int = 100) -> int:
    """round_half_up(value × scale) of an exact fraction (value may be negative)."""
    return math.floor(value * scale + Fraction(1, 2))


def as_integers(values: dict[str, Fraction]) -> tuple[dict[str, int], int]:
    """Exact fractions → integers over their least common denominator: ({k: v × L}, L)."""
    common = 1
    for v in values.values():
        common = math.lcm(common, v.denominator)
    return {k: int(v * common) for k, v in values.items()}, common

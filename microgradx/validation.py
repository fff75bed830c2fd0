"""The one home of argument checks: every public function and constructor validates through these.

Each check returns the value in its plain Python type, or raises ``ValueError`` with one message
shape everywhere: ``"{where}: {name} must be …, got {value!r}"`` — the bad value and what was
expected, named from the caller's point of view (``"elu"``, ``"ELU"``, ``"init.normal"``,
``"SGD"`` …). Booleans are never accepted as numbers (``True`` is an int to Python, not a rate).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["array_like", "choice", "float_dtype", "integer", "is_real", "real"]


def is_real(value: Any) -> bool:
    """A real number that is not a bool (ints, floats, NumPy scalars); nan and ±inf included."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def real(
    value: Any,
    name: str,
    where: str,
    *,
    positive: bool = False,
    nonneg: bool = False,
    below: float | None = None,
) -> float:
    """``value`` as a float if it is a finite real number (and > 0, >= 0, < ``below`` if asked).

    Examples:
        >>> real(0.5, "alpha", "elu", positive=True)
        0.5
        >>> real(float("nan"), "alpha", "ELU")
        Traceback (most recent call last):
        ...
        ValueError: ELU: alpha must be a finite real number, got nan
    """
    if not is_real(value) or not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite real number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{where}: {name} must be > 0, got {value!r}")
    if nonneg and value < 0:
        raise ValueError(f"{where}: {name} must be >= 0, got {value!r}")
    if below is not None and value >= below:
        raise ValueError(f"{where}: {name} must be < {below:g}, got {value!r}")
    return float(value)


def float_dtype(dtype: Any, where: str) -> np.dtype:
    """``dtype`` as a NumPy dtype if it is float32 or float64 (the dtypes parameters may have).

    Examples:
        >>> float_dtype("float32", "Layer")
        dtype('float32')
    """
    try:
        dt = None if dtype is None else np.dtype(dtype)  # np.dtype(None) would be float64
    except TypeError:
        dt = None
    if dt is None or dt.kind != "f" or dt.itemsize not in (4, 8):
        raise ValueError(f"{where}: dtype must be float32 or float64, got {dtype!r}")
    return dt


def integer(value: Any, name: str, where: str, *, minimum: int | None = None) -> int:
    """``value`` as an int if it is an integer (not a bool) and at least ``minimum``.

    Examples:
        >>> integer(3, "n", "data.sine", minimum=1)
        3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{where}: {name} must be an int, got {value!r}")
    if minimum is not None and value < minimum:
        kind = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"{where}: {name} must be {kind}, got {value!r}")
    return int(value)


def choice(name: Any, table: Any, what: str, where: str = "", *, note: str = "", also: str = "") -> Any:
    """``table[name]`` for a name of ``table`` (a dict, or any collection of names: then ``name``).

    Else a ``ValueError`` of one shape: ``"{where}: unknown {what} {name!r}{note}; expected
    {also}one of a, b, c"`` — the bad value and every valid name (no ``where`` prefix when
    ``where`` is empty: the CLI prefixes its own). A name that is not even a string (a list,
    None) gets the same message, never a ``TypeError`` from hashing it.

    Examples:
        >>> choice("relu", {"relu": 1, "tanh": 2}, "activation", "MLP")
        1
        >>> choice("rleu", {"relu": 1, "tanh": 2}, "activation", "MLP")
        Traceback (most recent call last):
        ...
        ValueError: MLP: unknown activation 'rleu'; expected one of relu, tanh
    """
    if isinstance(name, str) and name in table:
        return table[name] if isinstance(table, dict) else name
    prefix = f"{where}: " if where else ""
    raise ValueError(f"{prefix}unknown {what} {name!r}{note}; expected {also}one of {', '.join(table)}")


def array_like(value: Any, like: np.ndarray, what: str, where: str) -> np.ndarray:
    """``value`` (an array, a Tensor, nested lists) as a new array of ``like``'s shape and dtype.

    The one check of loaded state (a model's parameters, an optimizer's buffers): numbers only,
    exactly ``like``'s shape, and no finite value that overflows ``like``'s dtype (1e300 into
    float32 would silently become inf). Messages: ``"{where}: {what} has shape (3, 2), expected
    (2, 3) (its parameter's shape)"``.

    Examples:
        >>> array_like([1, 2], np.zeros(2, dtype=np.float32), "'w'", "load").dtype
        dtype('float32')
    """
    from .tensor import Tensor

    arr = np.asarray(value.data if isinstance(value, Tensor) else value)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{where}: {what} must hold numbers, got dtype {arr.dtype}")
    if arr.shape != like.shape:
        raise ValueError(
            f"{where}: {what} has shape {arr.shape}, expected {like.shape} (its parameter's shape)"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        cast = arr.astype(like.dtype)  # a new array
    overflow = np.isfinite(arr) & ~np.isfinite(cast)
    if overflow.any():
        bad = arr[overflow].flat[0]
        raise ValueError(
            f"{where}: {what} holds {float(bad)!r}, which overflows the parameter's dtype {like.dtype} "
            f"(largest {float(np.finfo(like.dtype).max):.4g})"
        )
    return cast

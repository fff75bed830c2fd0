"""The one home of number formatting for what a student reads: traces, graphs, the player, the
chain-rule text, lab tables and CLI messages.

Two styles, each for its readers:

- **worksheet numbers** (`format_number`, `summarize`, `shaped`, `paren`): always 4 decimals, so a
  column of a trace lines up and a product can be checked by hand; scientific notation (still 4
  decimals) only where fixed notation would hide the number (below 1e-4 or from 1e6 up);
- **table numbers** (`fmt`, `sci`, `pct`, `spread_text`): the lab's measured quantities, 4 decimals or 2-digit
  scientific notation for tiny and huge values, exact zeros as "0", fractions as percentages.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "MATRIX_MAX",
    "fmt",
    "format_digits",
    "format_number",
    "matrix_lines",
    "paren",
    "pct",
    "product_texts",
    "sci",
    "shaped",
    "spread_text",
    "summarize",
]

#: Arrays with at most this many rows and columns print as matrices (`matrix_lines`).
MATRIX_MAX = 4


# ------------------------------------------------------------------------ worksheet numbers
def format_number(x: float) -> str:
    """A number with 4 decimals; scientific notation (still 4 decimals) when that would hide it.

    >>> format_number(0.58514), format_number(-2), format_number(3e-7), format_number(2.5e9)
    ('0.5851', '-2.0000', '3.0000e-07', '2.5000e+09')
    """
    return format_digits(x, 4)


def format_digits(x: float, decimals: int) -> str:
    """`format_number` with ``decimals`` decimals instead of 4 (same switch to scientific notation).

    >>> format_digits(0.158685, 6), format_digits(3e-7, 5)
    ('0.158685', '3.00000e-07')
    """
    x = float(x)
    if x == 0 or not np.isfinite(x) or 1e-4 <= abs(x) < 1e6:
        return f"{x:.{decimals}f}" if x != 0 else f"{0:.{decimals}f}"
    return f"{x:.{decimals}e}"


def product_texts(factors: list[float], result: float, max_decimals: int = 10) -> tuple[list[str], str, bool]:
    """The factors and the product of a worksheet line, printed so that they multiply out.

    The product is printed as `format_number` prints it (4 decimals). The factors get 4 decimals,
    or more — the fewest for which multiplying the *printed* factors and printing that product the
    same way gives the printed product. Returns ``(factor texts, product text, exact)``; ``exact``
    is False when even ``max_decimals`` decimals do not multiply out (the caller then says the
    product was computed before rounding).

    >>> product_texts([-0.39560, 0.15868], -0.39560 * 0.15868)
    (['-0.3956', '0.1587'], '-0.0628', True)
    >>> product_texts([1.24494, 0.23496], 1.24494 * 0.23496)   # 1.2449·0.2350 = 0.29255 ≠ 0.2925
    (['1.24494', '0.23496'], '0.2925', True)
    """
    shown = format_number(result)
    for d in range(4, max_decimals + 1):
        texts = [format_digits(f, d) for f in factors]
        product = 1.0
        for t in texts:
            product *= float(t)
        if format_number(product) == shown:
            return texts, shown, True
    return [format_number(f) for f in factors], shown, False


def matrix_lines(array: Any) -> list[str]:
    """A value as lines of text: a number; a vector or a matrix of at most `MATRIX_MAX` rows and
    columns row by row (columns aligned, so equal columns are seen to be equal); anything larger
    as `shaped`'s summary (shape, mean, min, max). ``None`` is "—".

    >>> matrix_lines(np.array([[0.5, -1.0], [0.25, 0.125]]))
    ['[0.5000  -1.0000]', '[0.2500   0.1250]']
    >>> matrix_lines(np.array([1.0, 2.0]))
    ['[1.0000  2.0000]']
    >>> matrix_lines(np.ones((5, 2)))
    ['5×2: mean 1.0000, min 1.0000, max 1.0000']
    """
    if array is None:
        return ["—"]
    a = np.asarray(array)
    if a.size == 1:
        return [format_number(float(a.reshape(())))]
    if a.size == 0 or a.ndim > 2 or any(n > MATRIX_MAX for n in a.shape):
        return [shaped(a)]
    rows = a.reshape(1, -1) if a.ndim == 1 else a
    cells = [[format_number(v) for v in row] for row in rows]
    widths = [max(len(r[c]) for r in cells) for c in range(len(cells[0]))]
    return ["[" + "  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) + "]" for r in cells]


def summarize(array: Any, max_values: int = 4) -> str:
    """A short text for an array: its values when there are at most ``max_values``, else
    mean, min and max. A size-1 array is one number.

    >>> summarize(np.array([[1.0, 2.0], [3.0, 4.0]]))
    '[1.0000, 2.0000, 3.0000, 4.0000]'
    >>> summarize(np.arange(6.0))
    'mean 2.5000, min 0.0000, max 5.0000'
    """
    a = np.asarray(array)
    if a.size == 1:
        return format_number(float(a.reshape(())))
    if a.size == 0:
        return "(empty)"
    if a.size <= max_values:
        return "[" + ", ".join(format_number(v) for v in a.ravel()) + "]"
    with np.errstate(all="ignore"):  # a diverged network (inf − inf) must still draw
        return f"mean {format_number(a.mean())}, min {format_number(a.min())}, max {format_number(a.max())}"


def shaped(array: Any) -> str:
    """A value or gradient as text: the number, or the shape then `summarize` for arrays; "—" for None.

    >>> shaped(np.array(0.5)), shaped(np.zeros((2, 3))), shaped(None)
    ('0.5000', '2×3: mean 0.0000, min 0.0000, max 0.0000', '—')
    """
    if array is None:
        return "—"
    a = np.asarray(array)
    return summarize(a) if a.size == 1 else f"{'×'.join(map(str, a.shape))}: {summarize(a)}"


def paren(value: float) -> str:
    """A number with 4 decimals, in parentheses when negative (for products and differences).

    >>> paren(0.25), paren(-1.5)
    ('0.2500', '(-1.5000)')
    """
    return f"({value:.4f})" if value < 0 else f"{value:.4f}"


# ---------------------------------------------------------------------------- table numbers
def fmt(x: float | None, digits: int = 4) -> str:
    """A number as students read it in a table: 4 decimals, or scientific notation when tiny or huge.

    >>> fmt(0.123456), fmt(0), fmt(3e-7), fmt(7), fmt(None)
    ('0.1235', '0', '3.00e-07', '7', '-')
    """
    if x is None:
        return "-"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"  # exactly zero (not a rounded small number)
    if abs(x) < 10 ** -(digits - 1) or abs(x) >= 1e5:
        return f"{x:.2e}"
    return f"{round(x, digits) + 0.0:.{digits}f}"


def sci(x: float | None) -> str:
    """Scientific notation with 2 decimals ("-" for None).

    >>> sci(0.000123)
    '1.23e-04'
    """
    return "-" if x is None else f"{float(x):.2e}"


def pct(x: float | None) -> str:
    """A fraction as a percentage: whole numbers exactly ("100%", "0%"), else one decimal.

    >>> pct(1.0), pct(0.4567), pct(None)
    ('100%', '45.7%', '-')
    """
    if x is None:
        return "-"
    p = 100 * float(x)
    return f"{p:.0f}%" if p == round(p) else f"{p:.1f}%"


def spread_text(median: float, low: float, high: float, style: Any = None) -> str:
    """A measurement over several seeds as "median [min–max]", each number in ``style`` (`fmt`).

    >>> spread_text(0.78, 0.56, 1.29), spread_text(0.5, 0.25, 1.0, pct)
    ('0.7800 [0.5600–1.2900]', '50% [25%–100%]')
    """
    f = fmt if style is None else style
    return f"{f(median)} [{f(low)}–{f(high)}]"

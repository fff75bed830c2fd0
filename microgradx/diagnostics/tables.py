"""Plain-text tables, as the lab, the diagnostics and the command line print them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["format_table"]


def _num(x: float, fmt: str) -> str:
    """Format without a confusing "-0.0000" (round first, then add 0.0 to drop the sign of zero)."""
    return format(round(x, 4) + 0.0, fmt)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _sci(x: float | None) -> str:
    return "-" if x is None else f"{x:.3e}"


# a number, a percentage, a fraction "3/8", or several of them joined by " / "
_NUMERIC = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?%?(/\d+)?( / [+-]?(\d+\.?\d*)(e[+-]?\d+)?%?)*$")


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: columns padded, numbers right-aligned, a rule under the header.

    Examples:
        >>> print(format_table(["layer", "std"], [["layers.0", "0.5000"]]))
        layer     std
        --------  ------
        layers.0  0.5000
    """
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def is_num(s: str) -> bool:
        return bool(_NUMERIC.match(s))

    lines = []
    for k, r in enumerate(cells):
        parts = [c.rjust(w) if k and is_num(c) else c.ljust(w) for c, w in zip(r, widths, strict=True)]
        lines.append("  ".join(parts).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)

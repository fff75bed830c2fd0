"""Equal gradients in symmetric networks: which hidden units cannot become different.

The notes' zero- and constant-initialised 2-2-1 networks start with two hidden units that
compute the same thing, so backprop gives them the same gradients and the update keeps them equal:
the units never differ. `same_as` finds this from the gradients themselves (not from the
initialisation): given the units' tensors aligned by role (``[[w11, w21, b11, z11, a11],
[w12, w22, b12, z12, a12]]``), it marks every tensor whose ``.grad`` equals, to `EQUAL_ATOL`, the
``.grad`` of the same role in an earlier unit. `microgradx.draw_graph` and
`microgradx.trace_backward` take the units (``units=``) and print "same as w11".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["EQUAL_ATOL", "same_as"]

#: Two gradients are "the same" when every element differs by at most this much.
EQUAL_ATOL = 1e-12


def same_as(units: Sequence[Sequence[Any]], atol: float = EQUAL_ATOL) -> dict[Any, Any]:
    """``{tensor: the tensor of an earlier unit whose gradient it equals}``.

    Args:
        units: one sequence of tensors per unit, the same role at the same position.
        atol: largest absolute difference, elementwise, still called equal.

    Returns:
        For each tensor of units 2, 3, … whose ``.grad`` is set and equals (same shape, every
        element within ``atol``) the ``.grad`` of the same position in an earlier unit: that
        earlier tensor (the first such). Tensors without a gradient are never marked.

    Raises:
        ValueError: the units do not all have the same length.
    """
    if len({len(u) for u in units}) > 1:
        raise ValueError(
            f"same_as: every unit must list the same roles, got lengths {[len(u) for u in units]}"
        )
    marks: dict[Any, Any] = {}
    for j in range(1, len(units)):
        for r, t in enumerate(units[j]):
            if t.grad is None:
                continue
            for earlier in units[:j]:
                e = earlier[r]
                if (
                    e.grad is not None
                    and np.shape(e.grad) == np.shape(t.grad)
                    and bool(np.all(np.abs(np.asarray(e.grad) - np.asarray(t.grad)) <= atol))
                ):
                    marks[t] = marks.get(e, e)
                    break
    return marks

"""The backward pass, recorded: `trace_backward` runs it and returns one `Step` per op, in order.

This is the "trace backprop by hand" worksheet: for every op, from the loss back to the inputs,
the gradient that arrives (upstream, ∂L/∂node), the op's local derivative rule, and the gradient
it passes to each input (upstream × local derivative, summed back over broadcast axes)::

    >>> import microgradx as mgx
    >>> w = mgx.Tensor(0.5, requires_grad=True, name="w")
    >>> x = mgx.Tensor(2.0, name="x")
    >>> L = (w * x).sigmoid(); L.name = "L"
    >>> steps = trace_backward(L)
    >>> [s.op for s in steps]
    ['sigmoid', 'mul']
    >>> print(steps)                       # doctest: +NORMALIZE_WHITESPACE
     #  op       node  upstream ∂L/∂node  local derivative       passes to parent
     1  sigmoid  L     1.0000             ∂L/∂(w·x) = σ(w·x)(1−σ(w·x))  w·x ← 0.1966
     2  mul      w·x   0.1966             ∂(w·x)/∂w = x          w ← 0.3932

The pass itself is the engine's own (`Tensor.backward`'s loop, through its ``record`` hook), so
``.grad`` ends up exactly as after ``L.backward()``. Unnamed tensors are called as in
`microgradx.viz.explain` (``w·x``, ``σ(z)``, or ``add1``…); arrays are summarised (shape, mean, min,
max, or the values when there are at most four).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import run_backward, topological_order
from ..formatting import shaped as _show
from .names import names_for, strip_double_parens, wrap

__all__ = ["Step", "Trace", "trace_backward"]


@dataclass
class Step:
    """One op of the backward pass.

    Attributes:
        op: the op's name (``"matmul"``).
        node: the tensor the op made.
        upstream: ∂L/∂node, the gradient arriving at it (an ndarray of node's shape).
        rule: the op's local derivatives as text, one ``∂node/∂input = formula`` per input that
            received a gradient, joined by ``"; "``.
        to_parents: ``[(parent, gradient passed to it), …]`` in operand order (``None`` for an
            input that needs no gradient).
        name: node's display name; ``parent_names``: the parents' display names.
    """

    op: str
    node: Any = field(repr=False)
    upstream: np.ndarray = field(repr=False)
    rule: str
    to_parents: list = field(repr=False)
    name: str = ""
    parent_names: list = field(default_factory=list, repr=False)
    rules: list = field(default_factory=list, repr=False)

    def __str__(self) -> str:
        passed = ", ".join(
            f"{n} ← {_show(g)}"
            for n, (_, g) in zip(self.parent_names, self.to_parents, strict=True)
            if g is not None
        )
        return (
            f"{self.op}: {self.name} (upstream ∂L/∂{wrap(self.name)} = "
            f"{_show(self.upstream)}); {self.rule}; passes {passed}"
        )


class Trace(list):
    """A list of `Step` that prints as a table (the backward pass, one row per op)."""

    HEADER = ("#", "op", "node", "upstream ∂L/∂node", "local derivative", "passes to parent")

    def table(self) -> str:
        rows: list[tuple[str, ...]] = []
        for k, step in enumerate(self, 1):
            lines = [
                (rule, f"{pname} ← {_show(g)}")
                for rule, pname, (_, g) in zip(step.rules, step.parent_names, step.to_parents, strict=True)
                if g is not None
            ]
            lines = lines or [("(no input needs a gradient)", "")]
            first = (str(k), step.op, step.name, _show(step.upstream))
            for j, (rule, passed) in enumerate(lines):
                rows.append((first if j == 0 else ("", "", "", "")) + (rule, passed))
        widths = [max(len(r[c]) for r in [self.HEADER, *rows]) for c in range(len(self.HEADER))]
        out = []
        for r in [self.HEADER, *rows]:
            cells = [r[0].rjust(widths[0])] + [r[c].ljust(widths[c]) for c in range(1, len(r))]
            out.append(" " + "  ".join(cells).rstrip())
        return "\n".join(out)

    def __str__(self) -> str:
        return self.table() if self else "(empty trace: no op needed a gradient)"

    __repr__ = __str__


def trace_backward(root: Any, gradient: Any = None, *, model: Any = None) -> Trace:
    """Run ``root.backward(gradient)`` and record every op it goes through.

    Args:
        root: the tensor to differentiate (a scalar loss, or any tensor with ``gradient``).
        gradient: ∂L/∂root, as for `Tensor.backward` (omit for a one-element root).
        model: an `nn.Module` whose unnamed parameters are then shown by their qualified names
            (``layers.0.weight``).

    Returns:
        A `Trace` (a list of `Step`, in execution order: the op nearest the root first).
        ``.grad`` of every tensor in the graph changes exactly as ``root.backward(gradient)``
        would change it (gradients accumulate).

    Raises:
        TypeError: root is not a Tensor.
        RuntimeError: as `Tensor.backward`: root does not require grad, or a non-scalar root was
            given no gradient.
        ValueError: as `Tensor.backward`: the gradient's shape is not the root's.
    """
    if not (hasattr(root, "_ctx") and hasattr(root, "data")):
        raise TypeError(f"trace_backward: root must be a Tensor, got {type(root).__name__}")
    names = names_for(topological_order(root), model)
    steps = Trace()

    def record(node: Any, upstream: np.ndarray, passed: list) -> None:
        ctx = node._ctx
        fn = type(ctx)
        out = wrap(names[id(node)])
        operand_names = [wrap(names[id(p)]) for p in ctx.parents]
        rules = [
            f"∂{out}/∂{operand_names[i]} = " + strip_double_parens(fn.rule(ctx, i, operand_names, out))
            for i in range(len(ctx.parents))
        ]
        to_parents = [(p, None if g is None else np.array(g, copy=True)) for p, g in passed]
        shown = [r for r, (_, g) in zip(rules, to_parents, strict=True) if g is not None]
        steps.append(
            Step(
                op=fn.name,
                node=node,
                upstream=np.array(upstream, copy=True),
                rule="; ".join(shown),
                to_parents=to_parents,
                name=names[id(node)],
                parent_names=[names[id(p)] for p in ctx.parents],
                rules=rules,
            )
        )

    run_backward(root, gradient, record=record)
    return steps

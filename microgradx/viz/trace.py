"""The backward pass, recorded: `trace_backward` runs it and returns one `Step` per op, in order.

This is the "trace backprop by hand" worksheet: for every op, from the loss back to the inputs,
the gradient that arrives (upstream, ∂L/∂node), the op's local derivative — its rule and its value
(`Step.local`) — and the product that flows on to each input, written as the notes write it::

    >>> import microgradx as mgx
    >>> w = mgx.Tensor(0.5, requires_grad=True, name="w")
    >>> x = mgx.Tensor(2.0, name="x")
    >>> L = (w * x).sigmoid(); L.name = "L"
    >>> steps = trace_backward(L)
    >>> [s.op for s in steps], round(steps[0].local[0], 4)
    (['sigmoid', 'mul'], 0.1966)
    >>> print(steps)                       # doctest: +NORMALIZE_WHITESPACE
     #  op       node  upstream ∂L/∂node  local derivative                       passes to parent
     1  sigmoid  L     1.0000             ∂L/∂(w·x) = σ(w·x)(1−σ(w·x)) = 0.1966  ∂L/∂(w·x) = ∂L/∂L · ∂L/∂(w·x) = (1.0000)·(0.1966) = 0.1966
     2  mul      w·x   0.1966             ∂(w·x)/∂w = x = 2.0000                 ∂L/∂w = ∂L/∂(w·x) · ∂(w·x)/∂w = (0.1966)·(2.0000) = 0.3932

**The numbers multiply out.** Every product line prints its factors with 4 decimals, or with
more where 4 would not give the printed product in its last digit (`microgradx.formatting.product_texts`);
if no number of decimals up to 10 does, the line ends "(product computed before rounding)".

**Arrays.** Vectors and matrices up to 4×4 print row by row (`microgradx.formatting.matrix_lines`),
larger ones as shape, mean, min and max. For an elementwise op the local derivative is an array
and the line reads ``∂L/∂z1 = ∂L/∂a1 ⊙ ∂a1/∂z1`` (summed over broadcast axes where the input
was broadcast); for other ops (matmul, reshape, indexing, softmax…) it names the rule applied to
the upstream gradient (``∂L/∂(X@W1) @ W1ᵀ``).

The pass itself is the engine's own (`Tensor.backward`'s loop, through its ``record`` hook), so
``.grad`` ends up exactly as after ``L.backward()``. Tensors are called by
`microgradx.viz.names.tensor_names`, the names the picture and `explain` use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import run_backward, topological_order
from ..formatting import format_number, matrix_lines, product_texts
from ..formatting import shaped as _show
from .names import names_for, strip_double_parens, wrap

__all__ = ["ROUNDING_NOTE", "Step", "Trace", "local_derivatives", "trace_backward"]

#: Ops that are never shown as elementwise, even where the probe would pass: a matrix product
#: with an inner dimension of 1 is an outer product, elementwise by accident — the trace writes
#: every matmul the same way (``∂L/∂out @ W1ᵀ``), so a student learns one rule.
NOT_ELEMENTWISE = frozenset({"matmul"})

#: Appended to a product line whose printed factors cannot be made to multiply out.
ROUNDING_NOTE = "(product computed before rounding)"


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
        local: the local derivative ∂node/∂parent, one entry per parent (see
            `local_derivatives`): a float when node and parent have one element; an ndarray for
            an elementwise op (the factor each element of the upstream gradient is multiplied by,
            so the gradient passed is upstream × local, summed over broadcast axes); for an op
            that is not elementwise (matmul, reshape, getitem, softmax, …) a text saying how the
            upstream is carried (``"∂L/∂(X@W1) @ W1ᵀ"``) — the Jacobian is never formed; ``None``
            for a parent that receives no gradient.
        name: node's display name; ``parent_names``: the parents' display names;
            ``root_name``: the root's (the L of ∂L/∂node).
        note: a remark added after the pass (``"∂L/∂z12 same as ∂L/∂z11"``), or "".
    """

    op: str
    node: Any = field(repr=False)
    upstream: np.ndarray = field(repr=False)
    rule: str
    to_parents: list = field(repr=False)
    name: str = ""
    parent_names: list = field(default_factory=list, repr=False)
    rules: list = field(default_factory=list, repr=False)
    local: list = field(default_factory=list, repr=False)
    root_name: str = "L"
    note: str = ""

    # ---------------------------------------------------------------- the worksheet texts
    def local_lines(self, i: int) -> list[str]:
        """The rule of operand ``i`` and its value: ``["∂a/∂z = σ(z)(1−σ(z)) = 0.2350"]``; an
        array's value on the following lines."""
        rule, local = self.rules[i], self.local[i] if i < len(self.local) else None
        if _constant(rule, local):  # "∂z/∂b = 1": the rule is its value
            return [rule]
        if isinstance(local, float):
            return [f"{rule} = {format_number(local)}"]
        if isinstance(local, np.ndarray):
            return [f"{rule} =", *matrix_lines(local)]
        return [rule + ("" if local is None else "   (not elementwise)")]

    def product_lines(self, i: int) -> list[str]:
        """The chain-rule line of operand ``i``: ``∂L/∂z = ∂L/∂a · ∂a/∂z = (1.2449)·(0.2350) = 0.2926``."""
        g = self.to_parents[i][1]
        if g is None:
            return []
        out, par = wrap(self.name), wrap(self.parent_names[i])
        root = wrap(self.root_name)
        lhs, up, loc = f"∂{root}/∂{par}", f"∂{root}/∂{out}", f"∂{out}/∂{par}"
        local = self.local[i]
        upstream = np.asarray(self.upstream)
        if isinstance(local, float) and upstream.size == 1 and np.asarray(g).size == 1:
            u = float(upstream.reshape(()))
            (tu, tl), result, exact = product_texts([u, local], float(np.asarray(g).reshape(())))
            note = "" if exact else f"   {ROUNDING_NOTE}"
            return [f"{lhs} = {up} · {loc} = ({tu})·({tl}) = {result}{note}"]
        if isinstance(local, (float, np.ndarray)):
            times = "·" if upstream.size == 1 or np.asarray(local).size == 1 else "⊙"
            summed = np.asarray(g).shape != np.broadcast_shapes(upstream.shape, np.shape(local))
            head = f"{lhs} = {'Σ ' if summed else ''}{up} {times} {loc}"
            head += " (summed over the broadcast axes) =" if summed else " ="
        else:
            head = f"{lhs} = {local} ="
        return [head, *matrix_lines(g)]

    def __str__(self) -> str:
        passed = "; ".join(
            " ".join(line.strip() for line in self.product_lines(i))
            if np.asarray(g).size <= 1
            else f"∂{wrap(self.root_name)}/∂{wrap(self.parent_names[i])} = {_show(g)}"
            for i, (_, g) in enumerate(self.to_parents)
            if g is not None
        )
        locals_ = "; ".join(
            self.local_lines(i)[0] if isinstance(self.local[i], float) else self.rules[i]
            for i, (_, g) in enumerate(self.to_parents)
            if g is not None
        )
        text = (
            f"{self.op}: {self.name} (upstream ∂{wrap(self.root_name)}/∂{wrap(self.name)} = "
            f"{_show(self.upstream)}); {locals_ or self.rule}; {passed or 'no input needs a gradient'}"
        )
        return f"{text}; {self.note}" if self.note else text


class Trace(list):
    """A list of `Step` that prints as a table (the backward pass, one row per op).

    ``notes``: lines printed under the table (equal gradients, say: see `trace_backward`'s
    ``units``).
    """

    HEADER = ("#", "op", "node", "upstream ∂L/∂node", "local derivative", "passes to parent")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.notes: list[str] = []

    def table(self) -> str:
        rows: list[tuple[str, ...]] = []
        for k, step in enumerate(self, 1):
            cells = [
                (step.local_lines(i), step.product_lines(i))
                for i, (_, g) in enumerate(step.to_parents)
                if g is not None
            ]
            cells = cells or [(["(no input needs a gradient)"], [])]
            first = [[str(k)], [step.op], [step.name], matrix_lines(step.upstream)]
            if step.note:
                first[2] = [step.name, f"({step.note})"]
            for j, (local, passed) in enumerate(cells):
                head = first if j == 0 else [[""], [""], [""], [""]]
                columns = [*head, local, passed]
                height = max(len(c) for c in columns)
                for h in range(height):
                    rows.append(tuple(c[h] if h < len(c) else "" for c in columns))
        widths = [max(len(r[c]) for r in [self.HEADER, *rows]) for c in range(len(self.HEADER))]
        out = []
        for row in [self.HEADER, *rows]:
            cells_ = [row[0].rjust(widths[0])] + [row[c].ljust(widths[c]) for c in range(1, len(row))]
            out.append(" " + "  ".join(cells_).rstrip())
        return "\n".join(out + self.notes)

    def __str__(self) -> str:
        return self.table() if self else "(empty trace: no op needed a gradient)"

    __repr__ = __str__


def local_derivatives(node: Any, names: list[str] | None = None, root: str = "L") -> list:
    """∂node/∂operand for every operand of ``node``'s op, as `Step.local` holds them.

    Found with the op's own ``backward``: applied to an upstream of ones it gives, for an
    elementwise op, the factor each upstream element is multiplied by. Whether the op *is*
    elementwise for an operand is checked, not assumed: ``backward(u)`` must equal
    ``u × backward(1)`` for a fixed random ``u`` (always true when node has one element: the
    chain rule is linear in the upstream). Otherwise the entry is the text of how the upstream is
    carried (the op's rule applied to ∂L/∂node). ``None`` where the op returns no gradient.

    ``names``: the operands' display names then node's, and ``root``: the root's, for that text.
    """
    ctx = node._ctx
    fn = type(ctx)
    ones = np.ones_like(node.data)
    grads = _as_tuple(fn.backward(ctx, ones))
    probe = None
    if node.data.size > 1:
        u = np.random.default_rng(12345).uniform(0.5, 1.5, size=node.data.shape).astype(node.data.dtype)
        probe = _as_tuple(fn.backward(ctx, u))
    out: list = []
    for i, g in enumerate(grads):
        if g is None:
            out.append(None)
            continue
        g = np.asarray(g, dtype=float)
        if probe is not None:
            elementwise = False
            pg = probe[i]
            try:
                shape = node.data.shape  # an elementwise op's operands broadcast to its output
                elementwise = (
                    fn.name not in NOT_ELEMENTWISE
                    and np.broadcast_shapes(shape, g.shape) == shape
                    and pg is not None
                    and np.allclose(
                        np.broadcast_to(np.asarray(pg, dtype=float), shape), u * g, rtol=1e-9, atol=1e-12
                    )
                )
            except ValueError:
                pass
            if not elementwise:
                out.append(_carried(node, i, names, root))
                continue
        out.append(float(g.reshape(-1)[0]) if g.size == 1 and node.data.size == 1 else g.copy())
    return out


def _constant(rule: str, local: Any) -> bool:
    """Whether ``rule``'s formula is a plain number that every element of ``local`` equals."""
    try:
        value = float(rule.rpartition(" = ")[2].replace("−", "-"))
    except ValueError:
        return False
    return isinstance(local, (float, np.ndarray)) and bool(np.all(np.asarray(local) == value))


def _as_tuple(grads: Any) -> tuple:
    if type(grads) is not tuple:
        grads = tuple(grads) if isinstance(grads, list) else (grads,)
    return grads


def _carried(node: Any, i: int, names: list[str] | None, root: str) -> str:
    """How a non-elementwise op carries ∂root/∂node to operand ``i``, as text."""
    ctx = node._ctx
    fn = type(ctx)
    n = len(ctx.parents)
    operands = [wrap(x) for x in names[:n]] if names else [f"x{j + 1}" for j in range(n)]
    out = wrap(names[n]) if names and len(names) > n else "out"
    up = f"∂{wrap(root)}/∂{out}"
    rule = strip_double_parens(fn.rule(ctx, i, operands, out))
    if fn.name == "matmul":
        return f"{up} @ {rule}" if i == 0 else f"{rule} @ {up}"
    return f"{fn.name}'s backward applied to {up}"


def trace_backward(root: Any, gradient: Any = None, *, model: Any = None, units: Any = None) -> Trace:
    """Run ``root.backward(gradient)`` and record every op it goes through.

    Args:
        root: the tensor to differentiate (a scalar loss, or any tensor with ``gradient``).
        gradient: ∂L/∂root, as for `Tensor.backward` (omit for a one-element root).
        model: an `nn.Module`: names its layers' tensors as the notes do (see
            `microgradx.viz.names`).
        units: hidden units to compare, e.g. ``[[w11, w21, b11, z11, a11], [w12, w22, b12,
            z12, a12]]`` (tensors aligned by role): after the pass, a tensor whose gradient equals
            (to `microgradx.viz.symmetry.EQUAL_ATOL`) that of the same role in an earlier unit is
            marked "same as w11" in its step and in lines under the table.

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
    root_name = names[id(root)]

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
        local = local_derivatives(node, [names[id(p)] for p in ctx.parents] + [names[id(node)]], root_name)
        local = [None if g is None else v for v, (_, g) in zip(local, to_parents, strict=True)]
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
                local=local,
                root_name=root_name,
            )
        )

    run_backward(root, gradient, record=record)
    if units:
        from .symmetry import same_as

        marks = same_as(units)
        by_node = {id(s.node): s for s in steps}
        for t, first in marks.items():
            a, b = wrap(names[id(t)]), wrap(names[id(first)])
            step = by_node.get(id(t))
            if step is not None:
                step.note = f"∂{wrap(root_name)}/∂{a} same as ∂{wrap(root_name)}/∂{b}"
            steps.notes.append(
                f" {names[id(t)]} same as {names[id(first)]}: ∂{wrap(root_name)}/∂{a} = "
                f"∂{wrap(root_name)}/∂{b} = {_show(t.grad)}"
            )
    return steps

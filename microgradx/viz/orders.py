"""Why the order of the backward pass matters: `compare_orders` replays it in a naive order.

The backward pass may call a node's backward only once *every* contribution to ∂L/∂node has
arrived, i.e. after every node that uses it: a topological order, which the engine computes. The
orders learners first propose get this wrong on any graph where a tensor is used twice:

- ``"pre-order"``: depth-first from the root, calling a node's backward the first time it is
  reached, with a visited set. For ``a = 1; b = a + a; d = 3·b; e = b + d`` it reaches ``b``
  through ``e`` before ``d`` has added its 3, so ``b`` passes on ∂e/∂b = 1 instead of 4 and
  ∂e/∂a comes out 2 instead of 8.
- ``"no-visited"``: the same recursion without a visited set: a node reached twice passes its
  gradient on twice. For ``b = a + a; c = b + b`` it gives ∂c/∂a = 8 instead of 4.

    >>> import microgradx as mgx
    >>> a = mgx.Tensor(1.0, requires_grad=True, name="a")
    >>> b = a + a
    >>> e = b + 3 * b           # d = 3·b, unnamed
    >>> report = compare_orders(e)
    >>> report.mismatches
    [('a', 8.0, 2.0)]
    >>> a.grad is None          # nothing was touched
    True

On a tree (no tensor used twice) every order that visits parents after children agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import _unbroadcast, isolated_backward, topological_order
from .names import names_for, wrap
from .stepper import Stepper, _show
from .trace import trace_backward

__all__ = ["MAX_NAIVE_STEPS", "ORDERS", "NaiveStep", "OrderReport", "compare_orders"]

#: The naive orders `compare_orders` knows, with a one-line description each.
ORDERS = {
    "pre-order": "depth-first from the root, each node's backward called the first time it is reached "
    "(a visited set)",
    "no-visited": "depth-first from the root without a visited set: a node reached twice passes its "
    "gradient on twice",
}
#: ``"no-visited"`` can take exponentially many steps (a chain of ``x = x + x``): refuse beyond this.
MAX_NAIVE_STEPS = 10_000


@dataclass
class NaiveStep:
    """One backward call of the naive replay (the same attributes as `Step`, plus what went wrong).

    Attributes:
        node, op, name: the tensor whose backward ran, its op and display name.
        upstream: the gradient it passed on (what had arrived so far).
        to_parents: ``[(parent, gradient passed), …]`` in operand order.
        rules: the local-derivative formulas, one per operand (from the op class, as `Step`).
        early: gradient that reached the node *after* this call, so it was never passed on
            (None when nothing came late).
        repeat: True when the node's backward had already run before (no visited set).
        note: what the player's caption adds ("" when the step is right).
    """

    node: Any = field(repr=False)
    op: str
    name: str
    upstream: np.ndarray = field(repr=False)
    to_parents: list = field(repr=False)
    rules: list = field(repr=False)
    early: np.ndarray | None = field(default=None, repr=False)
    repeat: bool = False
    note: str = ""

    @property
    def bad(self) -> bool:
        return self.repeat or self.early is not None


class OrderReport:
    """The real backward pass beside a naive one; nothing in the graph is changed.

    Attributes:
        order: ``"pre-order"`` or ``"no-visited"``.
        correct: ``{name: gradient}`` from the engine's (topological) order.
        naive: ``{name: gradient}`` the naive order leaves.
        mismatches: ``[(name, correct, naive), …]`` for the tensors whose gradients differ
            (floats for one-element tensors, else arrays), in the graph's order.
        steps: the naive replay, one `NaiveStep` per backward call.
        first_bad_step: index into ``steps`` of the first call that passed on a gradient before
            all of it had arrived (or a second time); None when there is none.
        trace: the engine's steps (`trace_backward`'s `Trace`).
    """

    def __init__(self, root: Any, order: str, trace: list, steps: list[NaiveStep], model: Any) -> None:
        self.root, self.order, self.trace, self.steps, self.model = root, order, trace, steps, model
        tensors = topological_order(root)
        names = names_for(tensors, model)
        self.names = names
        correct = _sums(trace)
        naive = _sums(steps)
        self.correct = {names[id(t)]: correct[id(t)] for t in tensors if id(t) in correct}
        self.naive = {names[id(t)]: naive[id(t)] for t in tensors if id(t) in naive}
        self.mismatches: list[tuple[str, Any, Any]] = []
        for t in tensors:
            c, n = correct.get(id(t)), naive.get(id(t))
            if c is None and n is None:
                continue
            if c is None or n is None or not np.allclose(c, n, rtol=1e-9, atol=1e-12):
                self.mismatches.append((names[id(t)], _plain(c), _plain(n)))
        self.first_bad_step = next((i for i, s in enumerate(steps) if s.bad), None)

    def stepper(self) -> Stepper:
        """The naive replay as a `Stepper` (start from no gradients), to watch beside the real one."""
        tensors = topological_order(self.root)
        return Stepper(
            self.root,
            self.steps,
            model=self.model,
            start_grads=dict.fromkeys((id(t) for t in tensors), None),
            title=f"backprop of {self.names[id(self.root)]} in the naive {self.order} order",
        )

    def __str__(self) -> str:
        root = wrap(self.names[id(self.root)])
        lines = [f"{self.order}: {ORDERS[self.order]}; against the engine's topological order."]
        if self.first_bad_step is None:
            lines.append(
                "Every node passed its gradient on once, after all of it had arrived: the orders agree."
            )
        else:
            s = self.steps[self.first_bad_step]
            k = self.first_bad_step + 1
            if s.repeat:
                lines.append(
                    f"Step {k}: {s.name} ran its backward a second time, passing ∂{root}/∂{wrap(s.name)} = "
                    f"{_show(s.upstream)} on again, so everything below it is counted twice."
                )
            else:
                lines.append(
                    f"Step {k}: {s.name} passed its gradient on before all its contributions had "
                    f"arrived: it used ∂{root}/∂{wrap(s.name)} = {_show(s.upstream)}, then {_show(s.early)} "
                    f"more arrived (complete: {_show(s.upstream + s.early)})."
                )
        if self.mismatches:
            lines.append("Gradients that differ (correct vs naive):")
            width = max(len(n) for n, _, _ in self.mismatches)
            for name, c, n in self.mismatches:
                shown_c = "—" if c is None else _show(c)
                shown_n = "—" if n is None else _show(n)
                lines.append(f"  ∂{root}/∂{wrap(name)}".ljust(width + 6) + f"  {shown_c}  vs  {shown_n}")
        else:
            lines.append("No gradient differs.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<OrderReport {self.order}: {len(self.mismatches)} mismatch(es), first bad step {self.first_bad_step}>"


def compare_orders(
    root: Any, order: str = "pre-order", *, gradient: Any = None, model: Any = None
) -> OrderReport:
    """Replay the backward pass of ``root`` in a naive ``order`` beside the engine's real order.

    Args:
        root: the output tensor (a scalar loss, or any tensor with ``gradient``).
        order: ``"pre-order"`` or ``"no-visited"`` (see the module doc, `ORDERS`).
        gradient: ∂L/∂root, as for `Tensor.backward`.
        model: an `nn.Module` to name parameters by.

    Returns:
        An `OrderReport`. No ``.grad`` in the graph changes: the engine's pass runs inside
        `microgradx.autograd.isolated_backward` (every gradient, backward counter and in-place
        check put back afterwards), and the naive one works on its own copies.

    Raises:
        ValueError: unknown ``order``; ``"no-visited"`` needing more than `MAX_NAIVE_STEPS` calls.
        The errors of `Tensor.backward` (root does not require grad, bad gradient).
    """
    if order not in ORDERS:
        raise ValueError(
            f"compare_orders: order must be one of {', '.join(map(repr, ORDERS))}, got {order!r}"
        )
    if not (hasattr(root, "_ctx") and hasattr(root, "data")):
        raise TypeError(f"compare_orders: root must be a Tensor, got {type(root).__name__}")
    with isolated_backward(root) as tensors:  # grads, counters and the in-place check put back
        trace = trace_backward(root, gradient, model=model)
    seed = np.asarray(trace[0].upstream) if trace else None
    steps = _replay(root, seed, trace, order, names_for(tensors, model))
    return OrderReport(root, order, trace, steps, model)


def _replay(root: Any, seed: Any, trace: list, order: str, names: dict[int, str]) -> list[NaiveStep]:
    """Depth-first from the root, each node's backward fed the gradient that has arrived so far."""
    if seed is None:
        return []
    rules = {id(s.node): s.rules for s in trace}
    pending: dict[int, np.ndarray] = {id(root): seed}
    calls: dict[int, int] = {}
    first_call: dict[int, NaiveStep] = {}
    steps: list[NaiveStep] = []
    stack = [root]  # pre-order with an explicit stack: a node's first parent's subtree comes first
    while stack:
        node = stack.pop()
        if node._ctx is None or id(node) not in pending:
            continue
        nid = id(node)
        if order == "pre-order" and nid in calls:
            continue
        if len(steps) >= MAX_NAIVE_STEPS:
            raise ValueError(
                f"compare_orders: the {order!r} replay needs more than {MAX_NAIVE_STEPS} backward calls "
                "(it repeats shared subgraphs); try a smaller graph"
            )
        calls[nid] = calls.get(nid, 0) + 1
        ctx = node._ctx
        fn = type(ctx)
        upstream = pending[nid]
        grads = fn.backward(ctx, upstream)
        if not isinstance(grads, (tuple, list)):
            grads = (grads,)
        passed: list[tuple[Any, np.ndarray | None]] = []
        for parent, g in zip(ctx.parents, grads, strict=True):
            if g is None or not parent.requires_grad:
                passed.append((parent, None))
                continue
            g = np.asarray(g)
            if g.shape != parent.data.shape:
                g = _unbroadcast(g, parent.data.shape, fn.name)
            g = g.astype(parent.data.dtype, copy=False)
            pid = id(parent)
            pending[pid] = g if pid not in pending else pending[pid] + g
            passed.append((parent, g))
            earlier = first_call.get(pid)  # the parent's backward already ran: it missed this
            if earlier is not None:
                earlier.early = g if earlier.early is None else earlier.early + g
        step = NaiveStep(
            node,
            fn.name,
            names[nid],
            np.array(upstream, copy=True),
            passed,
            rules[nid],
            repeat=calls[nid] > 1,
        )
        first_call.setdefault(nid, step)
        steps.append(step)
        stack.extend(reversed(ctx.parents))
    for s in steps:
        if s.repeat:
            s.note = f"⚠ {s.name} already passed its gradient on: this counts it again"
        elif s.early is not None:
            s.note = f"⚠ too early: {_show(s.early)} more will still arrive at {s.name}"
    return steps


def _sums(steps: list) -> dict[int, np.ndarray]:
    """Every tensor's gradient after ``steps``: the root's seed plus everything passed to it."""
    total: dict[int, np.ndarray] = {}
    if steps:
        total[id(steps[0].node)] = np.asarray(steps[0].upstream)
    for s in steps:
        for parent, g in s.to_parents:
            if g is not None:
                total[id(parent)] = g if id(parent) not in total else total[id(parent)] + g
    return total


def _plain(a: Any) -> Any:
    if a is None:
        return None
    a = np.asarray(a)
    return float(a.reshape(-1)[0]) if a.size == 1 else a.copy()

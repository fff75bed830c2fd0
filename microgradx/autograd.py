"""The backward pass: the one topological sort of a graph, and the chain rule run over it.

Reverse-mode autodiff in three steps:

1. Every op (see ``ops.py``, ``activations.py``) returns a Tensor whose ``_ctx`` is the op's
   context: which tensors went in (``ctx.parents``) and what the derivative needs.
2. `run_backward` (called by `Tensor.backward`) orders the tensors that require grad so that
   each comes after everything it was computed from, iteratively (a 100,000-op chain works).
3. It walks that order from the root back to the leaves: each op turns ∂L/∂out into ∂L/∂input
   (the chain rule: upstream gradient × local derivative), gradients from several uses of a
   tensor are summed, and a broadcast operand's gradient is summed back to its own shape in
   `_unbroadcast`, the one place that knows about broadcasting.

`topological_order` is the same order over every tensor of a graph (constants too), for the
graph walk, `explain` and `trace_backward`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["topological_order", "run_backward"]


def _graph_parents(t: Any) -> tuple:
    ctx = t._ctx
    return () if ctx is None else tuple(ctx.parents)


def topological_order(root: Any, keep: dict | None = None) -> list:
    """Tensors reachable from ``root``, each after all of its parents (iterative post-order DFS).

    Args:
        root: the output tensor.
        keep: optional ``{id(tensor): tensor}``; tensors not in it (and what lies beyond them)
            are skipped.
    """
    order: list = []
    done: set[int] = set()
    # Each stack entry is (tensor, its parents, index of the next parent to visit).
    stack = [(root, _graph_parents(root), 0)]
    on_stack = {id(root)}
    while stack:
        t, parents, i = stack[-1]
        if i < len(parents):
            stack[-1] = (t, parents, i + 1)
            p = parents[i]
            pid = id(p)
            if pid in done or pid in on_stack or (keep is not None and pid not in keep):
                continue
            on_stack.add(pid)
            stack.append((p, _graph_parents(p), 0))
        else:
            stack.pop()
            on_stack.discard(id(t))
            done.add(id(t))
            order.append(t)
    return order


def _backward_order(root: Tensor) -> list[Tensor]:
    """Every tensor that requires grad and that ``root`` depends on, parents before children.

    Iterative depth-first search (no recursion, so any depth works). An op's output is pushed
    back under a marker, then its parents on top; when the marker surfaces again, every parent
    is already placed, so the output is placed next. A leaf waits for nothing: it is placed
    as soon as it is found.
    """
    if root._ctx is None:
        return [root]
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    stack: list[Any] = [root]  # only op outputs (and markers) are ever pushed
    push, pop, place, visit = stack.append, stack.pop, order.append, visited.add
    while stack:
        node = pop()
        if node is _PARENTS_DONE:
            place(pop())
            continue
        if node in visited:
            continue
        visit(node)
        push(node)
        push(_PARENTS_DONE)
        for parent in node._ctx.parents:
            if parent.requires_grad and parent not in visited:
                if parent._ctx is None:
                    visit(parent)
                    place(parent)
                else:
                    push(parent)
    return order


_PARENTS_DONE = object()  # the stack marker of `_backward_order`


def _unbroadcast(grad: np.ndarray, shape: tuple[int, ...], op: str) -> np.ndarray:
    """Sum a gradient back to an operand's shape: the adjoint of broadcasting is summation.

    If ``x`` of shape (3, 1) was broadcast to (2, 3, 4) in the forward pass, each element of
    ``x`` was used 2·4 times, so ∂L/∂x sums ∂L/∂out over the broadcast axes.
    """
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
        if grad.shape == shape:  # the usual case: a bias (n,) added to a batch (b, n)
            return grad
    if extra >= 0:
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
        if axes:
            grad = grad.sum(axis=axes, keepdims=True)
        if grad.shape == shape:
            return grad
    raise RuntimeError(
        f"{op}: backward returned a gradient of shape {grad.shape}, which does not "
        f"broadcast to its input's shape {shape}"
    )


def run_backward(
    root: Tensor, gradient: Any = None, record: Callable[[Tensor, np.ndarray, list], None] | None = None
) -> None:
    """The backward pass of `Tensor.backward`.

    ``record(node, upstream, to_parents)``, if given, is called once per op node in execution
    order with the gradient arriving at the node and the list of ``(parent, gradient)`` it
    passed on (used by `microgradx.trace_backward`).
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad (it is a leaf made with requires_grad=False, "
            "or it was computed inside no_grad() or from inputs that do not require grad)"
        )
    dtype = root.data.dtype
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward: the gradient can be omitted only for a one-element output, got shape "
                f"{root.data.shape}; pass gradient= an array of that shape (e.g. ones)"
            )
        grad = np.ones_like(root.data)
    else:
        grad = _to_array(gradient.data if isinstance(gradient, Tensor) else gradient, dtype)
        if grad.shape != root.data.shape:
            raise ValueError(
                f"backward: gradient has shape {grad.shape}, expected the output's shape {root.data.shape}"
            )

    order = _backward_order(root)
    root._pgrad = grad
    stored: set[int] = set()  # ids of arrays already held as some tensor's .grad in this pass
    for node in reversed(order):
        g = node._pgrad
        if g is None:  # no gradient reached it (an op returned None for this input)
            continue
        node._pgrad = None
        # 1. Keep ∂L/∂node on the node. The first write stores the array itself unless another
        #    tensor already holds it (pass-through ops such as add); later calls add in place.
        if node.grad is None:
            if id(g) in stored or id(g.base) in stored:  # (a view's .base is the array it shows)
                g = g.copy()
            node.grad = g
            stored.add(id(g))
        else:
            node.grad += g
        ctx = node._ctx
        if ctx is None:
            continue
        # 2. The chain rule: one op's local derivatives times the upstream gradient.
        fn = type(ctx)
        grads = fn.backward(ctx, g)
        parents = ctx.parents
        if type(grads) is not tuple:
            grads = tuple(grads) if isinstance(grads, list) else (grads,)
        if len(grads) != len(parents):
            raise RuntimeError(
                f"{fn.name}: backward returned {len(grads)} gradient(s) for {len(parents)} input(s)"
            )
        # 3. Pass each gradient to its parent, summing over multiple uses.
        passed = [] if record is not None else None
        for parent, pg in zip(parents, grads):
            if pg is None or not parent.requires_grad:
                if passed is not None:
                    passed.append((parent, None))
                continue
            pdata = parent.data
            if type(pg) is not np.ndarray:  # a NumPy scalar from a 0-d op; its dtype is fixed below
                pg = np.asarray(pg)
            if pg.shape != pdata.shape:
                pg = _unbroadcast(pg, pdata.shape, fn.name)
            if pg.dtype != pdata.dtype:
                pg = pg.astype(pdata.dtype)
            prev = parent._pgrad
            parent._pgrad = pg if prev is None else prev + pg
            if passed is not None:
                passed.append((parent, pg))
        if passed is not None:
            record(node, g, passed)


# Imported last: tensor.py imports run_backward from here (the cycle tensor <-> autograd).
from .tensor import Tensor, _to_array  # noqa: E402

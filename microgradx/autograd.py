"""The backward pass (the chain rule run over a graph), and the one topological sort of a graph.

Reverse-mode autodiff in three steps:

1. Every op (see ``ops.py``, ``activations.py``) returns a Tensor whose ``_ctx`` is the op's
   context: which tensors went in (``ctx.parents``) and what the derivative needs.
2. `run_backward` (called by `Tensor.backward`) runs the ops in reverse creation order, from a
   heap (an op's output is always made after its inputs), iteratively: a 100,000-op chain works.
3. Going from the root back to the leaves, each op turns ∂L/∂out into ∂L/∂input
   (the chain rule: upstream gradient × local derivative), gradients from several uses of a
   tensor are summed, and a broadcast operand's gradient is summed back to its own shape in
   `_unbroadcast`, the one place that knows about broadcasting.

`topological_order` is the same order over every tensor of a graph (constants too), for the
graph walk, `explain` and `trace_backward`. `isolated_backward` lets a tool (`why`,
`compare_orders`) run backward passes of its own that leave the graph as it found it.
"""

from __future__ import annotations

import contextlib
import heapq
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["isolated_backward", "run_backward", "seed_gradient", "topological_order"]


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


@contextlib.contextmanager
def isolated_backward(root: Any) -> Iterator[list]:
    """Backward passes of ``root``'s graph that leave no trace: for tools that run their own.

    Inside the ``with`` block every tensor of the graph has ``.grad = None``, so a pass run there
    gives exactly one pass's gradients. On leaving (also after an error) everything a backward
    pass changes is put back as it was:

    - each tensor's ``.grad`` (the same array object);
    - the backward epoch and each leaf's in-place-change state (``_held``, ``_snap``; see
      `Tensor.data`): a pass starts a new epoch, which would otherwise disarm the check, so that
      ``w.data[...] = 7; L.backward()`` silently gave a wrong gradient instead of raising;
    - each op's ``backward_runs`` counter (what `microgradx.why` reads as "backward ran n times").

    Yields:
        the graph's tensors in `topological_order`.

    Examples:
        >>> import microgradx as mgx
        >>> w = mgx.Tensor(0.5, requires_grad=True)
        >>> L = w * w
        >>> with isolated_backward(L):
        ...     L.backward()
        ...     float(w.grad)
        1.0
        >>> w.grad is None, L._ctx.backward_runs
        (True, 0)
    """
    tensors = topological_order(root)
    grads = [(t, t.grad) for t in tensors]
    leaves = [(t, t._snap, t._held) for t in tensors if t._ctx is None]
    runs = [(t._ctx, t._ctx.backward_runs) for t in tensors if t._ctx is not None]
    epoch = _function._epoch
    try:
        for t in tensors:
            t.grad = None
        yield tensors
    finally:
        for t, g in grads:
            t.grad = g
        for t, snap, held in leaves:
            t._snap, t._held = snap, held
        for ctx, n in runs:
            ctx.backward_runs = n
        _function._epoch = epoch


def unbroadcast_plan(
    grad_shape: tuple[int, ...], shape: tuple[int, ...]
) -> tuple[int, tuple[int, ...]] | None:
    """How `_unbroadcast` sums a gradient of ``grad_shape`` back to ``shape``.

    Returns ``(lead, axes)``: first sum away the ``lead`` leading axes broadcasting added, then
    sum over ``axes`` (kept as length 1) where the operand had length 1; None when no such sums
    give ``shape``. `microgradx.compile` reads the same plan, so both sum alike, bit for bit.
    """
    lead = len(grad_shape) - len(shape)
    if lead < 0:
        return None
    rest = grad_shape[lead:]
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and rest[i] != 1)
    if tuple(1 if i in axes else n for i, n in enumerate(rest)) != shape:
        return None
    return lead, axes


def _unbroadcast(grad: np.ndarray, shape: tuple[int, ...], op: str) -> np.ndarray:
    """Sum a gradient back to an operand's shape: the adjoint of broadcasting is summation.

    If ``x`` of shape (3, 1) was broadcast to (2, 3, 4) in the forward pass, each element of
    ``x`` was used 2·4 times, so ∂L/∂x sums ∂L/∂out over the broadcast axes. (``np.add.reduce``
    is what ``ndarray.sum`` calls, without its Python wrapper: the same sums, bit for bit.)
    """
    if grad.ndim == len(shape) + 1 and grad.shape[1:] == shape:  # the usual case: a bias
        return np.add.reduce(grad, 0)
    plan = unbroadcast_plan(grad.shape, shape)
    if plan is None:
        raise RuntimeError(
            f"{op}: backward returned a gradient of shape {grad.shape}, which does not "
            f"broadcast to its input's shape {shape}"
        )
    lead, axes = plan
    if lead:
        grad = np.add.reduce(grad, tuple(range(lead)))
    if axes:
        grad = np.add.reduce(grad, axes, keepdims=True)
    return grad


def seed_gradient(data: np.ndarray) -> np.ndarray:
    """∂L/∂L = 1 in the root's shape and dtype: where `run_backward` (and a compiled step) start.

    (``np.array(1.0)`` for the usual 0-d loss: ``np.ones`` is a Python wrapper, 5× slower.)
    """
    return np.array(1.0, data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)


def run_backward(
    root: Tensor, gradient: Any = None, record: Callable[[Tensor, np.ndarray, list], None] | None = None
) -> None:
    """The backward pass of `Tensor.backward`.

    Op nodes run in reverse creation order, taken from a heap: an op's output is always created
    after its inputs, so every gradient a node receives has arrived before its turn, and only
    nodes that received a gradient are ever visited (no separate topological sort). Leaves
    receive their summed gradient at the end. Pending gradients live in a local dict, so a
    backward that raises part-way leaves nothing behind.

    ``record(node, upstream, to_parents)``, if given, is called once per op node in execution
    order with the gradient arriving at the node and the list of ``(parent, gradient)`` it
    passed on (used by `microgradx.trace_backward`).
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad (it is a leaf made with requires_grad=False, "
            "or it was computed inside no_grad() or from inputs that do not require grad)"
        )
    data = root._data
    if gradient is None:
        if data.size != 1:
            raise RuntimeError(
                f"backward: the gradient can be omitted only for a one-element output, got shape "
                f"{data.shape}; pass gradient= an array of that shape (e.g. ones)"
            )
        grad = seed_gradient(data)
    else:
        grad = _to_array(gradient._data if isinstance(gradient, Tensor) else gradient, data.dtype)
        if grad.shape != data.shape:
            raise ValueError(
                f"backward: gradient has shape {grad.shape}, expected the output's shape {data.shape}"
            )
    _function._epoch += 1  # leaves used so far are no longer "held" (see `Tensor.data`)
    if root._ctx is not None:
        root._ctx.backward_runs += 1  # once per pass, not per op: what `microgradx.why` counts
    if _function._tracer is not None:  # `microgradx.compile` is tracing a step
        _function._tracer.fail("backward() was called inside the step")

    pending = {root: grad}  # ∂L/∂node, summed over the uses seen so far, for nodes not yet run
    leaves: list[Tensor] = []  # leaves that received a gradient, in order of first arrival
    # Tensors whose pending gradient is an array that another tensor holds, or will hold, as its
    # .grad (a pass-through op such as add hands its own upstream gradient on; a backward may
    # return one array for two inputs, or a view): each gets a copy when it is stored.
    shared: set[Tensor] = set()
    if root._ctx is None:
        leaves.append(root)
        heap: list[Any] = []
    else:
        heap = [(-root._ctx._seq, root)]
    pop, push = heapq.heappop, heapq.heappush
    ndarray, asarray = np.ndarray, np.asarray
    while heap:
        node = pop(heap)[1]
        g = pending.pop(node)
        # 1. Keep ∂L/∂node on the node. The first write stores the array itself unless another
        #    tensor already holds it (pass-through ops such as add); later calls add in place.
        if node.grad is None:
            if shared and node in shared:
                shared.remove(node)
                g = g.copy()
            node.grad = g
        else:
            node.grad += g
        # 2. The chain rule: one op's local derivatives times the upstream gradient.
        ctx = node._ctx
        grads = ctx.backward(ctx, g)  # (a staticmethod, found through the instance)
        parents = ctx.parents
        if type(grads) is not tuple:
            grads = tuple(grads) if isinstance(grads, list) else (grads,)
        if len(grads) != len(parents):
            raise RuntimeError(
                f"{type(ctx).name}: backward returned {len(grads)} gradient(s) for {len(parents)} input(s)"
            )
        # 3. Pass each gradient to its parent, summing over multiple uses.
        passed: list[tuple[Tensor, np.ndarray | None]] | None = None if record is None else []
        last = None  # the array passed on to the previous input (see `shared`)
        # (lengths checked above: a keyword argument to zip costs ~150 ns per node, the hot path)
        for parent, pg in zip(parents, grads):  # noqa: B905
            if pg is None or not parent.requires_grad:
                if parent._snap is not None:
                    _check_unchanged(parent)
                if passed is not None:
                    passed.append((parent, None))
                continue
            pdata = parent._data
            if type(pg) is not ndarray:  # a NumPy scalar from a 0-d op; its dtype is fixed below
                pg = asarray(pg)
            if pg.shape != pdata.shape:
                pg = _unbroadcast(pg, pdata.shape, type(ctx).name)
            if pg.dtype is not pdata.dtype and pg.dtype != pdata.dtype:  # (`is`: the usual, fast answer)
                pg = pg.astype(pdata.dtype)
            prev = pending.get(parent)
            if prev is None:
                pending[parent] = pg
                # (a view, .base not None, is copied whatever it shows: never wrong, rarely made)
                if (
                    pg is g
                    or pg is last
                    or not ctx._fresh_grads  # a user's Function: what it returns may be held elsewhere
                    or pg.base is not None
                    or (len(grads) > 2 and _seen(pg, grads))
                ):
                    shared.add(parent)
                last = pg
                pctx = parent._ctx
                if pctx is None:
                    leaves.append(parent)
                else:
                    push(heap, (-pctx._seq, parent))
            else:
                pending[parent] = prev + pg  # (a new array: nobody else holds it)
                if shared:
                    shared.discard(parent)
            if passed is not None:
                passed.append((parent, pg))
        if passed is not None:
            record(node, g, passed)  # type: ignore[misc]  # (passed is a list only with record)
    for leaf in leaves:
        if leaf._snap is not None:
            _check_unchanged(leaf)
        g = pending[leaf]
        if leaf.grad is None:
            if shared and leaf in shared:
                g = g.copy()
            leaf.grad = g
        else:
            leaf.grad += g


def _seen(pg: np.ndarray, grads: tuple) -> bool:
    """Does a backward with more than two inputs return the array ``pg`` for more than one?"""
    return sum(q is pg for q in grads) > 1


def _check_unchanged(leaf: Tensor) -> None:
    """Raise if a leaf's values changed in place since `Tensor.data` copied them for this pass."""
    snap = leaf._snap
    assert snap is not None  # only called for leaves with a snapshot
    array, copy = snap
    leaf._snap = None
    if leaf._held == -1 and not np.array_equal(array, copy, equal_nan=True):
        what = f"tensor {leaf.name!r}" if leaf.name else "a tensor"
        raise RuntimeError(
            f"backward: {what} of shape {array.shape} was changed in place after the forward pass "
            f"used it (its .data differs from the values the graph was built with), so the "
            f"gradients would be wrong. Change .data only after backward() (forward, backward, "
            f"then optimizer.step()), or run the forward pass again after the change."
        )


# Imported last: tensor.py imports run_backward from here (the cycle tensor <-> autograd).
from . import function as _function  # noqa: E402
from .tensor import Tensor, _to_array  # noqa: E402

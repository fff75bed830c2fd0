"""The computation graph as plain data: an iterative walk returning its tensors and edges.

This is the pure part of drawing a graph (see `microgradx.viz.draw` for the picture and
`microgradx.viz.style` for its look). Every tensor made by an op keeps that op's context in ``t._ctx``,
and the context keeps the op's inputs, in operand order, in ``ctx.parents``. Following those
links from the output back to the leaves visits the whole graph::

    >>> import microgradx as mgx
    >>> a = mgx.Tensor(2.0, requires_grad=True, name="a")
    >>> y = a * a + 1
    >>> nodes, edges = walk(y)
    >>> [t.name or t.op for t in nodes]
    ['a', 'mul', None, 'add']
    >>> [(p.name or p.op, c.op, i) for p, c, i in edges]
    [('a', 'mul', 0), ('a', 'mul', 1), ('mul', 'add', 0), (None, 'add', 1)]

(``1`` became an unnamed constant leaf.) ``a * a`` gives two edges, one per operand: the chain rule
adds one term per edge, so the graph must keep both.

The walk uses an explicit stack and queue, never recursion, so graphs 100,000 ops deep are fine.
"""

from __future__ import annotations

from collections import deque
from typing import Any, NamedTuple

from ..autograd import topological_order

__all__ = ["Edge", "walk"]


class Edge(NamedTuple):
    """``parent`` is operand number ``index`` of the op that made ``child``."""

    parent: Any
    child: Any
    index: int  # type: ignore[assignment]  # the operand's position (shadows tuple.index, unused here)


def _parents(t: Any) -> tuple:
    ctx = t._ctx
    return () if ctx is None else tuple(ctx.parents)


def walk(root: Any, max_nodes: int | None = None) -> tuple[list, list[Edge]]:
    """All tensors that ``root`` was computed from, and the edges between them.

    Args:
        root: the output tensor (a loss, say).
        max_nodes: keep at most this many tensors, those nearest to ``root`` (breadth first);
            ``None`` keeps all. A tensor whose inputs were cut off still has its ``_ctx``: callers
            can spot it because some of its parents are not in ``nodes``.

    Returns:
        ``(nodes, edges)``: ``nodes`` lists each tensor once, in topological order (every tensor
        after the tensors it was computed from, ``root`` last); ``edges`` lists one `Edge` per
        operand of every op whose output is in ``nodes`` and whose operand is too, ordered by
        ``nodes`` then operand index — so ``a + a`` gives two edges.

    Raises:
        ValueError: ``max_nodes`` is not a positive integer.
    """
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"walk: max_nodes must be a positive integer or None, got {max_nodes!r}")
    # 1. Breadth-first from the root: which tensors are in (nearest first, up to max_nodes).
    seen = {id(root): root}
    queue = deque([root])
    while queue:
        t = queue.popleft()
        for p in _parents(t):
            if id(p) not in seen:
                if max_nodes is not None and len(seen) >= max_nodes:
                    queue.clear()
                    break
                seen[id(p)] = p
                queue.append(p)
    # 2. Topological order of the kept tensors.
    nodes = topological_order(root, keep=seen)
    # 3. Edges, in operand order.
    edges = [Edge(p, t, i) for t in nodes for i, p in enumerate(_parents(t)) if id(p) in seen]
    return nodes, edges

"""Backprop you can watch: `step_backward` records the forward and backward pass frame by frame.

A `Stepper` is a list of `Frame` objects, one per forward op (the value fills in) and one per step
of the backward pass, in the engine's real execution order (the steps of `trace_backward`, which
records them through ``run_backward(..., record=...)``). Each frame has a one-line caption with
the numbers (``.text``) and the text of every tensor's box after it (``.values``)::

    >>> import microgradx as mgx
    >>> a = mgx.Tensor(1.0, requires_grad=True, name="a")
    >>> b = a + a; b.name = "b"
    >>> d = 3 * b; d.name = "d"
    >>> e = b + d; e.name = "e"
    >>> s = step_backward(e)
    >>> len(s), [f.kind for f in s.frames][:3]
    (6, ['forward', 'forward', 'forward'])
    >>> print(s.frames[4].text)
    backward 2/3 · mul at d: upstream ∂e/∂d = 1.0000; b ← ∂d/∂b · ∂e/∂d = 3.0000 × 1.0000 = 3.0000, b.grad += 3.0000 → 4.0000
    >>> s.frames[-1].values["a"]
    'a | data 1.0000 | grad 8.0000'

A backward frame for node ``n`` shows the upstream gradient ∂L/∂n (everything has arrived: the
order is topological), then for each operand ``p`` the chain-rule step
``p ← ∂n/∂p · ∂L/∂n = local × upstream = contribution``; where ``p`` already holds a gradient (a
fan-out: ``p`` is used more than once), the running sum ``p.grad += contribution → total``.
For array-valued nodes the local derivative is a Jacobian, so the caption names the rule and the
contribution (summarised), not a product of two numbers.

`Stepper.html` writes the whole thing as one offline HTML file (`microgradx.viz.player`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..autograd import topological_order
from ..formatting import format_number, product_texts
from ..formatting import shaped as _show
from .draw import box_title, value_fields
from .names import names_for, wrap
from .trace import ROUNDING_NOTE, local_derivatives, trace_backward

__all__ = ["UNKNOWN", "Flow", "Frame", "Stepper", "step_backward"]

#: What a box shows for a value not computed yet (data before its forward frame, grad before
#: any gradient reached it).
UNKNOWN = "?"


@dataclass(frozen=True)
class Flow:
    """What one backward frame passes to one operand.

    Attributes:
        parent: the operand tensor; ``name``: its display name; ``index``: its operand position.
        rule: ``"∂d/∂b = 3"``: the local derivative's formula (from the op class).
        local: the local derivative's value when node and operand are one-element, else None.
        contribution: the gradient passed to the operand (an ndarray of its shape).
        total: the operand's gradient after adding it (the running sum, as the box shows it).
        fan_in: True when the operand already held a gradient (``grad +=``).
    """

    parent: Any = field(repr=False)
    name: str
    index: int
    rule: str
    local: float | None
    contribution: np.ndarray = field(repr=False)
    total: np.ndarray = field(repr=False)
    fan_in: bool


@dataclass(frozen=True)
class Frame:
    """One frame of the player.

    Attributes:
        kind: ``"forward"`` (an op computes its value) or ``"backward"`` (one step of the pass).
        node: the tensor the frame is about (the op's output).
        text: the caption: one line with the numbers.
        values: ``{name: box text}`` for every tensor after the frame; a box's fields are joined by
            ``" | "`` (``"a | data 1.0000 | grad 8.0000"``); a value not known yet is ``?``.
        name: the node's display name.
        upstream: backward frames: ∂root/∂node, the gradient the step starts from (else None).
        flows: backward frames: one `Flow` per operand that received a gradient.
    """

    kind: str
    node: Any = field(repr=False)
    text: str
    values: dict[str, str] = field(repr=False)
    name: str = ""
    upstream: np.ndarray | None = field(default=None, repr=False)
    flows: list[Flow] = field(default_factory=list, repr=False)


class Stepper:
    """The forward and backward pass of one graph as frames; watch it with `html` or in a notebook.

    Made by `step_backward` (the engine's real order) or `OrderReport.stepper()` (a naive order,
    `microgradx.viz.orders`). Attributes: ``frames`` (list of `Frame`), ``root``, ``names``
    (``{id(tensor): display name}``), ``tensors`` (every tensor of the graph, parents first),
    ``title``. ``len(stepper)`` is the number of frames.
    """

    def __init__(
        self,
        root: Any,
        steps: list,
        *,
        model: Any = None,
        start_grads: dict[int, np.ndarray | None] | None = None,
        title: str = "",
    ) -> None:
        """Build the frames from backward ``steps`` (objects with ``.node``, ``.upstream``,
        ``.to_parents`` and ``.rules`` as `Step`; an optional ``.note`` is added to the caption).

        ``start_grads`` is each tensor's gradient before the pass (default: its ``.grad`` now,
        minus what the steps passed to it is not subtracted: give it explicitly when ``.grad``
        already holds the pass's result).
        """
        self.root = root
        self.model = model
        self.tensors = topological_order(root)
        self.names: dict[int, str] = names_for(self.tensors, model)
        self.title = title or f"backprop of {self.names[id(root)]}"
        starts = start_grads if start_grads is not None else {id(t): t.grad for t in self.tensors}
        self.frames: list[Frame] = []
        self._build(steps, starts)

    # ----------------------------------------------------------------------- building frames
    def _build(self, steps: list, starts: dict[int, np.ndarray | None]) -> None:
        names = self.names
        ops = [t for t in self.tensors if t._ctx is not None]
        data_known = {id(t) for t in self.tensors if t._ctx is None}
        # Gradients as the boxes show them: the start, then the start plus the running sum of
        # what arrived in this pass (summed in arrival order, as the engine sums them).
        arrived: dict[int, np.ndarray] = {}
        grads: dict[int, np.ndarray | None] = {id(t): starts.get(id(t)) for t in self.tensors}
        # The fields each box has: those of the final state (what the static picture shows).
        final = self._final_grads(steps, starts)
        self.final_grads = final

        def box(t: Any) -> str:
            fields = [box_title(names[id(t)], t.data.shape)]
            fields += _fields("data", t.data if id(t) in data_known else None, t.data)
            if final.get(id(t)) is not None:
                fields += _fields("grad", grads[id(t)], final[id(t)])
            return " | ".join(fields)

        values = {names[id(t)]: box(t) for t in self.tensors}
        self.start_values = values  # before the first frame: leaves known, every op's value "?"
        for k, t in enumerate(ops, 1):
            data_known.add(id(t))
            values = {**values, names[id(t)]: box(t)}
            self.frames.append(
                Frame("forward", t, _forward_caption(t, k, len(ops), names), values, names[id(t)])
            )
        for k, step in enumerate(steps, 1):
            node = step.node
            flows = []
            if id(node) not in arrived:  # the root: nothing passed it a gradient, it is the seed
                arrived[id(node)] = np.asarray(step.upstream)
                start = starts.get(id(node))
                grads[id(node)] = arrived[id(node)] if start is None else start + arrived[id(node)]
            changed = {id(node)}
            # The local derivatives as numbers where they are one number (Step.local).
            local = getattr(step, "local", None) or local_derivatives(node)  # a naive replay has none
            locals_ = [v if isinstance(v, float) else None for v in local]
            for i, (parent, g) in enumerate(step.to_parents):
                if g is None:
                    continue
                pid = id(parent)
                fan_in = grads[pid] is not None
                arrived[pid] = g if pid not in arrived else arrived[pid] + g
                start = starts.get(pid)
                total = arrived[pid] if start is None else start + arrived[pid]
                grads[pid] = total
                flows.append(Flow(parent, names[pid], i, step.rules[i], locals_[i], g, total, fan_in))
                changed.add(pid)
            values = {**values, **{names[t]: box(self._tensor(t)) for t in changed}}
            caption = _backward_caption(node, step.upstream, flows, k, len(steps), names, self._root_name)
            note = getattr(step, "note", "")
            self.frames.append(
                Frame(
                    "backward",
                    node,
                    f"{caption}; {note}" if note else caption,
                    values,
                    names[id(node)],
                    np.asarray(step.upstream),
                    flows,
                )
            )

    @property
    def _root_name(self) -> str:
        return self.names[id(self.root)]

    def _tensor(self, key: int) -> Any:
        if not hasattr(self, "_by_id"):
            self._by_id = {id(t): t for t in self.tensors}
        return self._by_id[key]

    def _final_grads(self, steps: list, starts: dict) -> dict[int, np.ndarray | None]:
        """Each tensor's gradient after all ``steps``: its start plus everything passed to it."""
        total: dict[int, np.ndarray] = {}
        if steps:
            total[id(steps[0].node)] = np.asarray(steps[0].upstream)
        for step in steps:
            for parent, g in step.to_parents:
                if g is not None:
                    pid = id(parent)
                    total[pid] = g if pid not in total else total[pid] + g
        out: dict[int, np.ndarray | None] = {}
        for t in self.tensors:
            start, got = starts.get(id(t)), total.get(id(t))
            out[id(t)] = start if got is None else (got if start is None else start + got)
        return out

    # ----------------------------------------------------------------------------- access
    def __len__(self) -> int:
        return len(self.frames)

    def __iter__(self):
        return iter(self.frames)

    def __getitem__(self, index: int) -> Frame:
        return self.frames[index]

    def __repr__(self) -> str:
        forward = sum(f.kind == "forward" for f in self.frames)
        return (
            f"<Stepper {self.title!r}: {len(self.frames)} frames "
            f"({forward} forward, {len(self.frames) - forward} backward)>"
        )

    def __str__(self) -> str:
        return "\n".join(f"{k:>3}  {f.text}" for k, f in enumerate(self.frames, 1))

    # ------------------------------------------------------------------------------ output
    def html(self) -> str:
        """One self-contained HTML page: the graph (SVG), the frames (JSON) and the player (JS).

        No network references; without JavaScript the page shows the final state.
        """
        from .player import player_page

        return player_page(self, full_page=True)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write `html` to ``path`` (``.html`` or ``.htm``); returns the path."""
        out = Path(path)
        if out.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"Stepper.save: expected a .html or .htm path, got {str(out)!r}")
        text = self.html()
        if out.parent and not out.parent.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        return out

    def _repr_html_(self) -> str:
        from .player import player_page

        return player_page(self, full_page=False)


def step_backward(root: Any, gradient: Any = None, *, model: Any = None) -> Stepper:
    """Run ``root.backward(gradient)`` and record it as frames to watch.

    Args:
        root: the tensor to differentiate (a scalar loss, or any tensor with ``gradient``).
        gradient: ∂L/∂root, as for `Tensor.backward` (omit for a one-element root).
        model: an `nn.Module`: parameters are named by it and the picture groups its layers.

    Returns:
        A `Stepper`: one frame per forward op (every op after its inputs, in the order of the
        graph's topological sort), then one per backward step in the engine's execution order
        (the steps `trace_backward` returns). ``.grad`` changes exactly as after
        ``root.backward(gradient)``; the last frame's boxes show every tensor's ``.grad``.

    Raises:
        The errors of `Tensor.backward` (root does not require grad, missing or misshapen
        gradient); TypeError when ``root`` is not a Tensor.
    """
    if not (hasattr(root, "_ctx") and hasattr(root, "data")):
        raise TypeError(f"step_backward: root must be a Tensor, got {type(root).__name__}")
    if root._ctx is None and root.requires_grad:  # (without requires_grad: backward's own error)
        raise ValueError(
            "step_backward: root is a leaf (no op made it), so there is no pass to step through; "
            "give the output of a computation (a loss)"
        )
    starts = {
        id(t): (None if t.grad is None else np.array(t.grad, copy=True)) for t in topological_order(root)
    }
    steps = trace_backward(root, gradient, model=model)
    return Stepper(root, list(steps), model=model, start_grads=starts)


# --------------------------------------------------------------------------------- helpers
def _fields(label: str, value: Any, final: Any) -> list[str]:
    """A value's box fields, or placeholders with as many fields as the final value has."""
    count = len(value_fields(label, final))
    if value is None:
        return [f"{label} {UNKNOWN}"] + [""] * (count - 1)
    return value_fields(label, value)


def _forward_caption(t: Any, k: int, n: int, names: dict[int, str]) -> str:
    ctx = t._ctx
    parents = ctx.parents
    args = ", ".join(names[id(p)] for p in parents)
    numbers = ", ".join(_show(p.data) for p in parents)
    return f"forward {k}/{n} · {type(ctx).name}: {names[id(t)]} = {type(ctx).name}({args}) = {type(ctx).name}({numbers}) = {_show(t.data)}"


def _backward_caption(
    node: Any, upstream: Any, flows: list[Flow], k: int, n: int, names: dict[int, str], root: str
) -> str:
    name = names[id(node)]
    head = f"backward {k}/{n} · {type(node._ctx).name} at {name}: upstream ∂{wrap(root)}/∂{wrap(name)} = {_show(upstream)}"
    parts = [head]
    for f in flows:
        if f.local is not None and np.size(upstream) == 1 and np.size(f.contribution) == 1:
            # the factors with enough decimals to multiply to the printed product (as the trace)
            u = float(np.asarray(upstream).reshape(-1)[0])
            c = float(np.asarray(f.contribution).reshape(-1)[0])
            (tl, tu), result, exact = product_texts([f.local, u], c)
            note = "" if exact else f" {ROUNDING_NOTE}"
            step = f"{f.rule} = {format_number(f.local)}: {f.name} ← {tl} × {tu} = {result}{note}"
        elif f.local is not None:
            local = format_number(f.local)
            step = f"{f.rule} = {local}: {f.name} ← {local} × {_show(upstream)} = {_show(f.contribution)}"
        else:  # a Jacobian: the rule applied to the upstream gradient, summed back to the shape
            step = f"{f.rule}: {f.name} ← {_show(f.contribution)}"
        if f.fan_in:
            step += f", {wrap(f.name)}.grad += {_show(f.contribution)} → {_show(f.total)}"
        parts.append(step)
    if not flows:
        parts.append("no operand needs a gradient")
    return "; ".join(parts)

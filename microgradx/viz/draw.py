"""Drawing a computation graph: `draw_graph` builds the Graphviz picture, `render_graph` writes it.

The three steps are kept apart (see STYLE.md, point 6): `microgradx.viz.walk` finds the tensors
and edges, `microgradx.viz.style` says how each kind of node looks, and `microgradx.viz.render` runs the
Graphviz executable. This file only assembles the DOT text.

In the picture every tensor is a record (a box of fields: its name from
`microgradx.viz.names.tensor_names` — the same name the trace and `explain` print —, shape, data
and grad), every op an ellipse with its name, and arrows run from inputs
(in operand order, so ``a + a`` draws two arrows) through the op to its output, left to right::

    >>> import microgradx as mgx
    >>> w = mgx.Tensor(0.5, requires_grad=True, name="w")
    >>> L = (w * 2.0).sigmoid()
    >>> L.name = "L"
    >>> g = draw_graph(L)            # a graphviz.Digraph: shows inline in Jupyter
    >>> render_graph(L, "neuron.svg")  # doctest: +SKIP
    PosixPath('neuron.svg')

Large graphs are cut, not hung on: `draw_graph` keeps the ``max_nodes`` tensors nearest the root
(default 500) and draws a note where the rest was left out.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from ..autograd import topological_order
from ..formatting import summarize
from . import render as _render
from . import style as viz
from .names import names_for
from .walk import walk

__all__ = ["DRAW_MAX_NODES", "ComputationGraph", "box_title", "draw_graph", "render_graph", "value_fields"]

#: Default cap on tensors drawn: beyond a few hundred nodes a picture stops teaching, and layout
#: time grows fast. Pass ``max_nodes=None`` to draw everything.
DRAW_MAX_NODES = 500


class ComputationGraph(graphviz.Digraph):
    """A `graphviz.Digraph` that renders with microgradx's renderer choice.

    The ``graphviz`` package itself needs the system ``dot``; this subclass sends ``pipe``,
    ``render`` and the Jupyter display through `microgradx.viz.render`, which falls back to
    ``graphviz-pure``. In a notebook the graph shows as SVG; if no renderer exists at all, its DOT
    text is shown instead of a traceback.
    """

    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: Any = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """The graph rendered to ``format`` (default ``self.format``, i.e. svg) as bytes, or
        as text when ``encoding`` is given. Raises ``ValueError`` for a format that is not one of
        `microgradx.viz.render.FORMATS`, `microgradx.viz.render.RendererError` when no renderer
        installed here can write it."""
        if renderer or formatter or neato_no_op or (engine not in (None, "dot")):
            raise ValueError(
                "ComputationGraph.pipe supports only format= and encoding=; "
                f"got renderer={renderer!r}, formatter={formatter!r}, "
                f"engine={engine!r}, neato_no_op={neato_no_op!r}"
            )
        data = _render.pipe_dot(self.source, format or self.format or "svg")
        return data.decode(encoding) if encoding else data

    def render(
        self,
        filename: Any = None,
        directory: Any = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        *args: Any,
        outfile: Any = None,
        **kwargs: Any,
    ) -> str:
        """Write the rendered graph; returns its path (as ``graphviz.Digraph.render`` does).

        With ``outfile`` the format comes from its suffix; otherwise the DOT source is saved to
        ``filename`` (default ``self.filename``) and the picture next to it as
        ``<filename>.<format>``; ``cleanup=True`` removes the source afterwards.
        """
        if outfile is not None:
            path = _render.render_dot(self.source, outfile)
        else:
            source_path = self.save(filename, directory=directory)
            fmt = format or self.format or "svg"
            path = Path(f"{source_path}.{fmt}")
            path.write_bytes(_render.pipe_dot(self.source, fmt))
            if cleanup:
                os.remove(source_path)
        if view:  # pragma: no cover - opens a viewer
            self._view(path, format=path.suffix.lstrip("."), quiet=False)
        return os.fspath(path)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> dict[str, Any]:
        try:
            return super()._repr_mimebundle_(include=include, exclude=exclude)
        except _render.RendererError as err:
            return {"text/plain": f"{self.source}\n// not rendered: {err}"}

    def _repr_svg_(self) -> str | None:
        """SVG for IPython, or None (then IPython falls back to the text form)."""
        try:
            svg = self.pipe(format="svg", encoding="utf-8")
        except _render.RendererError:
            return None
        return svg if isinstance(svg, str) else svg.decode("utf-8")


def draw_graph(
    root: Any,
    *,
    show_data: bool = True,
    show_grad: bool = True,
    rankdir: str = "LR",
    model: Any = None,
    clusters: bool | None = None,
    shade_grad: bool = False,
    mark_activations: bool = True,
    legend: bool | None = None,
    max_nodes: int | None = DRAW_MAX_NODES,
    title: str | None = None,
    node_ids: dict[int, str] | None = None,
    units: Any = None,
) -> ComputationGraph:
    """Draw the computation graph that produced ``root``.

    Args:
        root: the output tensor (usually the loss).
        show_data: print each tensor's value (4 decimals; a mean/min/max summary for arrays).
        show_grad: print each tensor's ``.grad`` when it has one (run ``backward`` first).
        rankdir: layout direction: ``"LR"`` (inputs left, loss right), ``"TB"``, ``"RL"``, ``"BT"``.
        model: an `nn.Module`; its ``named_modules()`` name the clusters (``layers.0``) and its
            parameters are drawn inside the module that owns them.
        clusters: group each module's ops in a labelled box; default: when ``model`` is given.
            Without ``model`` the boxes are labelled with the class name.
        shade_grad: fill tensors by mean |grad| relative to the largest (see `microgradx.viz.style`):
            vanishing gradients fade layer by layer.
        mark_activations: border dead ReLU outputs (thick red) and saturated sigmoid/tanh
            outputs (thick purple), and note dead units / saturated share in the label.
        legend: draw the colour legend; default: when shading or a marked node is present.
        max_nodes: draw at most this many tensors, those nearest ``root``; ``None``: no cap.
        title: a caption for the whole picture.
        node_ids: ``{id(tensor): "some-id"}``: that tensor's box gets the SVG id ``some-id`` and
            its op's ellipse ``some-id-op``, so a script can find them (`microgradx.viz.player`).
        units: hidden units to compare, tensors aligned by role (``[[w11, w21, b11, z11, a11],
            [w12, w22, b12, z12, a12]]``): a box whose ``.grad`` equals that of the same role in
            an earlier unit (to `microgradx.viz.symmetry.EQUAL_ATOL`) gets the field
            "same as w11" — computed from the gradients when drawing (run ``backward`` first).

    Returns:
        A `ComputationGraph` (a ``graphviz.Digraph``): ``.source`` is the DOT text; it displays
        inline in Jupyter; `render_graph` or ``.render(outfile=...)`` writes it to a file.

    Raises:
        TypeError: ``root`` is not a Tensor. ValueError: bad ``rankdir`` or ``max_nodes``.
    """
    if not hasattr(root, "_ctx") or not hasattr(root, "data"):
        raise TypeError(f"draw_graph: root must be a Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    nodes, _ = walk(root, max_nodes=max_nodes)
    index = {id(t): k for k, t in enumerate(nodes)}
    # Where the walk stopped: ops with operands left out.
    cut = [
        k
        for k, t in enumerate(nodes)
        if t._ctx is not None and any(id(p) not in index for p in t._ctx.parents)
    ]
    # The one naming (`microgradx.viz.names`), over the whole graph even when the picture is cut,
    # so every box shows the name the trace and `explain` print.
    names = names_for(topological_order(root) if cut else nodes, model)

    graph = ComputationGraph(
        name="computation_graph",
        format="svg",
        graph_attr={**viz.STYLE["graph"], "rankdir": rankdir},
        node_attr={"fontname": viz.STYLE["graph"]["fontname"]},
        edge_attr=viz.STYLE["edge"],
    )
    if title:
        graph.attr(label=graphviz.nohtml(viz.escape_text(title)), labelloc="t")

    # Which box (module name) each node goes in; "" = top level.
    want_clusters = (model is not None) if clusters is None else bool(clusters)
    box_of_op, box_of_tensor, box_labels = _assign_clusters(nodes, model) if want_clusters else ({}, {}, {})

    # Colours that depend on the whole graph.
    magnitudes = {id(t): viz.grad_magnitude(t.grad) for t in nodes}
    largest = max((m for m in magnitudes.values() if m is not None), default=0.0)

    same: dict[int, Any] = {}
    if units:
        from .symmetry import same_as

        same = {id(t): first for t, first in same_as(units).items()}
    bodies: dict[str, list[tuple[str, str, dict]]] = {}  # box -> [(node id, label, attrs)]
    any_dead = any_saturated = False
    measures: Any = None
    for k, t in enumerate(nodes):
        fields, attrs = _tensor_label(t, names[id(t)], show_data, show_grad)
        attrs = {**viz.STYLE["tensor"], **attrs}
        if id(t) in same:
            fields.append(f"same as {names[id(same[id(t)])]}")
            attrs.update(viz.STYLE["same_as"])
        if t is root:
            attrs.update(viz.STYLE["output"])
        svg_id = node_ids.get(id(t)) if node_ids else None
        if svg_id:
            attrs["id"] = svg_id
        if shade_grad:
            colour = viz.grad_shade(magnitudes[id(t)], largest)
            if colour:
                attrs["fillcolor"] = colour
        if mark_activations and t.op in ("relu", "sigmoid", "tanh") and t.data.size:
            if measures is None:
                from ..diagnostics import measures  # lazy: import microgradx loads no lab
            if t.op == "relu":
                dead = measures.dead_units(t.data)  # relu(z) ≤ 0 exactly where z ≤ 0
                if dead.size > 1 and dead.any():
                    fields.append(f"dead units {int(dead.sum())}/{dead.size}")
                if dead.all():
                    attrs.update(viz.STYLE["dead_relu"])
                    any_dead = True
            else:
                share = measures.saturated_fraction(t.data, t.op)
                if share >= viz.SATURATION_FRACTION:
                    attrs.update(viz.STYLE["saturated"])
                    any_saturated = True
                    if t.data.size > 1:
                        fields.append(f"saturated {share:.0%}")
        label = "|".join(viz.escape_record(f) for f in fields)
        # A scalar is one strip [name | data | grad] (as micrograd draws it); an array a card of
        # stacked fields. In a record, braces flip the direction, which depends on rankdir.
        if (t.data.size == 1) == (rankdir in ("LR", "RL")):
            label = "{" + label + "}"
        bodies.setdefault(box_of_tensor.get(id(t), ""), []).append((f"t{k}", label, attrs))
        if t._ctx is not None:
            op_attrs = dict(viz.STYLE["op"])
            if svg_id:
                op_attrs["id"] = f"{svg_id}-op"
            bodies.setdefault(box_of_op.get(id(t), ""), []).append(
                (f"op{k}", viz.escape_text(_op_label(t._ctx)), op_attrs)
            )

    _emit_boxes(graph, bodies, box_labels)

    # Edges: operand -> op (in operand order), op -> output.
    for k, t in enumerate(nodes):
        ctx = t._ctx
        if ctx is None:
            continue
        parents = ctx.parents
        # Swappable operands (the op class says so) need no order; the others get numbered edges.
        numbered = len(parents) > 1 and not type(ctx).commutative
        for i, p in enumerate(parents):
            j = index.get(id(p))
            if j is not None:
                graph.edge(f"t{j}", f"op{k}", label=str(i) if numbered else None)
        graph.edge(f"op{k}", f"t{k}")

    # Where the walk stopped: one note pointing at every op with operands left out.
    if cut:
        graph.node(
            "truncated",
            graphviz.nohtml(
                f"… earlier part of the graph not drawn\\n(showing the {len(nodes)} tensors nearest "
                f"the output; draw_graph(max_nodes=...) draws more)"
            ),
            **viz.STYLE["truncated"],
        )
        for k in cut:
            graph.edge("truncated", f"op{k}", style="dashed", color="#999999")

    show_legend = (shade_grad or any_dead or any_saturated) if legend is None else legend
    if show_legend:
        _emit_legend(graph, viz.legend_entries(shade_grad, largest, any_dead, any_saturated))
    return graph


def render_graph(
    root: Any, path: str | os.PathLike[str], *, timeout: float | None = None, **options: Any
) -> Path:
    """Draw ``root``'s graph and write it to ``path``; the suffix picks the format.

    Args:
        root: the output tensor (or a graph returned by `draw_graph`).
        path: ``.svg``, ``.png``, ``.dot`` (DOT text, no renderer needed), or ``.pdf`` (needs the
            system Graphviz).
        timeout: seconds the renderer may take (default `microgradx.viz.render.DEFAULT_TIMEOUT`).
        **options: passed to `draw_graph` (``shade_grad=True``, ``model=net`` …).

    Returns:
        The path written, as a `pathlib.Path`.

    Raises:
        ValueError: unknown suffix (see `microgradx.viz.render.SUFFIX_FORMATS`), or a timeout
            that is not a positive number of seconds.
        microgradx.viz.render.RendererError: no renderer writes that format here (the message says
            what to install), or rendering failed or timed out.
    """
    _render.format_for_path(path)  # fail on a bad suffix or timeout before doing any work
    if timeout is not None:
        _render.check_timeout(timeout)
    graph = root if isinstance(root, graphviz.Digraph) else draw_graph(root, **options)
    if options and isinstance(root, graphviz.Digraph):
        raise TypeError(
            "render_graph: drawing options were given for an already drawn graph; "
            "pass them to draw_graph instead"
        )
    return _render.render_dot(
        graph.source, path, timeout=_render.DEFAULT_TIMEOUT if timeout is None else timeout
    )


# ------------------------------------------------------------------------------- helpers
def _tensor_label(t: Any, name: str, show_data: bool, show_grad: bool) -> tuple[list[str], dict]:
    """Record fields (plain text, escaped later) and the role colour of tensor ``t``.

    The first field is its name (`microgradx.viz.names`) followed by the shape; then data and grad. An array's summary is split over two fields (mean; min and max)
    to keep the box narrow.
    """
    fields = [box_title(name, t.data.shape)]
    for show, label, value in ((show_data, "data", t.data), (show_grad, "grad", t.grad)):
        if show and value is not None:
            fields.extend(value_fields(label, value))
    if t._ctx is not None:
        attrs: dict = {}
    elif t.requires_grad:
        attrs = dict(viz.STYLE["parameter"])
    else:
        attrs = dict(viz.STYLE["input"])
    return fields, attrs


def box_title(name: str, shape: tuple[int, ...]) -> str:
    """A tensor box's first field: its name, and its shape unless it is a 0-d scalar (``X (3×2)``)."""
    return f"{name} ({'×'.join(str(n) for n in shape)})" if len(shape) > 0 else name


def value_fields(label: str, value: Any) -> list[str]:
    """The box fields of one value (``label`` is ``"data"`` or ``"grad"``): ``["grad 0.1966"]``,
    or for a summarised array two fields, ``["grad mean 0.1", "min -1.0, max 2.0"]``."""
    text = summarize(value)
    head, sep, rest = text.partition(", min ")
    return [f"{label} {head}", f"min {rest}"] if sep else [f"{label} {text}"]


def _op_label(ctx: Any) -> str:
    """The op's name, plus its numeric hyper-parameters (the class's ``hyperparameters``), e.g.
    ``leaky_relu`` over ``negative_slope=0.01``."""
    fn = type(ctx)
    extras = [
        f"{attr}={getattr(ctx, attr):g}"
        for attr in fn.hyperparameters
        if isinstance(getattr(ctx, attr, None), (int, float, np.integer, np.floating))
        and not isinstance(getattr(ctx, attr), bool)
    ]
    name = fn.name
    return name if not extras else f"{name}\n{', '.join(extras)}"


def _module_names(model: Any) -> dict[int, str]:
    """``{id(module): dotted name}`` from ``model.named_modules()`` (the model itself is "")."""
    if hasattr(model, "named_modules"):
        return {id(m): name for name, m in model.named_modules()}
    return {id(model): ""}


def _assign_clusters(nodes: list, model: Any) -> tuple[dict, dict, dict]:
    """Decide the box of every op and tensor.

    Returns ``(box_of_op, box_of_tensor, labels)``: box keys are module names (with a model) or
    ``"<ClassName> <n>"`` keys (without); ``labels`` maps each box key to its caption. An op goes
    in the box of ``ctx.module`` and so does its output; a parameter goes in the box of the module
    that owns it (from ``model.named_parameters()``). The model itself gets no box.
    """
    names = _module_names(model) if model is not None else {}
    unnamed: dict[int, str] = {}
    box_of_op: dict[int, str] = {}
    box_of_tensor: dict[int, str] = {}
    for t in nodes:
        module = getattr(t._ctx, "module", None) if t._ctx is not None else None
        if module is None:
            continue
        key = names.get(id(module))
        if key is None:  # a module the model does not list (or no model): label by class
            if id(module) not in unnamed:
                unnamed[id(module)] = f"{type(module).__name__} {len(unnamed) + 1}"
            key = unnamed[id(module)]
        if key:
            box_of_op[id(t)] = box_of_tensor[id(t)] = key
    if model is not None and hasattr(model, "named_parameters"):
        owner = {id(p): name.rpartition(".")[0] for name, p in model.named_parameters()}
        for t in nodes:
            if t._ctx is None and owner.get(id(t)):
                box_of_tensor[id(t)] = owner[id(t)]
    labels = {key: key for key in set(box_of_op.values()) | set(box_of_tensor.values())}
    return box_of_op, box_of_tensor, labels


def _emit_boxes(graph: ComputationGraph, bodies: dict, labels: dict) -> None:
    """Add every node; a box's nodes go in a ``cluster_*`` subgraph, nested by dotted name
    (``layers.0.activation`` inside ``layers.0`` when both have nodes)."""
    boxes = [key for key in bodies if key]

    def parent_of(key: str) -> str:
        parts = key.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            if prefix in bodies:
                return prefix
        return ""

    children: dict[str, list[str]] = {}
    for key in boxes:
        children.setdefault(parent_of(key), []).append(key)
    numbers = {key: n for n, key in enumerate(sorted(boxes))}

    def add_nodes(target: Any, key: str) -> None:
        for node_id, label, attrs in bodies.get(key, []):
            target.node(node_id, graphviz.nohtml(label), **attrs)

    # Build boxes deepest first, so each subgraph is complete before it joins its parent.
    built: dict[str, Any] = {}
    for key in sorted(boxes, key=lambda b: -b.count(".")):
        sub = graphviz.Digraph(name=f"cluster_{numbers[key]}")
        sub.attr(**{**viz.STYLE["cluster"], "label": graphviz.nohtml(viz.escape_text(labels.get(key, key)))})
        add_nodes(sub, key)
        for child in sorted(children.get(key, []), key=lambda c: numbers[c]):
            sub.subgraph(built.pop(child))
        built[key] = sub
    add_nodes(graph, "")
    for key in sorted(children.get("", []), key=lambda c: numbers[c]):
        graph.subgraph(built.pop(key))


def _emit_legend(graph: ComputationGraph, rows: list[tuple[str, dict]]) -> None:
    graph.node("legend", viz.legend_label(rows), **viz.STYLE["legend"])

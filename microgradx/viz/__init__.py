"""Seeing the graph: a pure walk, names, styling, drawing, rendering, and chain-rule traces.

The pieces, in the order data flows through them (STYLE.md, point 11):

- `walk` — the graph as plain data (tensors and edges), no styling;
- `names` — the one display name of every tensor;
- `style` — the style table: colours, shapes, thresholds, number formatting;
- `draw` — a ``graphviz.Digraph`` from the walk, the names and the style;
- `render` — the only module that runs a program (system ``dot`` or ``graphviz-pure``);
- `explain` and `trace` — the chain rule written out with numbers.
"""

from __future__ import annotations

from .draw import draw_graph, render_graph
from .explain import explain
from .names import tensor_names
from .trace import trace_backward

__all__ = ["draw_graph", "explain", "render_graph", "tensor_names", "trace_backward"]

"""Seeing the graph: a pure walk, names, styling, drawing, rendering, and chain-rule traces.

The pieces, in the order data flows through them (STYLE.md, point 11):

- `walk` — the graph as plain data (tensors and edges), no styling;
- `names` — the one display name of every tensor;
- `style` — the style table: colours, shapes, thresholds, number formatting;
- `draw` — a ``graphviz.Digraph`` from the walk, the names and the style;
- `render` — the only module that runs a program (system ``dot`` or ``graphviz-pure``);
- `explain` and `trace` — the chain rule written out with numbers;
- `stepper`, `player` and `orders` — the passes frame by frame, as one offline HTML player, and
  why the backward order matters;
- `why` — why a gradient is zero, None, not finite or tiny, and the fix.
"""

from __future__ import annotations

from .draw import draw_graph, render_graph
from .explain import explain
from .names import tensor_names
from .orders import OrderReport, compare_orders
from .stepper import Stepper, step_backward
from .trace import trace_backward
from .why import Diagnosis, why

__all__ = [
    "Diagnosis",
    "OrderReport",
    "Stepper",
    "compare_orders",
    "draw_graph",
    "explain",
    "render_graph",
    "step_backward",
    "tensor_names",
    "trace_backward",
    "why",
]

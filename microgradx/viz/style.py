"""How a computation graph looks: the style table, node labels, escaping and the colour legend.

Nothing here walks a graph or runs a program; `microgradx.viz.draw` combines `microgradx.viz.walk`
with these tables. Change a colour here and every picture and its legend follow.

The colours teach three things:

- **role** of a tensor: parameters (leaves that require grad) are blue, data and constants grey,
  the output green, ops yellow ellipses;
- **gradient magnitude** (``shade_grad=True``): a tensor is filled by its mean ``|grad|`` relative
  to the largest one in the graph, one shade per factor of ten, so gradients that shrink layer
  after layer (vanishing gradients) fade towards white;
- **activations that block the gradient**: a *dead ReLU* output (every unit dead, so
  ∂a/∂z = 0 and nothing flows back) gets a thick red border; a *saturated* sigmoid or tanh output
  (at least `SATURATION_FRACTION` of its elements saturated) gets a thick purple border. What
  "dead" and "saturated" mean is defined once, in `microgradx.diagnostics.measures`
  (`dead_units`, `saturated`, `SATURATION_LEVEL`); the legend's text is built from those constants.
"""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np

__all__ = [
    "GRAD_SHADES",
    "SATURATION_FRACTION",
    "STYLE",
    "ZERO_GRAD_COLOR",
    "escape_record",
    "escape_text",
    "grad_magnitude",
    "grad_shade",
    "legend_entries",
    "legend_label",
]

#: One row per kind of thing drawn: Graphviz attributes. `draw_graph` starts from these.
STYLE: dict[str, dict[str, str]] = {
    "graph": {"fontname": "Helvetica", "fontsize": "11", "nodesep": "0.25", "ranksep": "0.35"},
    "tensor": {
        "shape": "record",
        "style": "filled",
        "fillcolor": "white",
        "fontname": "Helvetica",
        "fontsize": "10",
        "color": "#444444",
    },
    "parameter": {"fillcolor": "#cfe2f3"},  # leaf with requires_grad: what training changes
    "input": {"fillcolor": "#eeeeee"},  # data and constants (no gradient wanted)
    "output": {"fillcolor": "#d9ead3", "penwidth": "1.5"},  # the root (usually the loss)
    "op": {
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": "#fff2cc",
        "fontname": "Helvetica",
        "fontsize": "10",
        "color": "#7f6000",
        "height": "0.3",
    },
    "edge": {"color": "#555555", "arrowsize": "0.6", "fontsize": "8", "fontcolor": "#777777"},
    "cluster": {
        "style": "rounded,dashed",
        "color": "#6d9eeb",
        "fontname": "Helvetica",
        "fontsize": "11",
        "fontcolor": "#1c4587",
        "labeljust": "l",
    },
    "dead_relu": {"color": "#cc0000", "penwidth": "3"},
    "saturated": {"color": "#7b3294", "penwidth": "3"},
    # a hidden unit whose gradient equals another unit's ("same as w11": `microgradx.viz.symmetry`)
    "same_as": {"style": "filled,dashed", "penwidth": "2"},
    "truncated": {
        "shape": "note",
        "style": "filled,dashed",
        "fillcolor": "#f4f4f4",
        "fontname": "Helvetica",
        "fontsize": "10",
        "color": "#999999",
    },
    "legend": {"shape": "plaintext", "fontname": "Helvetica", "fontsize": "9"},
}

#: Gradient shading, strongest first: (lowest ratio to the largest mean |grad|, fill colour).
#: Anything below the last ratio (but not exactly 0) gets the last colour.
GRAD_SHADES: tuple[tuple[float, str], ...] = (
    (1e-1, "#fd8d3c"),
    (1e-2, "#fdae6b"),
    (1e-3, "#fdd0a2"),
    (1e-4, "#fee6ce"),
    (0.0, "#fffaf5"),
)
#: Fill for a tensor whose gradient is exactly zero everywhere.
ZERO_GRAD_COLOR = "#bdbdbd"

#: A sigmoid/tanh output is marked saturated when at least this fraction of its elements is
#: saturated (each element: `microgradx.diagnostics.measures.saturated`).
SATURATION_FRACTION = 0.5

# --------------------------------------------------------------------------------- escaping
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_RECORD_SPECIAL = re.compile(r'([{}|<>"])')


def escape_text(text: Any) -> str:
    r"""Make user text (a tensor or module name) safe inside a quoted DOT string.

    Backslashes are doubled (so ``\N``, ``\l`` … stay literal), quotes become ``\"`` (so the text
    cannot end the string and add attributes), newlines become Graphviz line breaks (``\n``) and
    tabs become spaces and other control characters are dropped.
    """
    s = _CONTROL.sub("", str(text).replace("\t", " ")).replace("\\", "\\\\").replace('"', '\\"')
    return _NEWLINE.sub(r"\\n", s)


def escape_record(text: Any) -> str:
    r"""Like `escape_text`, and also backslash-escape ``{ } | < >``: a record label's field syntax.

    >>> print(escape_record('x{1}|<y>'))
    x\{1\}\|\<y\>
    """
    s = _CONTROL.sub("", str(text).replace("\t", " ")).replace("\\", "\\\\")
    s = _RECORD_SPECIAL.sub(r"\\\1", s)
    return _NEWLINE.sub(r"\\n", s)


# ------------------------------------------------------------------------ what colours mean
def grad_magnitude(grad: Any) -> float | None:
    """Mean ``|grad|`` over elements (None when there is no gradient)."""
    if grad is None:
        return None
    g = np.asarray(grad, dtype=np.float64)
    with np.errstate(all="ignore"):
        return float(np.mean(np.abs(g))) if g.size else 0.0


def grad_shade(magnitude: float | None, largest: float) -> str | None:
    """Fill colour for a tensor whose mean |grad| is ``magnitude``, when the largest is ``largest``."""
    if magnitude is None or largest <= 0 or not np.isfinite(largest):
        return None
    if magnitude == 0:
        return ZERO_GRAD_COLOR
    ratio = magnitude / largest
    for lowest, colour in GRAD_SHADES:
        if ratio >= lowest:
            return colour
    return GRAD_SHADES[-1][1]  # pragma: no cover - the last row's bound is 0


def legend_entries(
    shade: bool,
    largest: float | None,
    dead: bool,
    saturated: bool,
) -> list[tuple[str, dict[str, str]]]:
    """The legend rows: (text, HTML table-cell attributes) for each colour the picture can show."""
    rows = [
        ("parameter (leaf, requires grad)", {"bgcolor": STYLE["parameter"]["fillcolor"]}),
        ("data / constant", {"bgcolor": STYLE["input"]["fillcolor"]}),
        ("intermediate tensor", {"bgcolor": STYLE["tensor"]["fillcolor"]}),
        ("output", {"bgcolor": STYLE["output"]["fillcolor"], "border": "2"}),
        ("op", {"bgcolor": STYLE["op"]["fillcolor"], "style": "rounded", "color": STYLE["op"]["color"]}),
    ]
    if shade and largest:
        rows.append((f"mean |grad|, largest {largest:.2e}:", {"border": "0"}))
        bounds = [lo for lo, _ in GRAD_SHADES]
        for k, (lowest, colour) in enumerate(GRAD_SHADES):
            if k == 0:
                text = f"≥ {lowest:.0%} of largest"
            elif lowest > 0:
                text = f"{lowest:.2%} – {bounds[k - 1]:.2%}".replace(".00%", "%")
            else:
                text = f"< {bounds[k - 1]:.2%} (vanishing)".replace(".00%", "%")
            rows.append((text, {"bgcolor": colour}))
        rows.append(("exactly 0", {"bgcolor": ZERO_GRAD_COLOR}))
    if dead:
        rows.append(
            (
                "dead ReLU: z ≤ 0 on every example, output all 0, no gradient passes",
                {"bgcolor": "white", "color": STYLE["dead_relu"]["color"], "border": "3"},
            )
        )
    if saturated:
        from ..diagnostics.measures import SATURATION_LEVEL  # lazy: drawing needs no lab

        rows.append(
            (
                f"saturated sigmoid/tanh: slope < {SATURATION_LEVEL:.0%} of its peak "
                f"on ≥ {SATURATION_FRACTION:.0%} of elements",
                {"bgcolor": "white", "color": STYLE["saturated"]["color"], "border": "3"},
            )
        )
    return rows


def legend_label(rows: list[tuple[str, dict[str, str]]]) -> str:
    """The legend as one Graphviz HTML-like label: a column of coloured cells (text escaped)."""
    cells = ['<tr><td border="0"><b>legend</b></td></tr>']
    for text, attrs in rows:
        attr_text = " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items())
        cells.append(f"<tr><td {attr_text}>{html.escape(text, quote=True)}</td></tr>")
    return '<<table border="0" cellborder="1" cellspacing="3" cellpadding="3">' + "".join(cells) + "</table>>"

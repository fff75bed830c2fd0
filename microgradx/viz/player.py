"""The offline HTML player of a `Stepper`: the graph as SVG, the frames as JSON, a small script.

One file, nothing fetched: the SVG comes from the same renderer as `draw_graph` (system ``dot`` or
``graphviz-pure``) and is inlined; CSS and the vanilla-JS player are inlined too; there is no
``http(s)://`` anywhere in the page. Without JavaScript (GitHub's preview, an untrusted notebook)
the page shows the final state: every box with its value and its gradient.

Controls: buttons ``mgx-prev``, ``mgx-next``, ``mgx-play``, the range input ``mgx-slider``, the
arrow keys (← →); the caption is the element ``mgx-caption``. Each tensor's box is the SVG group
with id ``mgx-t{k}`` (``k``: its place in ``stepper.tensors``), its op's ellipse ``mgx-t{k}-op``;
the script rewrites the box's ``<text>`` fields from the frames.
"""

from __future__ import annotations

import html
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .draw import draw_graph

__all__ = ["MAX_PLAYER_TENSORS", "player_page", "player_svg"]

#: The player draws at most this many tensors: beyond that a picture stops teaching.
MAX_PLAYER_TENSORS = 300

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_FIELD_SEP = " | "


def box_id(k: int) -> str:
    """The SVG id of the box of tensor number ``k`` (its place in ``stepper.tensors``)."""
    return f"mgx-t{k}"


@contextmanager
def _showing(tensors: list, grads: dict[int, Any], names: dict[int, str]) -> Iterator[None]:
    """While drawing, let each tensor's ``.grad`` be ``grads[id(t)]`` (so the picture of a naive
    replay shows the replay's gradients) and its ``.name`` its display name (so each box is laid
    out for the text the player writes in it); both are put back afterwards."""
    saved = [(t, t.grad, t.name) for t in tensors]
    try:
        for t in tensors:
            t.grad = grads.get(id(t))
            t.name = names[id(t)]
        yield
    finally:
        for t, g, name in saved:
            t.grad, t.name = g, name


def player_svg(stepper: Any) -> str:
    """The graph of ``stepper`` as inline SVG markup, every box showing the final frame's text.

    Raises:
        ValueError: the graph has more than `MAX_PLAYER_TENSORS` tensors.
        `microgradx.viz.render.RendererError`: no renderer is installed.
        RuntimeError: a box does not have one text element per field (should not happen).
    """
    tensors = stepper.tensors
    if len(tensors) > MAX_PLAYER_TENSORS:
        raise ValueError(
            f"the player draws at most {MAX_PLAYER_TENSORS} tensors, this graph has {len(tensors)}; "
            "step through a smaller graph (one sample instead of a batch, a narrower network)"
        )
    ids = {id(t): box_id(k) for k, t in enumerate(tensors)}
    with _showing(tensors, stepper.final_grads, stepper.names):
        graph = draw_graph(
            stepper.root, model=stepper.model, mark_activations=False, max_nodes=None, node_ids=ids
        )
    svg = graph.pipe(format="svg", encoding="utf-8")
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", _XLINK_NS)
    tree = ET.fromstring(svg)
    groups = {g.get("id"): g for g in tree.iter(f"{{{_SVG_NS}}}g") if g.get("id")}
    final = stepper.frames[-1].values if stepper.frames else {}
    for k, t in enumerate(tensors):
        name = stepper.names[id(t)]
        g = groups.get(box_id(k))
        if g is None:
            raise RuntimeError(f"player: the renderer's SVG has no box for tensor {name!r}")
        fields = final[name].split(_FIELD_SEP)
        texts = list(g.iter(f"{{{_SVG_NS}}}text"))
        if len(texts) != len(fields):
            raise RuntimeError(
                f"player: the box of {name!r} has {len(texts)} text elements for {len(fields)} fields"
            )
        for element, text in zip(texts, fields, strict=True):
            element.text = text
        title = g.find(f"{{{_SVG_NS}}}title")
        if title is not None:
            title.text = name  # the tooltip
    out = ET.tostring(tree, encoding="unicode")
    # Inline in HTML the namespace declarations are not needed; dropping them leaves no URL at all.
    return re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", out, count=2)


def frames_data(stepper: Any) -> dict:
    """The frames as plain data for the script: box ids, the start state, and per frame its
    caption, kind, highlighted boxes and the boxes whose fields change."""
    tensors = stepper.tensors
    index = {id(t): k for k, t in enumerate(tensors)}
    names = [stepper.names[id(t)] for t in tensors]
    frames = stepper.frames
    start = [stepper.start_values[n].split(_FIELD_SEP) for n in names]
    out = []
    previous = [_FIELD_SEP.join(f) for f in start]
    for frame in frames:
        now = [frame.values[n] for n in names]
        changed = {k: now[k].split(_FIELD_SEP) for k in range(len(names)) if now[k] != previous[k]}
        node = index[id(frame.node)]
        if frame.kind == "forward":
            to = [index[id(p)] for p in frame.node._ctx.parents]
        else:
            to = [index[id(f.parent)] for f in frame.flows]
        out.append({"kind": frame.kind, "text": frame.text, "node": node, "to": to, "set": changed})
        previous = now
    return {"boxes": [box_id(k) for k in range(len(tensors))], "start": start, "frames": out}


def player_page(stepper: Any, *, full_page: bool = True) -> str:
    """The player as a whole HTML page (``full_page``) or as a fragment for a notebook cell."""
    svg = player_svg(stepper)
    data = json.dumps(frames_data(stepper), ensure_ascii=False, separators=(",", ":"))
    data = data.replace("<", "\\u003c")  # nothing in the JSON can close the <script> element
    pid = "mgx-player" if full_page else f"mgx-player-{uuid.uuid4().hex[:12]}"
    n = len(stepper.frames)
    last = stepper.frames[-1].text if n else "(no frames)"
    esc = html.escape
    body = (
        f'<div class="mgx-player" id="{pid}" tabindex="0">\n<style>{_CSS}</style>\n'
        f'<div class="mgx-title">{esc(stepper.title)}</div>\n'
        '<div class="mgx-controls">'
        '<button type="button" id="mgx-prev" title="previous frame (←)">◀ prev</button>'
        '<button type="button" id="mgx-play" title="play / pause">▶ play</button>'
        '<button type="button" id="mgx-next" title="next frame (→)">next ▶</button>'
        f'<input type="range" id="mgx-slider" min="0" max="{max(n - 1, 0)}" value="{max(n - 1, 0)}" '
        'aria-label="frame">'
        f'<span class="mgx-counter">{n} / {n}</span>'
        '<span class="mgx-key"><span class="mgx-key-active">■</span> the op at work '
        '<span class="mgx-key-to">■</span> what it reads or passes to</span>'
        "</div>\n"
        f'<div id="mgx-caption" class="mgx-caption">{esc(last)}</div>\n'
        f'<div class="mgx-graph">{svg}</div>\n'
        f'<script type="application/json" class="mgx-frames">{data}</script>\n'
        f"<script>{_JS.replace('__PID__', pid)}</script>\n"
        "</div>"
    )
    if not full_page:
        return body
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(stepper.title)} · microgradx</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


_CSS = """
.mgx-player{font-family:Helvetica,Arial,sans-serif;font-size:14px;outline:none}
.mgx-title{font-weight:bold;margin:.2em 0}
.mgx-controls{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;margin:.3em 0}
.mgx-controls button{font-size:13px;padding:.2em .7em;cursor:pointer}
#mgx-slider{flex:1;min-width:8em}
.mgx-key{font-size:12px;color:#555}
.mgx-key-active{color:#d62728}.mgx-key-to{color:#ff7f0e}
.mgx-caption{font-family:Menlo,Consolas,monospace;font-size:13px;background:#f6f8fa;
 border-left:4px solid #6d9eeb;padding:.45em .7em;white-space:pre-wrap;min-height:2.8em}
.mgx-graph{overflow:auto;margin-top:.4em}
.mgx-graph svg{max-width:100%;height:auto}
.mgx-graph g.mgx-active>polygon,.mgx-graph g.mgx-active>ellipse{stroke:#d62728;stroke-width:3px}
.mgx-graph g.mgx-to>polygon{stroke:#ff7f0e;stroke-width:2.5px}
.mgx-graph g.mgx-pending text{fill:#aaaaaa}
"""

# The player. Vanilla JS, no library: state = the start state with every frame's changes up to
# the current one applied; each box's <text> elements get their fields.
_JS = """
(function () {
  var root = document.getElementById("__PID__");
  if (!root) return;
  var data = JSON.parse(root.querySelector("script.mgx-frames").textContent);
  function el(id) { return root.querySelector('[id="' + id + '"]'); }
  var prev = el("mgx-prev"), next = el("mgx-next"), play = el("mgx-play");
  var slider = el("mgx-slider"), caption = el("mgx-caption");
  var counter = root.querySelector(".mgx-counter");
  var boxes = data.boxes.map(function (id) {
    var g = el(id);
    return g ? {g: g, op: el(id + "-op"), texts: g.querySelectorAll("text")} : null;
  });
  var n = data.frames.length, at = 0, timer = null;
  function mark(k, cls) {
    var b = boxes[k];
    if (!b) return;
    b.g.classList.add(cls);
    if (cls === "mgx-active" && b.op) b.op.classList.add(cls);
  }
  function show(i) {
    if (!n) return;
    at = Math.max(0, Math.min(n - 1, i));
    var state = data.start.slice();
    for (var j = 0; j <= at; j++) {
      var set = data.frames[j].set;
      for (var k in set) state[k] = set[k];
    }
    boxes.forEach(function (b, k) {
      if (!b) return;
      var f = state[k];
      for (var m = 0; m < b.texts.length && m < f.length; m++) b.texts[m].textContent = f[m];
      b.g.classList.remove("mgx-active", "mgx-to", "mgx-pending");
      if (b.op) b.op.classList.remove("mgx-active");
      if (f.indexOf("data ?") >= 0) b.g.classList.add("mgx-pending");
    });
    var fr = data.frames[at];
    fr.to.forEach(function (k) { mark(k, "mgx-to"); });
    mark(fr.node, "mgx-active");
    caption.textContent = fr.text;
    slider.value = String(at);
    counter.textContent = (at + 1) + " / " + n;
    prev.disabled = at === 0;
    next.disabled = at === n - 1;
  }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    play.textContent = "\\u25B6 play";
  }
  function step(d) { stop(); show(at + d); }
  prev.addEventListener("click", function () { step(-1); });
  next.addEventListener("click", function () { step(1); });
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  play.addEventListener("click", function () {
    if (timer) { stop(); return; }
    if (at === n - 1) show(0);
    play.textContent = "\\u275A\\u275A pause";
    timer = setInterval(function () { if (at >= n - 1) stop(); else show(at + 1); }, 900);
  });
  function onKey(e) {
    if (e.target === slider) return;  // the slider moves itself with the arrow keys
    if (e.key === "ArrowRight") { step(1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { step(-1); e.preventDefault(); }
  }
  root.addEventListener("keydown", function (e) { onKey(e); e.stopPropagation(); });
  document.addEventListener("keydown", function (e) {
    if (e.target === document.body || e.target === document.documentElement) onKey(e);
  });
  show(0);
})();
"""

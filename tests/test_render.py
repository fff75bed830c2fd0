"""Rendering: renderer choice (system dot preferred, graphviz-pure fallback), formats, escaping of
hostile names, errors that name the fix, and the Jupyter display."""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
import xml.etree.ElementTree as ET

import pytest
from graphs import neuron as _neuron

import microgradx as mgx
from microgradx.viz import render as R
from microgradx.viz.draw import draw_graph, render_graph

SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
posix_only = pytest.mark.skipif(os.name == "nt", reason="fake executables are shell scripts")


def neuron():
    """The shared neuron (tests/graphs.py) after backward: the loss L."""
    return _neuron(backward=True)[0]


def svg_texts(path_or_text) -> list[str]:
    text = path_or_text.read_text("utf-8") if hasattr(path_or_text, "read_text") else path_or_text
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == SVG_NS + "svg"
    return ["".join(el.itertext()) for el in root.iter(SVG_NS + "text")]


@pytest.fixture
def no_system_dot(monkeypatch, tmp_path):
    """PATH holds nothing: only graphviz-pure next to sys.executable can be found."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


@pytest.fixture
def no_renderer(monkeypatch, no_system_dot, tmp_path):
    """Neither dot nor graphviz-pure anywhere (sys.executable pointed at an empty folder)."""
    fake_python = tmp_path / "nowhere" / "python"
    fake_python.parent.mkdir()
    monkeypatch.setattr(sys, "executable", str(fake_python))


def make_fake(folder, name, body):
    """An executable shell script; ``cat`` and ``sleep`` are called by absolute path, since the
    tests empty PATH."""
    for tool in ("cat", "sleep"):
        body = re.sub(rf"\b{tool}\b", shutil.which(tool) or tool, body)
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


# --------------------------------------------------------------------------- suffixes
@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [(".svg", "svg"), (".png", "png"), (".pdf", "pdf"), (".dot", "dot"), (".gv", "dot"), (".SVG", "svg")],
)
def test_format_from_suffix(suffix, fmt):
    assert R.format_for_path(f"graph{suffix}") == fmt


@pytest.mark.parametrize("name", ["graph.jpgx", "graph", "graph.html"])
def test_unknown_suffix_is_a_value_error_listing_the_choices(name, tmp_path):
    with pytest.raises(ValueError, match=r"\.svg.*\.png"):
        render_graph(neuron(), tmp_path / name)
    assert not (tmp_path / name).exists()


# --------------------------------------------------------------------------- formats
def test_svg_is_valid_xml_with_names_values_and_ops(tmp_path):
    out = render_graph(neuron(), tmp_path / "g.svg")
    assert out == tmp_path / "g.svg"
    texts = svg_texts(out)
    for expected in [
        "w1",
        "x1",
        "z",
        "a",
        "L",
        "sigmoid",
        "mul",
        "add",
        "pow",
        "data 0.6225",
        "grad 0.5851",
        "grad 1.2449",
    ]:
        assert expected in texts, expected


def test_png_has_png_magic(tmp_path):
    out = render_graph(neuron(), tmp_path / "g.png")
    assert out.read_bytes()[:8] == PNG_MAGIC


def test_dot_file_is_the_source_and_needs_no_renderer(tmp_path, no_renderer):
    loss = neuron()
    out = render_graph(loss, tmp_path / "g.dot")
    assert out.read_text("utf-8") == draw_graph(loss).source
    assert out.read_text("utf-8").startswith("digraph")


def test_parent_folder_is_created(tmp_path):
    out = render_graph(neuron(), tmp_path / "a" / "b" / "g.svg")
    assert out.exists()


def test_render_an_already_drawn_graph(tmp_path):
    g = draw_graph(neuron(), rankdir="TB")
    out = render_graph(g, tmp_path / "g.svg")
    assert "rankdir=TB" in g.source and "sigmoid" in svg_texts(out)
    with pytest.raises(TypeError, match="draw_graph"):
        render_graph(g, tmp_path / "h.svg", shade_grad=True)


# ---------------------------------------------------------------------- renderer choice
def test_graphviz_pure_found_next_to_python_when_path_is_empty(no_system_dot, tmp_path):
    renderer = R.find_renderer("svg")
    assert renderer.name == "graphviz-pure"
    assert os.path.dirname(renderer.path) == os.path.dirname(sys.executable)
    out = render_graph(neuron(), tmp_path / "g.svg")
    assert "graphviz-pure" in out.read_text("utf-8")  # its generator comment
    assert "sigmoid" in svg_texts(out)
    assert render_graph(neuron(), tmp_path / "g.png").read_bytes()[:8] == PNG_MAGIC


@posix_only
def test_system_dot_is_preferred_when_present(monkeypatch, tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    # A fake `dot` that writes a recognisable SVG naming the flag it was given.
    make_fake(
        fake_bin,
        "dot",
        "cat > /dev/null\n"
        'echo "<svg xmlns=\\"http://www.w3.org/2000/svg\\"><text>FAKE-DOT $1</text></svg>"\n',
    )
    monkeypatch.setenv("PATH", str(fake_bin))
    assert R.find_renderer("svg").name == "dot"
    out = render_graph(neuron(), tmp_path / "g.svg")
    assert svg_texts(out) == ["FAKE-DOT -Tsvg"]


@posix_only
def test_pdf_uses_system_dot(monkeypatch, tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    make_fake(fake_bin, "dot", 'cat > /dev/null\nprintf "%%PDF-1.4 fake %s" "$1"\n')
    monkeypatch.setenv("PATH", str(fake_bin))
    out = render_graph(neuron(), tmp_path / "g.pdf")
    assert out.read_bytes() == b"%PDF-1.4 fake -Tpdf"


def test_pdf_without_system_dot_names_the_fix(no_system_dot, tmp_path):
    with pytest.raises(R.RendererError) as err:
        render_graph(neuron(), tmp_path / "g.pdf")
    message = str(err.value)
    assert "pdf" in message and "install the system Graphviz" in message and ".svg" in message
    assert not (tmp_path / "g.pdf").exists()


def test_no_renderer_at_all_names_the_fix(no_renderer, tmp_path):
    with pytest.raises(R.RendererError, match="graphviz-pure") as err:
        render_graph(neuron(), tmp_path / "g.svg")
    assert ".dot" in str(err.value)


@posix_only
def test_renderer_failure_reports_its_message(monkeypatch, tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    make_fake(fake_bin, "dot", 'cat > /dev/null\necho "syntax error in line 3" >&2\nexit 1\n')
    monkeypatch.setenv("PATH", str(fake_bin))
    with pytest.raises(R.RendererError, match="syntax error in line 3"):
        render_graph(neuron(), tmp_path / "g.svg")


@posix_only
def test_renderer_timeout_is_an_error_not_a_hang(monkeypatch, tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    make_fake(fake_bin, "dot", "exec sleep 30\n")
    monkeypatch.setenv("PATH", str(fake_bin))
    with pytest.raises(R.RendererError, match=r"longer than 0.3 s"):
        render_graph(neuron(), tmp_path / "g.svg", timeout=0.3)


def test_invalid_dot_through_graphviz_pure_is_a_renderer_error(no_system_dot):
    with pytest.raises(R.RendererError, match="graphviz-pure"):
        R.pipe_dot("digraph { a -> }", "svg")


# --------------------------------------------------------------------------- escaping
HOSTILE = [
    'x" fillcolor="red',  # try to close the string and add an attribute
    '"]; evil [label="pwned"]; x ["',  # try to add a node
    "<b>bold</b>",  # looks like an HTML label
    "a|b{c}<d>",  # record field syntax
    "back\\slash\\N\\G\\l\\",  # escString sequences and a trailing backslash
    "two\nlines\r\nthree",
    "tab\there\x00nul\x07bell",
    "ünïcødé σ(z) ∂L/∂w",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_render_literally(name, tmp_path, no_system_dot):
    w = mgx.Tensor(0.25, requires_grad=True, name=name)  # tanh(0.5): not saturated, no legend
    y = (w * 2.0).tanh()
    y.name = name + "_out"
    g = draw_graph(y, title=name)
    out = render_graph(g, tmp_path / "g.svg")
    texts = svg_texts(out)
    expected = name.replace("\r\n", "\n").replace("\r", "\n")
    expected = expected.replace("\t", " ")
    expected = "".join(ch for ch in expected if ch == "\n" or (ch >= " " and ch != "\x7f"))
    # Every line of the name appears as one text element (Graphviz puts each line in its own).
    for line in expected.split("\n"):
        assert line in texts, (line, texts)
    assert "pwned" not in texts
    # Nothing was injected: 6 nodes (tensors w, 2, w·2, y; ops mul, tanh), no red fill.
    svg = out.read_text("utf-8")
    assert 'fill="red"' not in svg
    assert svg.count('class="node"') == 6
    node_lines = [ln for ln in g.source.splitlines() if re.match(r"\t(t|op)\d+ \[", ln)]
    assert len(node_lines) == 6


def test_hostile_module_names_in_clusters(tmp_path, no_system_dot):
    nn = pytest.importorskip("microgradx.nn")

    class Box(nn.Module):
        def __init__(self):
            super().__init__()
            setattr(self, 'odd"] name', nn.Layer(1, 1, activation="tanh", rng=0))

        def forward(self, x):
            return getattr(self, 'odd"] name')(x)

    model = Box()
    y = model(mgx.Tensor([[1.0]])).sum()
    out = render_graph(y, tmp_path / "g.svg", model=model)
    texts = svg_texts(out)
    assert 'odd"] name' in texts
    assert "W1 (1×1)" in texts  # the layer's weight has the notes' name (microgradx.viz.names)


# --------------------------------------------------------------------------- Jupyter
def test_jupyter_display_is_svg():
    g = draw_graph(neuron())
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "sigmoid" in svg_texts(bundle["image/svg+xml"])
    assert "sigmoid" in svg_texts(g._repr_svg_())


def test_jupyter_display_without_any_renderer_shows_the_dot_text(no_renderer):
    g = draw_graph(neuron())
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert bundle["text/plain"].startswith(g.source)
    assert "not rendered" in bundle["text/plain"]
    assert g._repr_svg_() is None


def test_digraph_pipe_and_render_use_our_renderer(no_system_dot, tmp_path):
    g = draw_graph(neuron())
    assert g.pipe(format="png")[:8] == PNG_MAGIC
    assert "sigmoid" in svg_texts(g.pipe(encoding="utf-8"))
    path = g.render(outfile=tmp_path / "r.svg")
    assert path == os.fspath(tmp_path / "r.svg") and "L" in svg_texts(tmp_path / "r.svg")
    path = g.render(filename=tmp_path / "graph", format="png", cleanup=True)
    assert path.endswith("graph.png") and not (tmp_path / "graph").exists()
    assert (tmp_path / "graph.png").read_bytes()[:8] == PNG_MAGIC
    copy = g.copy()
    assert type(copy) is type(g) and copy.source == g.source


# ---------------------------------------------------------------- formats and timeouts, one list
@pytest.mark.parametrize("timeout", [-1, 0, float("nan"), float("inf"), "10", True])
def test_bad_timeout_is_a_value_error_before_any_work(timeout, tmp_path):
    x = mgx.Tensor(2.0, requires_grad=True, name="x")
    y = x * x
    with pytest.raises(ValueError, match=r"timeout must be a positive number of seconds, got"):
        mgx.render_graph(y, tmp_path / "g.svg", timeout=timeout)
    with pytest.raises(ValueError, match=r"timeout must be a positive number of seconds"):
        R.pipe_dot("digraph {}", "svg", timeout=timeout)
    assert not (tmp_path / "g.svg").exists()


def test_unknown_pipe_format_names_it_and_the_known_ones():
    g = mgx.draw_graph(mgx.Tensor(2.0, requires_grad=True) * 3)
    with pytest.raises(ValueError, match=r"unknown output format 'bogus'; expected one of .*svg") as err:
        g.pipe(format="bogus")
    assert "install" not in str(err.value)


def test_jpg_works_in_render_graph_as_in_pipe(tmp_path):
    pytest.importorskip("graphviz")
    try:
        R.find_renderer("jpeg")
    except R.RendererError as err:
        pytest.skip(f"no renderer writes JPEG here: {err}")
    y = mgx.Tensor(2.0, requires_grad=True, name="x") * 3
    for name in ("g.jpg", "g.jpeg"):
        path = mgx.render_graph(y, tmp_path / name)
        assert path.read_bytes()[:3] == b"\xff\xd8\xff"  # the JPEG magic number
    assert mgx.draw_graph(y).pipe(format="jpg")[:3] == b"\xff\xd8\xff"
    assert set(R.SUFFIX_FORMATS.values()) <= R.FORMATS

"""The documentation is tested: every ```python block of docs/ runs, links resolve, and the
reference pages cover what exists (every public name, every experiment, every erratum's test)."""

from __future__ import annotations

import contextlib
import doctest
import importlib
import importlib.util
import io
import os
import re
import unicodedata
from pathlib import Path

import pytest

import microgradx as mgx
from microgradx import data, diagnostics, init, lab, nn, optim

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def _rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


# The pages this test owns (the other guides, nn.md, initialization.md, graphs.md, …, are run by
# their authors' tests with the fixtures their snippets assume).
MY_PAGES = [
    DOCS / "index.md",
    DOCS / "lab.md",
    DOCS / "api.md",
    DOCS / "notes-errata.md",
    DOCS / "watching-backprop.md",
    DOCS / "classification.md",
    *sorted((DOCS / "activations").glob("*.md")),
]


def python_blocks(page: Path) -> list[str]:
    return FENCE.findall(page.read_text(encoding="utf-8"))


# A block that needs an optional package says so on its first line, ``# requires: torch``
# (several: ``# requires: torch, matplotlib``); without the package it is skipped, with a reason.
REQUIRES = re.compile(r"\A# requires: *([\w, ]+)\n")


def missing_packages(block: str) -> list[str]:
    """The optional packages a block declares (``# requires: …``) that are not installed."""
    m = REQUIRES.match(block)
    names = [n.strip() for n in m.group(1).split(",") if n.strip()] if m else []
    return [n for n in names if importlib.util.find_spec(n) is None]


@pytest.mark.parametrize("page", [p for p in MY_PAGES if python_blocks(p)], ids=_rel)
def test_python_blocks_run(page, tmp_path, monkeypatch):
    """The blocks of one page run in order in one namespace, from an empty directory.

    Blocks marked ``# requires: PACKAGE`` are skipped when PACKAGE is missing; the other blocks
    still run (a later block must not depend on a skipped one), then the test reports the skip.
    """
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    skipped = []
    blocks = python_blocks(page)
    for k, block in enumerate(blocks):
        missing = missing_packages(block)
        if missing:
            skipped.append(f"block {k} needs {', '.join(missing)}")
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                exec(compile(block, f"{_rel(page)}[block {k}]", "exec"), namespace)
            except Exception as err:  # name the block in the failure
                raise AssertionError(f"{_rel(page)} block {k} failed: {err!r}\n{block}") from err
    if skipped:
        pytest.skip(
            f"{_rel(page)}: {'; '.join(skipped)} (not installed); the other "
            f"{len(blocks) - len(skipped)} blocks ran"
        )


OPTIONAL = ("torch", "matplotlib")


def test_blocks_importing_an_optional_package_declare_it():
    """So the README's test command passes without torch and matplotlib (the blocks skip)."""
    for page in sorted(DOCS.rglob("*.md")):
        for k, block in enumerate(python_blocks(page)):
            m = REQUIRES.match(block)
            declared = {n.strip() for n in m.group(1).split(",")} if m else set()
            for name in OPTIONAL:
                if re.search(rf"^\s*(import|from) {name}\b", block, re.M):
                    assert name in declared, (
                        f"{_rel(page)} block {k} imports {name}: add '# requires: {name}'"
                    )


def test_requires_marker_is_read():
    assert missing_packages("# requires: no_such_package_xyz\nimport no_such_package_xyz\n") == [
        "no_such_package_xyz"
    ]
    assert missing_packages("# requires: numpy\nimport numpy\n") == []
    assert missing_packages("import numpy\n") == []


# Guides another helper is writing in parallel: a link to them is allowed before they exist.
PENDING = {"performance.md"}


def github_anchor(heading: str) -> str:
    """The id GitHub gives a Markdown heading: lower case, punctuation dropped, spaces → '-'."""
    text = heading.strip().lower()
    text = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {github_anchor(m) for m in re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M)}


@pytest.mark.parametrize("page", MY_PAGES, ids=_rel)
def test_links_resolve(page):
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)  # not inside code blocks
    for m in LINK.finditer(text):
        target = m.group(1) or m.group(2)
        if re.match(r"[a-z]+://", target):
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists() and dest.name in PENDING:
            continue
        assert dest.exists(), f"{_rel(page)}: broken link {target!r}"
        if anchor and dest.suffix == ".md":
            assert anchor in anchors(dest), f"{_rel(page)}: no heading #{anchor} in {_rel(dest)}"


def test_index_links_every_guide():
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in (
        "backprop-by-hand.md",
        "graphs.md",
        "nn.md",
        "classification.md",
        "initialization.md",
        "lab.md",
        "api.md",
        "notes-errata.md",
        "performance.md",
        "moving-to-pytorch.md",
    ):
        assert f"]({page}" in text, page


def test_api_page_names_every_public_name():
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    modules = {
        "microgradx": mgx,
        "nn": nn,
        "init": init,
        "data": data,
        "optim": optim,
        "diagnostics": diagnostics,
        "lab": lab,
    }
    missing = [
        f"{mod}.{name}"
        for mod, m in modules.items()
        for name in m.__all__
        if not re.search(rf"`[^`]*\b{re.escape(name)}\b[^`]*`", text)
    ]
    assert not missing, f"docs/api.md does not mention: {missing}"


def test_every_activation_has_a_page_and_a_plot():
    from microgradx.lab import catalog

    for name in catalog.ACTIVATION_INFO:
        page = DOCS / "activations" / f"{name}.md"
        assert page.exists(), page
        assert f"../images/activations/{name}.png" in page.read_text(encoding="utf-8")
        assert (DOCS / "images" / "activations" / f"{name}.png").exists()


def test_lab_page_covers_every_experiment():
    text = (DOCS / "lab.md").read_text(encoding="utf-8")
    for name in lab.names():
        assert f"\n## {name}\n" in text, name
        assert f"microgradx lab {name}" in text


def test_errata_doc_and_tests_match():
    doc = (DOCS / "notes-errata.md").read_text(encoding="utf-8")
    tests = (ROOT / "tests" / "test_errata.py").read_text(encoding="utf-8")
    named = set(re.findall(r"`(test_e\d+_\w+)`", doc))
    defined = set(re.findall(r"^def (test_e\d+_\w+)", tests, re.M))
    assert named == defined
    for n in sorted({int(m) for m in re.findall(r"^### E(\d+)$", doc, re.M)}):
        assert any(t.startswith(f"test_e{n}_") for t in defined), f"E{n} has no test"


@pytest.mark.parametrize(
    "module",
    [
        "microgradx.diagnostics.measures",
        "microgradx.diagnostics.recorder",
        "microgradx.diagnostics.tables",
        "microgradx.lab",
        "microgradx.lab.core",
        "microgradx.lab.catalog",
        "microgradx.data",
        "microgradx.classification",
        "microgradx.nn.activation",
        "microgradx.nn.loss",
    ],
)
def test_doctests(module):
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_make_plots_writes_the_activation_plots(tmp_path):
    pytest.importorskip("matplotlib")
    spec = importlib.util.spec_from_file_location("make_plots", DOCS / "make_plots.py")
    make_plots = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_plots)
    make_plots.ACT_DIR = tmp_path
    written = make_plots.make_activation_plots()
    assert sorted(p.name for p in written) == sorted(f"{n}.png" for n in mgx.lab.catalog.ACTIVATION_INFO)
    assert all(os.path.getsize(p) < 60_000 for p in written)  # small enough to commit


# The guides written with the engine, graphs and networks: their blocks run too, in order, in one
# namespace per page, from an empty directory (files they render land there).
GUIDES = [
    DOCS / "graphs.md",
    DOCS / "backprop-by-hand.md",
    DOCS / "nn.md",
    DOCS / "initialization.md",
    DOCS / "moving-to-pytorch.md",
]


@pytest.mark.parametrize("page", [p for p in GUIDES if p.exists() and python_blocks(p)], ids=_rel)
def test_guide_blocks_run(page, tmp_path, monkeypatch):
    test_python_blocks_run(page, tmp_path, monkeypatch)


def test_classification_page_quotes_the_real_cli_run():
    """The page's quoted `microgradx train --task classify` output is what the command prints."""
    import subprocess
    import sys

    text = (DOCS / "classification.md").read_text(encoding="utf-8")
    quoted = re.search(r"\$ microgradx train --task classify --out results\n(.*?)^```", text, re.S | re.M)
    assert quoted, "the CLI block is missing"
    lines = quoted.group(1).splitlines()
    proc = subprocess.run(
        [sys.executable, "-m", "microgradx", "train", "--task", "classify", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    real = proc.stdout.splitlines()
    assert lines[: len(real)] == real  # every printed line, then the files line of --out
    assert lines[-1].startswith("files in ") and "decision-boundary.png" in lines[-1]
    for image in ("moons-decision-boundary.png", "spirals-decision-boundary.png"):
        assert (
            f"(images/classification/{image})" in text
            and (DOCS / "images" / "classification" / image).exists()
        )


@pytest.mark.slow
def test_make_classification_plot_writes_both_pictures(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.image

    spec = importlib.util.spec_from_file_location(
        "make_classification_plot", DOCS / "make_classification_plot.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    written = script.make_plots(tmp_path)
    assert sorted(p.name for p in written) == sorted(script.RUNS)
    for path in written:
        height, width = matplotlib.image.imread(path).shape[:2]
        assert (width, height) == (600, 504)  # 5 × 4.2 inches at 120 dpi (≥ 100 dpi)
        assert os.path.getsize(path) < 100_000  # small enough to commit


# Pages that quote the lab's numbers by hand, and the heading of the passage that quotes them.
LAB_QUOTES = {
    "initialization.md": "## Measured in the lab",
    "activations/leaky_relu.md": "## What the lab measured",
    "activations/elu.md": "## What the lab measured",
    "activations/selu.md": "## What the lab measured",
    "activations/sigmoid.md": "## What the lab measured",
    "activations/tanh.md": "## What the lab measured",
    "activations/relu.md": "## What the lab measured",
}
MEASURED_NUMBER = re.compile(r"\d+\.\d{2,}e[+-]\d+|\d+\.\d{3,}|\d+\.\d%")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : None if end < 0 else end]


@pytest.mark.parametrize("page", [p for p in LAB_QUOTES if (DOCS / p).exists()])
def test_lab_numbers_quoted_in_the_guides_are_the_lab_pages_numbers(page):
    """Every measured number a guide quotes from the lab stands on docs/lab.md, which
    docs/make_plots.py writes from the experiments' runs: a rerun with other seeds or sizes that
    changes a number makes this fail until the guide is updated."""
    text = (DOCS / page).read_text(encoding="utf-8")
    if LAB_QUOTES[page] not in text:
        pytest.fail(f"{page} has no {LAB_QUOTES[page]!r} passage")
    lab_page = (DOCS / "lab.md").read_text(encoding="utf-8")
    quoted = MEASURED_NUMBER.findall(_section(text, LAB_QUOTES[page]))
    assert quoted, page
    missing = sorted({q for q in quoted if q not in lab_page})
    assert missing == [], f"{page} quotes numbers that docs/lab.md does not show: {missing}"


# E14 also quotes the numbers its own test measures (mean |δ| on other inputs), said so in the text.
ERRATA_QUOTING_TESTS = {"E14"}


def test_errata_measured_in_the_lab_quote_the_lab_pages_numbers():
    """An erratum's **Measured** paragraph that links an experiment quotes that run's numbers."""
    errata = (DOCS / "notes-errata.md").read_text(encoding="utf-8")
    lab_page = (DOCS / "lab.md").read_text(encoding="utf-8")
    checked, missing = 0, {}
    for entry in errata.split("\n### ")[1:]:
        name = entry.split("\n", 1)[0]
        if name in ERRATA_QUOTING_TESTS:
            continue
        for para in entry.split("\n\n"):
            if para.startswith("**Measured**") and "lab.md#" in para:
                checked += 1
                bad = sorted({q for q in MEASURED_NUMBER.findall(para) if q not in lab_page})
                if bad:
                    missing[name] = bad
    assert checked >= 8
    assert missing == {}

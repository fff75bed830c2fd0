"""The lesson notebooks in examples/notebooks: committed clean, and each runs in a fresh kernel.

Every notebook is executed headlessly (nbclient + ipykernel, the ``notebooks`` extra), so a
notebook that stops running fails the build, and its outputs must contain what its opening cell
promises: the graph displayed as SVG, the plots as PNG, the lab's tables and numbers.
"""

from __future__ import annotations

import json
import os
import pathlib

import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "notebooks"
ROOT = NOTEBOOKS.parent.parent

#: What each notebook's executed outputs must contain: MIME types displayed, and texts printed.
PROMISES: dict[str, dict[str, list[str]]] = {
    "01-tour": {"mime": ["image/svg+xml"], "text": ["-6.0", "True"]},
    "02-backprop-by-hand": {
        "mime": ["image/svg+xml", "text/html"],
        "text": ["∂a/∂w1", "0.3174", "same ∂L/∂w11 as above: True"],
    },
    "03-activations": {
        "mime": ["image/png"],
        "text": ["σ′(x) = 2.500e-01", "lab dying-relu", "lab leaky-fix"],
    },
    "04-initialization": {"mime": ["image/png"], "text": ["lab xavier-vs-he", "saturated"]},
    "05-train-a-regressor": {
        "mime": ["image/png", "image/svg+xml"],
        "text": ["final MSE", "identical predictions: True"],
    },
}
NEEDS_MATPLOTLIB = {"03-activations", "04-initialization", "05-train-a-regressor"}


def _paths() -> list[pathlib.Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def test_every_notebook_has_its_promises_listed():
    assert [p.stem for p in _paths()] == sorted(PROMISES)


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a lesson without code"
    for cell in code:
        assert cell.get("outputs") == [], f"{path.name}: a code cell has outputs (strip them)"
        assert cell.get("execution_count") is None, f"{path.name}: a code cell has an execution count"
    first, last = nb["cells"][0], nb["cells"][-1]
    assert first["cell_type"] == "markdown"
    assert "What you will see" in "".join(first["source"])
    assert last["cell_type"] == "markdown"
    assert "Exercises" in "".join(last["source"])


def _outputs(nb) -> tuple[set[str], str]:
    mimes: set[str] = set()
    texts: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                texts.append(out.text)
            elif out.output_type in ("display_data", "execute_result"):
                mimes.update(out.data)
                texts.append(out.data.get("text/plain", ""))
    return mimes, "\n".join(texts)


@pytest.mark.slow
@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_notebook_runs_and_shows_what_it_promises(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is not installed")
    nbclient = pytest.importorskip("nbclient", reason="the notebooks extra is not installed")
    pytest.importorskip("ipykernel", reason="the notebooks extra is not installed")
    if path.stem in NEEDS_MATPLOTLIB:
        pytest.importorskip("matplotlib", reason="this notebook plots (pip install '.[plot]')")
    # The kernel is a fresh interpreter: it must find this checkout's microgradx and plot inline.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    mimes, text = _outputs(nb)
    promise = PROMISES[path.stem]
    for mime in promise["mime"]:
        assert mime in mimes, f"{path.name} displayed no {mime}"
    for needle in promise["text"]:
        assert needle in text, f"{path.name}: {needle!r} is not in its outputs"

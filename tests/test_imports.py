"""Importing microgradx: fast, without the heavy optional parts, and every module importable first.

The one import cycle (tensor ↔ function ↔ ops/activations/losses/autograd) is resolved in one
place: `microgradx/tensor.py` imports the op modules at its bottom, after `Tensor` exists, and
each op module imports `Tensor` from there. A module imported first in a fresh interpreter must
still work, which is what the second test checks.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "microgradx"
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in PACKAGE.rglob("*.py")
    if p.name != "__main__.py"
)


def _python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_import_microgradx_loads_neither_graphviz_nor_tqdm_nor_matplotlib_nor_the_lab():
    out = _python(
        "import sys, microgradx\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in "
        "('graphviz', 'tqdm', 'matplotlib', 'torch')} | "
        "{m for m in sys.modules if m.startswith(('microgradx.lab', 'microgradx.viz', 'microgradx.diagnostics'))})\n"
        "print(heavy)"
    )
    assert out.strip() == "[]"


def test_the_lazy_names_work_and_are_listed():
    out = _python(
        "import microgradx as mgx\n"
        "x = mgx.Tensor(2.0, requires_grad=True, name='x'); y = x * x\n"
        "print(len(mgx.trace_backward(y)), callable(mgx.draw_graph), mgx.lab.EXPERIMENTS is not None,\n"
        "      'step_backward' in dir(mgx), all(hasattr(mgx, n) for n in mgx.__all__))\n"
        "from microgradx import explain, Stepper\n"
        "print(explain.__module__, Stepper.__name__)"
    )
    assert out.split("\n")[0] == "1 True True True True"
    assert "microgradx.viz.explain Stepper" in out
    import microgradx

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        microgradx.nope


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_every_module_imports_first_in_a_fresh_interpreter(module):
    _python(f"import {module}")

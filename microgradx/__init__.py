"""microgradx: an autograd engine in NumPy for learning and teaching backpropagation.

Import as ``import microgradx as mgx``. The core is `Tensor` (ops record a graph; ``backward``
applies the chain rule), every activation of the lecture notes as a differentiable op, losses,
`Function` for custom ops and `gradcheck` to test them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

# tensor first: it wires the op modules together (they import each other at the bottom).
from .tensor import Tensor  # noqa: I001
from . import functional
from .activations import SELU_ALPHA, SELU_SCALE
from .collector import gc_paused
from .function import Function, enable_grad, is_grad_enabled, no_grad
from .functional import *  # noqa: F403  (every activation and loss function: functional.__all__)
from .gradcheck import GradcheckError, gradcheck
from .random import manual_seed
from .serialization import load, save

__all__ = [
    "SELU_ALPHA",
    "SELU_SCALE",
    "Function",
    "GradcheckError",
    "Tensor",
    "__version__",
    "enable_grad",
    "functional",
    "gc_paused",
    "gradcheck",
    "is_grad_enabled",
    "load",
    "manual_seed",
    "no_grad",
    "save",
]
# every function of `functional` (its __all__, the one list), not its name -> function table
__all__ += [name for name in functional.__all__ if name != "ACTIVATIONS"]

if TYPE_CHECKING:  # what the lazy names below are, for type checkers and editors
    from . import diagnostics as diagnostics
    from . import lab as lab
    from . import viz as viz
    from .bridge import from_torch as from_torch
    from .bridge import to_torch as to_torch
    from .viz import OrderReport as OrderReport
    from .viz import Stepper as Stepper
    from .viz import compare_orders as compare_orders
    from .viz import draw_graph as draw_graph
    from .viz import render_graph as render_graph
    from .viz import step_backward as step_backward
    from .viz import tensor_names as tensor_names
    from .viz import trace_backward as trace_backward
    from .viz.explain import explain as explain
    from .viz.why import Diagnosis as Diagnosis
    from .viz.why import why as why

# Loaded on first use (module __getattr__), so `import microgradx` stays fast and does not import
# graphviz, matplotlib, torch or the lab: name -> (module, attribute; None for the module itself).
_LAZY: dict[str, tuple[str, str | None]] = {
    # Graphs and chain-rule traces (drawing needs the graphviz package, a dependency).
    "draw_graph": ("microgradx.viz", "draw_graph"),
    "explain": ("microgradx.viz", "explain"),
    "render_graph": ("microgradx.viz", "render_graph"),
    "tensor_names": ("microgradx.viz", "tensor_names"),
    "trace_backward": ("microgradx.viz", "trace_backward"),
    # Backprop you can watch: frames of both passes, an offline HTML player, naive orders compared.
    "OrderReport": ("microgradx.viz", "OrderReport"),
    "Stepper": ("microgradx.viz", "Stepper"),
    "compare_orders": ("microgradx.viz", "compare_orders"),
    "step_backward": ("microgradx.viz", "step_backward"),
    # The bridge to PyTorch (torch itself is imported only when one of them is called).
    "from_torch": ("microgradx.bridge", "from_torch"),
    "to_torch": ("microgradx.bridge", "to_torch"),
    # Why a gradient is zero, None, not finite or tiny.
    "Diagnosis": ("microgradx.viz", "Diagnosis"),
    "why": ("microgradx.viz", "why"),
    # The notes, runnable: per-layer measurements and the lab of experiments.
    "diagnostics": ("microgradx.diagnostics", None),
    "lab": ("microgradx.lab", None),
    "viz": ("microgradx.viz", None),
}
__all__ += [name for name in _LAZY if name != "viz"]


def __getattr__(name: str) -> object:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'microgradx' has no attribute {name!r}") from None
    import importlib

    value = importlib.import_module(module)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value  # the next access is a plain global
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


# Networks: layers and modules, initializers, the optimizer, toy data sets, the training loop.
from . import data, formatting, init, nn, optim  # noqa: E402

# A training step traced once and replayed as generated code. Imported here, not lazily: the
# function must win over the submodule of the same name as the attribute ``mgx.compile``.
from .compile import CompiledStep  # noqa: E402
from .compile import compile as compile  # noqa: E402  (mgx.compile, as torch.compile)
from .train import fit  # noqa: E402

# (``compile`` stays out of __all__: ``from microgradx import *`` must not hide the builtin.)
__all__ += ["CompiledStep", "data", "fit", "formatting", "init", "nn", "optim"]

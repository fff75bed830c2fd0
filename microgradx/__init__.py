"""microgradx: an autograd engine in NumPy for learning and teaching backpropagation.

Import as ``import microgradx as mgx``. The core is `Tensor` (ops record a graph; ``backward``
applies the chain rule), every activation of the lecture notes as a differentiable op, losses,
`Function` for custom ops and `gradcheck` to test them.
"""

from __future__ import annotations

__version__ = "0.1.0"

# tensor first: it wires the op modules together (they import each other at the bottom).
from .tensor import Tensor  # noqa: I001
from . import functional
from .activations import SELU_ALPHA, SELU_SCALE
from .function import Function, enable_grad, is_grad_enabled, no_grad
from .functional import (
    abs,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    clip,
    concatenate,
    cross_entropy,
    elu,
    log1p,
    log_softmax,
    maximum,
    minimum,
    softmax,
    softplus,
    sqrt,
    stack,
    where,
    leaky_relu,
    mse_loss,
    prelu,
    relu,
    selu,
    sigmoid,
    tanh,
)
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
    "abs",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "clip",
    "concatenate",
    "cross_entropy",
    "elu",
    "enable_grad",
    "functional",
    "gradcheck",
    "is_grad_enabled",
    "leaky_relu",
    "load",
    "log1p",
    "log_softmax",
    "manual_seed",
    "maximum",
    "minimum",
    "mse_loss",
    "no_grad",
    "prelu",
    "relu",
    "save",
    "selu",
    "sigmoid",
    "softmax",
    "softplus",
    "sqrt",
    "stack",
    "tanh",
    "where",
]

# Graphs and chain-rule traces (drawing needs the graphviz package, a dependency).
from .viz import draw_graph, explain, render_graph, tensor_names, trace_backward

__all__ += ["draw_graph", "explain", "render_graph", "tensor_names", "trace_backward"]

# Backprop you can watch: frames of both passes, an offline HTML player, naive orders compared.
from .viz import OrderReport, Stepper, compare_orders, step_backward  # noqa: E402

__all__ += ["OrderReport", "Stepper", "compare_orders", "step_backward"]

# Networks: layers and modules, initializers, the optimizer, toy data sets, the training loop.
from . import data, init, nn, optim  # noqa: E402
from .train import fit  # noqa: E402

__all__ += ["data", "fit", "init", "nn", "optim"]

# The notes, runnable: per-layer measurements and the lab of experiments.
from . import diagnostics, lab  # noqa: E402

__all__ += ["diagnostics", "lab"]

"""Layers and networks: `Neuron` (one unit, for hand tracing), `Layer` (``x @ W + b``), `MLP`, `Sequential`.

Weight layout: a `Layer`'s weight is ``(in_features, out_features)``: ``W[i, j]`` is the notes'
``w_ij``, the weight from input ``i`` to node ``j``, and the layer computes ``x @ W + b``.
PyTorch's ``nn.Linear`` stores the transpose, ``(out_features, in_features)``, and computes
``x @ W.T + b``; copy weights between the two with a transpose.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import init as _init
from .. import validation
from ..random import get_rng
from ..tensor import Tensor
from .activation import ACTIVATIONS, default_init
from .module import Module, Parameter

__all__ = ["MLP", "Layer", "Neuron", "Sequential"]


def _check_size(value: Any, what: str, where: str) -> int:
    return validation.integer(value, what, where, minimum=1)


def _resolve_activation(activation: Any, where: str, dtype: Any = np.float64) -> Any:
    """A name -> a fresh activation module (its parameters, PReLU's slope, in ``dtype``); a Module
    or callable -> itself; None -> None."""
    if activation is None or isinstance(activation, Module):
        return activation
    if isinstance(activation, str):
        cls = validation.choice(
            activation, ACTIVATIONS, "activation", where, also="None, a callable, a Module or "
        )
        return cls().to(dtype)
    if callable(activation):
        return activation
    raise ValueError(f"{where}: activation must be None, a name, a callable or a Module, got {activation!r}")


def _initial_weight(
    init: Any, activation: Any, shape: tuple[int, int], gen: np.random.Generator, where: str
) -> np.ndarray:
    """Draw the initial weight: ``init`` by name, as a callable ``(shape, rng)``, or the default."""
    if init is None:
        init = default_init(activation)
    if isinstance(init, str):
        w = _init.get(init)(shape, rng=gen)
    elif callable(init):
        w = init(shape, gen)
        if isinstance(w, Tensor):
            w = w.data
        w = np.asarray(w)
        if w.dtype.kind not in "fiub":
            raise ValueError(f"{where}: init returned non-numeric data of dtype {w.dtype}")
        w = w.astype(np.float64)
    else:
        raise ValueError(
            f"{where}: init must be None, an initializer name or a callable "
            f"(shape, rng) -> ndarray, got {init!r}"
        )
    if w.shape != shape:
        raise ValueError(f"{where}: init returned shape {w.shape}, expected {shape}")
    return w


def _activation_name(activation: Any) -> str | None:
    if activation is None:
        return None
    return (
        getattr(activation, "name", None)
        or getattr(activation, "__name__", None)
        or type(activation).__name__
    )


def _apply(activation: Any, z: Tensor) -> Tensor:
    # A Module activation runs its forward directly: its op stays in the layer's module scope,
    # so a graph shows a layer's matmul, add and activation in one cluster.
    if isinstance(activation, Module):
        return activation.forward(z)
    return activation(z)


class Neuron(Module):
    r"""One unit, the notes' first formula: :math:`a = g(w_1 x_1 + w_2 x_2 + \dots + w_n x_n + b)`.

    Every weight is its own scalar `Parameter` (named ``w1`` … ``wn``, bias ``b``), numbers given
    as inputs become constants named ``x1`` … ``xn``, the weighted sum is named ``z`` and the
    output ``a``: the graph of a neuron has one ``mul`` per input and ``explain`` /
    ``trace_backward`` read like a hand derivation. For real work use `Layer`, which does the same for many units in one ``matmul``.

    Args:
        in_features: n, the number of inputs.
        activation: g: None (identity), a name (``"sigmoid"``, ``"tanh"``, ``"relu"``, …), a
            callable or a Module.
        init: initializer name or callable ``(shape, rng)``, drawn as a ``(n, 1)`` weight;
            None picks the `Layer` default for ``activation``.
        rng: None, an int seed or a ``numpy.random.Generator``.
        dtype: the parameters' dtype, float64 (default) or float32.

    Attributes:
        weights: list of n scalar Parameters (registered as ``weights.0`` …; ``.name`` ``w1`` …).
        bias: scalar Parameter, 0 (``.name`` ``b``).

    Shape: input a sequence of n numbers or scalar Tensors, or an array/Tensor whose last axis
    has length n; output a scalar (or the batch shape).

    Examples:
        >>> n = Neuron(2, activation="sigmoid", init=lambda shape, rng: np.full(shape, 0.5))
        >>> round(n([1.0, -3.0]).item(), 4)          # σ(0.5·1 + 0.5·(−3) + 0) = σ(−1)
        0.2689
    """

    def __init__(
        self,
        in_features: int,
        activation: Any = None,
        init: Any = None,
        rng: Any = None,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        n = _check_size(in_features, "in_features", "Neuron")
        dt = validation.float_dtype(dtype, "Neuron")
        self.in_features = n
        self.activation = _resolve_activation(activation, "Neuron", dt)
        w = _initial_weight(init, self.activation, (n, 1), get_rng(rng), "Neuron")
        self.weights = [Parameter(w[i, 0], name=f"w{i + 1}", dtype=dt) for i in range(n)]
        self.bias = Parameter(0.0, name="b", dtype=dt)

    def forward(self, x: Any) -> Tensor:
        n = self.in_features
        if isinstance(x, (list, tuple)):
            if len(x) != n:
                raise ValueError(f"Neuron: expected {n} inputs, got {len(x)}")
            # numbers become constants named x1 … xn, so traces read like the notes
            xs = [v if isinstance(v, Tensor) else Tensor(v, name=f"x{i + 1}") for i, v in enumerate(x)]
        else:
            t = x if isinstance(x, Tensor) else Tensor(x)
            if t.ndim == 0 or t.shape[-1] != n:
                raise ValueError(
                    f"Neuron: expected an input whose last axis has {n} entries, got shape {t.shape}"
                )
            xs = [t[..., i] for i in range(n)]
        w = self.weights
        z = w[0] * xs[0]
        for i in range(1, n):
            z = z + w[i] * xs[i]
        z = z + self.bias
        z.name = "z"
        if self.activation is None:
            return z
        a = _apply(self.activation, z)
        a.name = "a"
        return a

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, activation={_activation_name(self.activation)}"


class Layer(Module):
    r"""A fully connected layer: :math:`a = g(x W + b)`, ``W`` of shape ``(in_features, out_features)``.

    Row ``j`` of the math is the notes' neuron ``a_j = g(Σ_i w_ij x_i + b_j)`` for every node
    ``j`` at once. **Layout:** ``W[i, j]`` connects input ``i`` to node ``j``; PyTorch's
    ``nn.Linear.weight`` is the transpose, ``(out_features, in_features)``.

    Default initializer (``init=None``), the notes' advice: keep the variance of ``z`` steady
    from layer to layer by scaling the weights with the number of inputs of a node:

    ============================== =================== ==========================================
    activation                     init                why
    ============================== =================== ==========================================
    relu, leaky_relu, prelu, elu   ``he_uniform``      ReLU-like units zero (or shrink) about half
                                                       their inputs: Var(w) = 2 / fan_in
    sigmoid, tanh, None (linear)   ``xavier_uniform``  tanh and linear units (slope 1 at 0) keep
                                                       forward and backward variance: Var(w) =
                                                       2 / (fan_in + fan_out); sigmoid (slope 1/4)
                                                       by convention, δ still shrinks with depth
    selu                           ``lecun_normal``    self-normalization needs Var(w) = 1 / fan_in
    ============================== =================== ==========================================

    A callable or Module activation uses its ``name`` or ``__name__`` to look this up
    (``microgradx.relu`` gets He), anything else gets ``xavier_uniform``. The bias starts at 0.

    Args:
        in_features: number of inputs (fan-in).
        out_features: number of nodes (fan-out).
        activation: None (no activation), a name (``"sigmoid"``, ``"tanh"``, ``"relu"``,
            ``"leaky_relu"``, ``"prelu"``, ``"elu"``, ``"selu"``), a callable ``Tensor -> Tensor``
            or a Module (a Module's parameters, e.g. PReLU's slope, become the layer's).
        init: None (the default above), a name from ``microgradx.init`` (``"he_normal"``,
            ``"zeros"``, …) or a callable ``(shape, rng) -> ndarray``.
        bias: add a bias (default True).
        rng: None, an int seed or a ``numpy.random.Generator`` for the initializer.
        dtype: the parameters' dtype, float64 (default) or float32; the initial weights are
            drawn in float64 and rounded, so both dtypes start from the same numbers.

    Attributes:
        weight: Parameter ``(in_features, out_features)``.
        bias: Parameter ``(out_features,)`` of zeros, or None.
        activation: the activation module or callable, or None.

    Shape: input ``(batch, in_features)`` (or ``(in_features,)``), output ``(batch, out_features)``.

    Examples:
        >>> import microgradx as mgx
        >>> layer = mgx.nn.Layer(3, 2, activation="relu", rng=0)   # He uniform weights
        >>> layer.weight.shape, layer.bias.shape
        ((3, 2), (2,))
        >>> layer(np.ones((5, 3))).shape
        (5, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        activation: Any = None,
        init: Any = None,
        bias: bool = True,
        rng: Any = None,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        self.in_features = _check_size(in_features, "in_features", "Layer")
        self.out_features = _check_size(out_features, "out_features", "Layer")
        dt = validation.float_dtype(dtype, "Layer")
        self.activation = _resolve_activation(activation, "Layer", dt)
        w = _initial_weight(
            init, self.activation, (self.in_features, self.out_features), get_rng(rng), "Layer"
        )
        self.weight = Parameter(w, dtype=dt)  # drawn in float64, then rounded to dtype
        self.bias = Parameter(np.zeros(self.out_features), dtype=dt) if bias else None

    def forward(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(x)
        z = x @ self.weight
        if self.bias is not None:
            z = z + self.bias
        act = self.activation
        if act is None:
            return z
        return _apply(act, z)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"activation={_activation_name(self.activation)}, bias={self.bias is not None}"
        )


class MLP(Module):
    """A multilayer perceptron: a chain of `Layer` s.

    ``MLP(2, [16, 16, 1])`` is 2 inputs -> 16 -> 16 -> 1 output: three layers, the hidden ones
    with ``activation`` and the last one with ``output_activation`` (None: a linear output,
    right for regression; ``"sigmoid"`` for a probability).

    Args:
        in_features: number of inputs.
        layer_sizes: the number of nodes of each layer, output layer last (non-empty).
        activation: hidden-layer activation (default ``"relu"``; see `Layer`).
        output_activation: output-layer activation (default None).
        init: initializer for every layer (default None: each layer's default from its
            activation, see `Layer`).
        rng: None, an int seed or a ``numpy.random.Generator``; one generator feeds every layer
            in order, so the same seed gives the same network.
        dtype: every layer's parameter dtype, float64 (default) or float32.

    Attributes:
        layers: list of `Layer`; parameters are named ``layers.0.weight``, ``layers.0.bias``, …

    Examples:
        >>> import microgradx as mgx
        >>> net = mgx.nn.MLP(1, [32, 32, 1], activation="tanh", rng=0)
        >>> [n for n, _ in net.named_parameters()][:3]
        ['layers.0.weight', 'layers.0.bias', 'layers.1.weight']
        >>> net(np.zeros((4, 1))).shape
        (4, 1)
    """

    def __init__(
        self,
        in_features: int,
        layer_sizes: Sequence[int],
        activation: Any = "relu",
        output_activation: Any = None,
        init: Any = None,
        rng: Any = None,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        n_in = _check_size(in_features, "in_features", "MLP")
        dt = validation.float_dtype(dtype, "MLP")
        if isinstance(layer_sizes, numbers.Integral) or not hasattr(layer_sizes, "__iter__"):
            raise ValueError(f"MLP: layer_sizes must be a list of positive ints, got {layer_sizes!r}")
        sizes = [_check_size(s, "every entry of layer_sizes", "MLP") for s in layer_sizes]
        if not sizes:
            raise ValueError("MLP: layer_sizes must not be empty (give at least the output size)")
        gen = get_rng(rng)
        dims = [n_in, *sizes]
        self.in_features = n_in
        self.layers = [
            Layer(
                dims[k],
                dims[k + 1],
                activation=activation if k < len(sizes) - 1 else output_activation,
                init=init,
                rng=gen,
                dtype=dt,
            )
            for k in range(len(sizes))
        ]

    def forward(self, x: Any) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


class Sequential(Module):
    """Modules applied one after another: ``Sequential(Layer(1, 8), Tanh(), Layer(8, 1))``.

    Submodules are named ``"0"``, ``"1"``, … (parameters ``0.weight``, …, as PyTorch).
    Index it (``seq[0]``), take ``len(seq)`` or iterate over it.

    Args:
        *modules: Modules.

    Examples:
        >>> from microgradx.nn import Sequential, Layer, Tanh
        >>> seq = Sequential(Layer(1, 8, rng=0), Tanh(), Layer(8, 1, rng=1))
        >>> [n for n, _ in seq.named_parameters()]
        ['0.weight', '0.bias', '2.weight', '2.bias']
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(
                    f"Sequential: argument {i} is a {type(m).__name__} ({m!r}); expected a Module"
                )
            self._modules[str(i)] = m
        self._sequence: tuple[Module, ...] = tuple(modules)

    def forward(self, x: Any) -> Any:
        for m in self._sequence:
            x = m(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return self._sequence[i]

    def __len__(self) -> int:
        return len(self._sequence)

    def __iter__(self):
        return iter(self._sequence)

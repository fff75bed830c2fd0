"""Every activation and loss as a plain function: ``mgx.functional.sigmoid(t)`` and friends.

These are thin wrappers over the op classes in ``activations.py`` and ``losses.py``; read
those for the formulas, derivatives and chain-rule steps.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .activations import ELU, SELU, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid, Softmax, Tanh
from .losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CrossEntropy, MSELoss
from .ops import Concatenate, Maximum, Minimum, Stack, Where
from .tensor import Tensor
from .tensor import _as_tensor as _t
from .validation import real as _real

__all__ = [
    "ACTIVATIONS",
    "abs",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "clip",
    "concatenate",
    "cross_entropy",
    "elu",
    "leaky_relu",
    "log1p",
    "log_softmax",
    "maximum",
    "minimum",
    "mse_loss",
    "prelu",
    "relu",
    "selu",
    "sigmoid",
    "softmax",
    "softplus",
    "sqrt",
    "stack",
    "tanh",
    "where",
]


def sigmoid(x: Any) -> Tensor:
    """σ(x) = 1/(1 + e⁻ˣ);  σ'(x) = σ(x)(1 − σ(x)).  See `microgradx.activations.Sigmoid`."""
    return Sigmoid.apply(_t(x))


def tanh(x: Any) -> Tensor:
    """tanh(x);  tanh'(x) = 1 − tanh²(x).  See `microgradx.activations.Tanh`."""
    return Tanh.apply(_t(x))


def relu(x: Any) -> Tensor:
    """max(0, x);  derivative 1 for x > 0, 0 for x ≤ 0.  See `microgradx.activations.ReLU`."""
    return ReLU.apply(_t(x))


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, negative_slope·x otherwise;  derivative 1 or negative_slope (at 0: negative_slope)."""
    return LeakyReLU.apply(_t(x), negative_slope=_real(negative_slope, "negative_slope", "leaky_relu"))


def prelu(x: Any, weight: Any) -> Tensor:
    """x for x > 0, weight·x otherwise, ``weight`` trainable;  see `microgradx.activations.PReLU`."""
    x = _t(x)
    return PReLU.apply(x, x._lift(weight))


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, α(eˣ − 1) otherwise;  derivative 1 or ELU(x) + α (at 0: α)."""
    return ELU.apply(_t(x), alpha=_real(alpha, "alpha", "elu", positive=True))


def selu(x: Any) -> Tensor:
    """λx for x > 0, λα(eˣ − 1) otherwise (λ ≈ 1.0507, α ≈ 1.6733);  derivative λ or SELU(x) + λα."""
    return SELU.apply(_t(x))


def mse_loss(pred: Any, target: Any) -> Tensor:
    """Mean squared error (1/n) Σ (ŷ − y)²;  ∂L/∂ŷ = 2(ŷ − y)/n.  Shapes must match."""
    pred = _t(pred)
    return MSELoss.apply(pred, pred._lift(target))


def binary_cross_entropy(pred: Any, target: Any) -> Tensor:
    """−mean(y·ln p + (1 − y)·ln(1 − p)), logs clamped at −100 as PyTorch;  p and y in [0, 1].

    After a sigmoid output prefer `binary_cross_entropy_with_logits` on the logits: the same loss,
    exact where σ(z) rounds to 0 or 1.
    """
    pred = _t(pred)
    return BinaryCrossEntropy.apply(pred, pred._lift(target))


def binary_cross_entropy_with_logits(logits: Any, target: Any) -> Tensor:
    """mean(max(z, 0) − z·y + ln(1 + e^(−|z|))) = BCE(σ(z), y), stable for any z;  ∂L/∂z = (σ(z) − y)/n.

    See `microgradx.losses.BinaryCrossEntropyWithLogits`.
    """
    logits = _t(logits)
    return BinaryCrossEntropyWithLogits.apply(logits, logits._lift(target))


# ---------------------------------------------------------------- everyday ops (issue 15)
# The formulas, derivatives and kink values are in the op classes (ops.py, activations.py,
# losses.py); these functions accept numbers and arrays as well as tensors.


def abs(x: Any) -> Tensor:
    """|x|;  derivative sign(x), 0 at x = 0 (as PyTorch).  See `microgradx.ops.Abs`."""
    return _t(x).abs()


def sqrt(x: Any) -> Tensor:
    """√x;  derivative 1/(2√x) (+∞ at 0).  See `microgradx.ops.Sqrt`."""
    return _t(x).sqrt()


def log1p(x: Any) -> Tensor:
    """ln(1 + x), exact for tiny x;  derivative 1/(1 + x).  See `microgradx.ops.Log1p`."""
    return _t(x).log1p()


def clip(x: Any, min: float | None = None, max: float | None = None) -> Tensor:
    """x held inside [min, max] (either may be None);  derivative 1 for min ≤ x ≤ max (bounds included), else 0."""
    return _t(x).clip(min, max)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max(a, b), broadcasting;  the gradient goes to the larger, split ½/½ at ties (as PyTorch)."""
    a, b = _pair(a, b)
    return Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min(a, b), broadcasting;  the gradient goes to the smaller, split ½/½ at ties (as PyTorch)."""
    a, b = _pair(a, b)
    return Minimum.apply(a, b)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """a where ``condition`` is True, else b (broadcasting, as ``numpy.where``); differentiable in a and b.

    ``condition`` is a boolean array, e.g. a comparison ``x > 0`` (comparisons of tensors
    return NumPy boolean arrays).
    """
    if isinstance(condition, Tensor):
        raise TypeError(
            "where: condition must be a boolean array such as x > 0, got a Tensor of floats; "
            "compare it first (t > 0) or pass t.data.astype(bool)"
        )
    a, b = _pair(a, b)
    return Where.apply(a, b, condition=np.asarray(condition))


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/β)·ln(1 + e^(βx)), x itself where βx > threshold (as PyTorch);  derivative σ(βx)."""
    return _t(x).softplus(beta, threshold)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """e^(xᵢ)/Σⱼ e^(xⱼ) along ``axis`` (stable);  Jacobian sᵢ(δᵢⱼ − sⱼ).  See `microgradx.activations.Softmax`."""
    return Softmax.apply(_t(x), axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """xᵢ − ln Σⱼ e^(xⱼ) along ``axis``, stable for |x| = 1e3;  Jacobian δᵢⱼ − softmax(x)ⱼ."""
    return LogSoftmax.apply(_t(x), axis=axis)


def cross_entropy(logits: Any, target: Any, ignore_index: int = -100) -> Tensor:
    """Mean cross-entropy of ``logits`` (classes on axis 1, or a single ``(C,)`` sample) against ``target``.

    As PyTorch's ``cross_entropy``: ``target`` is class indices (the logits' shape without the
    class axis; integers, or floats with integral values; ``ignore_index`` entries are skipped)
    or class probabilities (the logits' own shape). ∂L/∂logits = (softmax − one-hot)/N.
    See `microgradx.losses.CrossEntropy`.

    Examples:
        >>> import microgradx as mgx
        >>> round(mgx.cross_entropy([[0.0, 0.0]], [1]).item(), 4)    # ln 2
        0.6931
    """
    logits = _t(logits)
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, numbers.Integral):
        raise ValueError(f"cross_entropy: ignore_index must be an int, got {ignore_index!r}")
    raw = target._data if isinstance(target, Tensor) else np.asarray(target)
    if raw.shape == logits.shape:  # probabilities: a differentiable input
        return CrossEntropy.apply(logits, logits._lift(target))
    if isinstance(target, Tensor):  # class indices: their values choose the op's terms (read them)
        raw = target.data
    if raw.dtype.kind == "f":
        if not (np.all(np.isfinite(raw)) and np.all(raw == np.round(raw))):
            bad = raw[~(np.isfinite(raw) & (raw == np.round(raw)))].flat[0]
            raise ValueError(
                f"cross_entropy: class-index targets must be whole numbers, got {bad!r} "
                f"(probability targets must have the logits' shape {logits.shape}, got {raw.shape})"
            )
    elif raw.dtype.kind not in "iub":
        raise TypeError(
            f"cross_entropy: target must hold class indices or probabilities, got dtype {raw.dtype}"
        )
    return CrossEntropy.apply(logits, index=raw.astype(np.intp), ignore_index=int(ignore_index))


def concatenate(tensors: Any, axis: int = 0) -> Tensor:
    """Join tensors along an existing ``axis`` (``numpy.concatenate``, ``torch.cat``); ∂L/∂each = its slice."""
    return Concatenate.apply(*_sequence(tensors, "concatenate"), axis=axis)


def stack(tensors: Any, axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new ``axis`` (``numpy.stack``, ``torch.stack``); ∂L/∂each = its slice."""
    return Stack.apply(*_sequence(tensors, "stack"), axis=axis)


def _pair(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Two operands as tensors; a Python number takes the other operand's dtype (as operators do)."""
    if isinstance(a, Tensor):
        return a, a._lift(b)
    if isinstance(b, Tensor):
        return b._lift(a), b
    return Tensor(a), Tensor(b)


def _sequence(tensors: Any, op: str) -> list[Tensor]:
    if isinstance(tensors, (Tensor, np.ndarray)) or not hasattr(tensors, "__iter__"):
        raise TypeError(
            f"{op}: expected a sequence of tensors, e.g. {op}([a, b]), got {type(tensors).__name__}"
        )
    items = [_t(x) for x in tensors]
    if not items:
        raise ValueError(f"{op}: needs at least one tensor, got an empty sequence")
    return items


#: Activation functions by name (the names `nn.Layer(activation=...)` accepts).
ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "selu": selu,
}

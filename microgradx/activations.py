"""The activation functions of the notes, as differentiable ops: a = g(z), ∂L/∂z = ∂L/∂a · g'(z).

Each class gives g, its derivative g' written the way the notes derive it, the chain-rule line,
the value used exactly at a kink, and the notes' verdict in one line. All are computed without
overflow for |z| up to 1e3 and equal PyTorch's values and gradients (float64).
"""

from __future__ import annotations

import numpy as np

from .function import Function

__all__ = [
    "ELU",
    "SELU",
    "SELU_ALPHA",
    "SELU_SCALE",
    "LeakyReLU",
    "LogSoftmax",
    "PReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
]

# Klambauer et al. 2017, "Self-Normalizing Neural Networks", eq. 14 (the notes swap the two).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class Sigmoid(Function):
    """σ(z) = 1 / (1 + e⁻ᶻ), output in (0, 1).

    Derivative: σ'(z) = σ(z)(1 − σ(z)), computed from the saved output (max 0.25 at z = 0).
    Chain rule: ∂L/∂z = ∂L/∂a · a(1 − a).
    Stable form: e = e^(−|z|); σ = 1/(1 + e) for z ≥ 0 and e/(1 + e) for z < 0 (no overflow).
    Notes: a probability for binary outputs, but saturating (vanishing gradients) and not
    zero-centred.
    """

    name = "sigmoid"
    symbol = "σ"
    formula = "1/(1 + e^(−{0}))"
    output_range = "(0, 1)"
    derivatives = ("σ({0})(1−σ({0}))",)

    @staticmethod
    def forward(ctx, z):
        e = np.exp(-np.abs(z))
        out = np.where(z >= 0, 1.0, e) / (1.0 + e)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (a * (1.0 - a))


class Tanh(Function):
    """tanh(z) = (eᶻ − e⁻ᶻ) / (eᶻ + e⁻ᶻ), output in (−1, 1).

    Derivative: tanh'(z) = 1 − tanh²(z), from the saved output (max 1 at z = 0), evaluated as
    (1 − a)(1 + a): the same number, but without the cancellation of 1 − a·a when a ≈ ±1.
    Chain rule: ∂L/∂z = ∂L/∂a · (1 − a²).
    Notes: zero-centred, so it trains faster than sigmoid, but still saturates.
    """

    name = "tanh"
    formula = "(e^{0} − e^(−{0}))/(e^{0} + e^(−{0}))"
    output_range = "(−1, 1)"
    derivatives = ("1−tanh²({0})",)

    @staticmethod
    def forward(ctx, z):
        out = np.tanh(z)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * ((1.0 - a) * (1.0 + a))


class ReLU(Function):
    """ReLU(z) = max(0, z).

    Derivative: 1 for z > 0, 0 for z < 0; at z = 0, where ReLU has no derivative, 0 (as
    PyTorch). Chain rule: ∂L/∂z = ∂L/∂a · [z > 0].
    Notes: cheap and not saturating for z > 0, but not zero-centred, and a unit whose z stays
    ≤ 0 gets no gradient at all: a dead ("dying") ReLU.
    """

    name = "relu"
    formula = "max(0, {0})"
    output_range = "[0, ∞)"
    derivatives = ("1 if {0} > 0 else 0",)

    @staticmethod
    def forward(ctx, z):
        out = np.maximum(z, 0)
        ctx.save_for_backward(z)
        return out

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * (z > 0)


class LeakyReLU(Function):
    """LeakyReLU(z) = z for z > 0, negative_slope·z otherwise (the notes: max(0.01z, z)).

    Derivative: 1 for z > 0, negative_slope for z ≤ 0 (so negative_slope at exactly 0, as
    PyTorch). Chain rule: ∂L/∂z = ∂L/∂a · (1 or negative_slope).
    Notes: a small gradient always flows, so units cannot die.
    """

    name = "leaky_relu"
    hyperparameters = ("negative_slope",)
    formula = "{0} if {0} > 0 else {ctx.negative_slope}·{0}"
    output_range = "(−∞, ∞)"
    derivatives = ("1 if {0} > 0 else {ctx.negative_slope}",)

    @staticmethod
    def forward(ctx, z, negative_slope=0.01):
        ctx.negative_slope = negative_slope
        ctx.save_for_backward(z)
        return np.where(z > 0, z, z * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * np.where(z > 0, 1.0, ctx.negative_slope).astype(grad.dtype, copy=False)


def _prelu_slope(z: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The slope ``weight`` shaped to broadcast over ``z``'s channel axis (axis 1), as PyTorch."""
    if weight.size == 1:
        return weight.reshape(())
    if weight.ndim != 1:
        raise ValueError(f"weight must be 1-D (num_parameters,), got shape {weight.shape}")
    if z.ndim < 2 or z.shape[1] != weight.shape[0]:
        raise ValueError(
            f"weight has {weight.shape[0]} slopes but the input's channel axis (axis 1) has "
            f"{'no such axis' if z.ndim < 2 else z.shape[1]} (input shape {z.shape})"
        )
    return weight.reshape((1, weight.shape[0]) + (1,) * (z.ndim - 2))


class PReLU(Function):
    """PReLU(z) = z for z > 0, a·z otherwise, with a *trainable* slope a (He et al. 2015).

    Derivatives: ∂a/∂z = 1 for z > 0, a for z ≤ 0 (a at exactly 0, as PyTorch);
    ∂out/∂a = 0 for z > 0, z for z ≤ 0, summed over every element sharing that slope.
    Chain rule: ∂L/∂slope = Σ ∂L/∂out · min(z, 0).
    One slope for all units (``weight.shape == (1,)``) or one per channel (axis 1 of the input).
    Notes: leaky ReLU whose 0.01 is learned instead of fixed.
    """

    name = "prelu"
    formula = "{0} if {0} > 0 else {1}·{0}"
    output_range = "(−∞, ∞)"
    derivatives = ("1 if {0} > 0 else {1}", "0 if {0} > 0 else {0}")

    @staticmethod
    def forward(ctx, z, weight):
        a = _prelu_slope(z, weight)
        ctx.save_for_backward(z, a)
        ctx.weight_shape = weight.shape
        return np.where(z > 0, z, a * z)

    @staticmethod
    def backward(ctx, grad):
        z, a = ctx.saved_tensors
        need_z, need_w = ctx.needs_input_grad
        gz = grad * np.where(z > 0, 1.0, a).astype(grad.dtype, copy=False) if need_z else None
        gw = None
        if need_w:
            contrib = grad * np.minimum(z, 0)
            if a.ndim == 0:
                gw = np.asarray(contrib.sum()).reshape(ctx.weight_shape)
            else:
                axes = tuple(i for i in range(z.ndim) if i != 1)
                gw = contrib.sum(axis=axes).reshape(ctx.weight_shape)
        return gz, gw


class ELU(Function):
    """ELU(z) = z for z > 0, α(eᶻ − 1) for z ≤ 0 (Clevert et al. 2016).

    Derivative: 1 for z > 0; α·eᶻ = ELU(z) + α for z ≤ 0 (the notes' form), so α at exactly 0.
    Chain rule: ∂L/∂z = ∂L/∂a · (1 or a + α).
    Stable forms: α·expm1(min(z, 0)), so large positive z never overflows; the backward
    evaluates α·eᶻ rather than a + α, which cancels when a ≈ −α (float32 would lose
    most digits of a small gradient).
    Notes: smooth, close to zero-centred, no dead units; costs an exponential.
    """

    name = "elu"
    hyperparameters = ("alpha",)
    formula = "{0} if {0} > 0 else {ctx.alpha}·(e^{0} − 1)"
    output_range = "(−α, ∞)"
    derivatives = ("1 if {0} > 0 else {ctx.alpha}·exp({0})",)

    @staticmethod
    def forward(ctx, z, alpha=1.0):
        ctx.alpha = alpha
        ctx.save_for_backward(z)
        return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * np.where(z > 0, 1.0, ctx.alpha * np.exp(np.minimum(z, 0)))


class SELU(Function):
    """SELU(z) = λ·z for z > 0, λ·α(eᶻ − 1) for z ≤ 0 (Klambauer et al. 2017),
    λ = 1.0507009873554805, α = 1.6732632423543772.

    Derivative: λ for z > 0; λ·α·eᶻ = SELU(z) + λα for z ≤ 0, so λα at exactly 0 (evaluated
    as λ·α·eᶻ, which does not cancel). Chain rule: ∂L/∂z = ∂L/∂a · (λ or λαeᶻ).
    Notes: with LeCun-normal weights, activations keep mean ≈ 0 and variance ≈ 1 layer after
    layer ("self-normalizing").
    """

    name = "selu"
    formula = "λ·{0} if {0} > 0 else λ·α·(e^{0} − 1)"
    output_range = "(−λα, ∞)"
    derivatives = ("λ if {0} > 0 else λ·α·exp({0})",)

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0)))

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * np.where(z > 0, SELU_SCALE, (SELU_SCALE * SELU_ALPHA) * np.exp(np.minimum(z, 0)))


class Softplus(Function):
    """softplus(z) = (1/β)·ln(1 + e^(βz)), a smooth ReLU; z itself where βz > threshold (as PyTorch).

    Derivative: softplus'(z) = σ(βz), the sigmoid (1 where βz > threshold, matching the
    linear piece). Chain rule: ∂L/∂z = ∂L/∂a · σ(βz).
    Stable form: ln(1 + e^(βz)) = max(βz, 0) + log1p(e^(−|βz|)), so |z| = 1e3 neither
    overflows nor loses the small values for very negative z.
    """

    name = "softplus"
    hyperparameters = ("beta", "threshold")
    formula = "ln(1 + e^{0})"
    output_range = "(0, ∞)"
    derivatives = ("σ({ctx.beta}·{0})",)

    @staticmethod
    def forward(ctx, z, beta=1.0, threshold=20.0):
        ctx.beta, ctx.threshold = beta, threshold
        bz = beta * z
        linear = bz > threshold
        ctx.save_for_backward(bz, linear)
        soft = (np.maximum(bz, 0) + np.log1p(np.exp(-np.abs(bz)))) / beta
        return np.where(linear, z, soft)

    @staticmethod
    def backward(ctx, grad):
        bz, linear = ctx.saved_tensors
        e = np.exp(-np.abs(bz))
        sig = np.where(bz >= 0, 1.0, e) / (1.0 + e)  # σ(βz), the stable form of `Sigmoid`
        return grad * np.where(linear, 1.0, sig)


def _class_axis(z: np.ndarray, axis) -> int:
    if (
        isinstance(axis, bool)
        or not isinstance(axis, (int, np.integer))
        or not -z.ndim <= axis < max(z.ndim, 1)
    ):
        raise ValueError(f"axis {axis!r} is out of range for a tensor with {z.ndim} dimension(s)")
    return int(axis) % max(z.ndim, 1)


def _log_softmax(z: np.ndarray, axis: int) -> np.ndarray:
    """ln softmax(z) = z − m − ln Σⱼ e^(zⱼ − m), m = max z: no overflow, no log of 0."""
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


class Softmax(Function):
    """softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ) along ``axis``: probabilities that sum to 1.

    Derivative: ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ) (the Jacobian), so the chain rule is the vector
    ∂L/∂zⱼ = sⱼ·(∂L/∂sⱼ − Σᵢ ∂L/∂sᵢ · sᵢ).
    Stable form: computed as e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z) (the same number, no overflow).
    """

    name = "softmax"
    hyperparameters = ("axis",)
    formula = "e^{0}/Σ e^{0}"
    output_range = "(0, 1), summing to 1"
    derivatives = ("s(δ − s)",)

    @staticmethod
    def forward(ctx, z, axis=-1):
        ctx.axis = _class_axis(z, axis)
        if z.ndim == 0:
            out = np.ones_like(z)
        else:
            e = np.exp(z - np.max(z, axis=ctx.axis, keepdims=True))
            out = e / np.sum(e, axis=ctx.axis, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        if s.ndim == 0:
            return np.zeros_like(grad)
        return s * (grad - np.sum(grad * s, axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    """log_softmax(z)ᵢ = zᵢ − ln Σⱼ e^(zⱼ) along ``axis`` (the log of `Softmax`, computed stably).

    Derivative: ∂outᵢ/∂zⱼ = δᵢⱼ − sⱼ with s = softmax(z) = e^out, so the chain rule is
    ∂L/∂zⱼ = ∂L/∂outⱼ − sⱼ · Σᵢ ∂L/∂outᵢ.
    Stable form: z − m − ln Σⱼ e^(zⱼ − m) with m = max z: finite for |z| = 1e3, where
    ln(softmax(z)) would take the log of 0.
    """

    name = "log_softmax"
    hyperparameters = ("axis",)
    formula = "{0} − ln Σ e^{0}"
    output_range = "(−∞, 0)"
    derivatives = ("δ − softmax({0})",)

    @staticmethod
    def forward(ctx, z, axis=-1):
        ctx.axis = _class_axis(z, axis)
        out = np.zeros_like(z) if z.ndim == 0 else _log_softmax(z, ctx.axis)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if out.ndim == 0:
            return np.zeros_like(grad)
        return grad - np.exp(out) * np.sum(grad, axis=ctx.axis, keepdims=True)

"""Loss functions as single ops, with PyTorch's semantics (mean reduction) and gradients."""

from __future__ import annotations

import numpy as np

from .activations import _log_softmax
from .function import Function

__all__ = [
    "BinaryCrossEntropy",
    "BinaryCrossEntropyWithLogits",
    "CrossEntropy",
    "MSELoss",
]


def _check_same_shape(op: str, pred: np.ndarray, target: np.ndarray) -> None:
    if pred.shape != target.shape:
        raise ValueError(
            f"prediction shape {pred.shape} and target shape {target.shape} differ "
            f"(a loss compares element by element; reshape one of them)"
        )


class MSELoss(Function):
    """L = (1/n) Σᵢ (ŷᵢ − yᵢ)², the mean squared error over all n elements.

    Derivatives: ∂L/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n,  ∂L/∂yᵢ = −2(ŷᵢ − yᵢ)/n.
    Chain rule: the notes' regression examples start here, ∂L/∂ŷ, then multiply backwards.
    """

    name = "mse_loss"
    formula = "(1/n) Σ ({0} − {1})²"
    derivatives = ("2({0}−{1})/n", "−2({0}−{1})/n")

    @staticmethod
    def forward(ctx, pred, target):
        _check_same_shape("mse_loss", pred, target)
        diff = pred - target
        ctx.save_for_backward(diff)
        ctx.n = n = diff.size
        # np.mean's arithmetic without its Python layers: the sum, divided by the count as an
        # intp, rounded to the sum's dtype (the same bits as np.mean(diff * diff)).
        total = np.add.reduce(diff * diff, None)
        return np.asarray(total.dtype.type(total / np.intp(n)))

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved_tensors
        need_p, need_t = ctx.needs_input_grad
        g = diff * (grad * (2.0 / ctx.n))
        return (g if need_p else None), (-g if need_t else None)


# PyTorch clamps each log term at −100 so that p = 0 or 1 gives a finite loss, and bounds the
# denominator of the gradient below by 1e-12 — a C float constant, so its value is float32(1e-12).
_LOG_CLAMP = -100.0
_GRAD_EPS = float(np.float32(1e-12))


def _clamped_log(x: np.ndarray) -> np.ndarray:
    """max(ln x, −100) in every dtype: ln 0 = −∞ is clamped to −100 (as PyTorch).

    (Clamping x at the dtype's tiny instead would give ln(1.2e-38) = −87.3 in float32.)
    """
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(x), _LOG_CLAMP)


def _clamped_log1m(p: np.ndarray) -> np.ndarray:
    """max(ln(1 − p), −100), with log1p: exact for tiny p (ln(1 − 1e-7) in float32 is not 0)."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log1p(-p), _LOG_CLAMP)


def _check_probabilities(op: str, what: str, a: np.ndarray, hint: str) -> None:
    if a.size and not (np.all(a >= 0) and np.all(a <= 1)):
        bad = a[~((a >= 0) & (a <= 1))].flat[0]
        raise ValueError(f"{op}: {what} must lie in [0, 1], found {bad!r}{hint}")


class BinaryCrossEntropy(Function):
    """L = −(1/n) Σᵢ [yᵢ·ln pᵢ + (1 − yᵢ)·ln(1 − pᵢ)], each ln clamped at −100 (as PyTorch).

    Derivative: ∂L/∂pᵢ = (pᵢ − yᵢ) / (pᵢ(1 − pᵢ)) / n, the denominator at least ≈1e-12, so the
    loss and its gradient stay finite at p = 0 and p = 1.
    With p = σ(z) the chain rule collapses: ∂L/∂z = (p − y)/n.
    The target's gradient, (ln(1 − pᵢ) − ln pᵢ)/n, is not clamped (as in PyTorch): it is
    infinite where p is exactly 0 or 1.
    """

    name = "binary_cross_entropy"
    formula = "−(1/n) Σ [{1}·ln {0} + (1 − {1})·ln(1 − {0})]"
    derivatives = ("({0}−{1})/({0}(1−{0}))/n", "(ln(1−{0}) − ln {0})/n")

    @staticmethod
    def forward(ctx, p, y):
        _check_same_shape("binary_cross_entropy", p, y)
        _check_probabilities(
            "binary_cross_entropy",
            "input probabilities",
            p,
            " (apply sigmoid first, or use binary_cross_entropy_with_logits on the logits)",
        )
        _check_probabilities(
            "binary_cross_entropy", "targets", y, " (a target is a probability: 0, 1 or between)"
        )
        log_p = _clamped_log(p)
        log_1mp = _clamped_log1m(p)
        ctx.save_for_backward(p, y)
        ctx.n = p.size
        return np.asarray(-np.mean(y * log_p + (1.0 - y) * log_1mp))

    @staticmethod
    def backward(ctx, grad):
        p, y = ctx.saved_tensors
        need_p, need_y = ctx.needs_input_grad
        scale = grad / ctx.n
        gp = gy = None
        if need_p:
            gp = scale * (p - y) / np.maximum(p * (1.0 - p), _GRAD_EPS)
        if need_y:  # unclamped, as PyTorch: infinite where p is exactly 0 or 1
            with np.errstate(divide="ignore"):
                gy = scale * (np.log1p(-p) - np.log(p))
        return gp, gy


class BinaryCrossEntropyWithLogits(Function):
    """L = (1/n) Σᵢ [max(zᵢ, 0) − zᵢ·yᵢ + ln(1 + e^(−|zᵢ|))]: binary cross-entropy of σ(z) against y,
    computed from the logits z (PyTorch's ``binary_cross_entropy_with_logits``, mean reduction).

    It equals ``binary_cross_entropy(sigmoid(z), y)`` but never forms σ(z): the rearranged form has
    no exp of a large positive number and no ln of 0, so it stays exact for |z| up to 1e3 and
    beyond, where σ(z) rounds to 0 or 1 and the probability form has to clamp.

    Derivatives: ∂L/∂zᵢ = (σ(zᵢ) − yᵢ)/n,  ∂L/∂yᵢ = −zᵢ/n.
    Chain rule: this is the sigmoid's σ′ = σ(1 − σ) cancelling the BCE's 1/(p(1 − p)):
    ∂L/∂z = ∂L/∂p · ∂p/∂z = (p − y)/(p(1 − p)) · p(1 − p) = p − y (per element, over n).
    Targets may be any probability in [0, 1]. (PyTorch's ``pos_weight`` and ``weight`` are not
    offered.)
    """

    name = "binary_cross_entropy_with_logits"
    formula = "(1/n) Σ [max({0}, 0) − {0}·{1} + ln(1 + e^(−|{0}|))]"
    derivatives = ("(σ({0})−{1})/n", "−{0}/n")

    @staticmethod
    def forward(ctx, z, y):
        _check_same_shape("binary_cross_entropy_with_logits", z, y)
        _check_probabilities(
            "binary_cross_entropy_with_logits", "targets", y, " (a target is a probability: 0, 1 or between)"
        )
        e = np.exp(-np.abs(z))
        ctx.save_for_backward(z, y, e)
        ctx.n = z.size
        return np.asarray(np.mean(np.maximum(z, 0) - z * y + np.log1p(e)))

    @staticmethod
    def backward(ctx, grad):
        z, y, e = ctx.saved_tensors
        need_z, need_y = ctx.needs_input_grad
        scale = grad / ctx.n
        gz = gy = None
        if need_z:
            sig = np.where(z >= 0, 1.0, e) / (1.0 + e)  # σ(z) without overflow, as `Sigmoid`
            gz = scale * (sig - y)
        if need_y:
            gy = -scale * z
        return gz, gy


class CrossEntropy(Function):
    """L = −(1/N) Σₙ ln softmax(zₙ)[yₙ]: the cross-entropy of logits z against classes y (PyTorch's
    ``cross_entropy``, mean reduction), computed from a stable log-softmax.

    The classes lie along axis 1 of ``logits`` (shape ``(N, C)``, ``(N, C, d1, …)``, or ``(C,)``
    for one sample). The target is either

    - class indices ``y`` of the logits' shape without the class axis, integers in ``[0, C)``;
      elements equal to ``ignore_index`` (−100) are left out of the sum and of the count N; or
    - class probabilities ``p`` of the logits' own shape: L = −(1/N) Σₙ Σ꜀ p_c ln s_c.

    Derivative (s = softmax(z), one-hot(y) for indices): ∂L/∂z = (s·Σ꜀p꜀ − p)/N, which for
    indices or probabilities summing to 1 is the famous (s − p)/N; ∂L/∂p = −ln s / N.
    Chain rule: with a softmax output layer, ∂L/∂z needs no division by s, so it never blows up.
    """

    name = "cross_entropy"
    hyperparameters = ("ignore_index",)
    formula = "−mean ln softmax({0})[{1}]"
    derivatives = ("(softmax({0}) − target)/N", "−log_softmax({0})/N")

    @staticmethod
    def forward(ctx, z, probs=None, index=None, ignore_index=-100):
        ctx.ignore_index = ignore_index
        if z.ndim == 0:
            raise ValueError("logits must have a class axis: shape (C,), (N, C) or (N, C, d1, ...), got ()")
        axis = 0 if z.ndim == 1 else 1
        logp = _log_softmax(z, axis)
        if probs is not None:  # class probabilities, one per logit
            if probs.shape != z.shape:
                raise ValueError(
                    f"probability target shape {probs.shape} must equal the logits' shape {z.shape}"
                )
            ctx.n = z.size // z.shape[axis]
            ctx.save_for_backward(logp, probs)
            ctx.axis, ctx.index = axis, None
            return np.asarray(-np.sum(probs * logp) / ctx.n)
        expected = z.shape[:axis] + z.shape[axis + 1 :]
        if index.shape == (1,) and z.ndim == 1:
            index = index.reshape(())
        if index.shape != expected:
            raise ValueError(
                f"class-index target shape {index.shape} must be the logits' shape without the class "
                f"axis, {expected} (or pass probabilities of shape {z.shape})"
            )
        keep = index != ignore_index
        bad = keep & ((index < 0) | (index >= z.shape[axis]))
        if bad.any():
            raise ValueError(
                f"target class {int(index[bad].flat[0])} is out of range for {z.shape[axis]} classes "
                f"(expected 0 … {z.shape[axis] - 1}, or ignore_index={ignore_index})"
            )
        safe = np.where(keep, index, 0)
        picked = np.take_along_axis(logp, np.expand_dims(safe, axis), axis=axis).squeeze(axis)
        ctx.n = int(keep.sum())
        ctx.axis, ctx.index, ctx.keep = axis, safe, keep
        ctx.save_for_backward(logp)
        with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: 0/0 = nan, as PyTorch
            return np.asarray(-np.sum(np.where(keep, picked, 0.0)) / ctx.n)

    @staticmethod
    def backward(ctx, grad):
        logp = ctx.saved_tensors[0]
        s = np.exp(logp)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = grad / ctx.n
        if ctx.index is None:
            probs = ctx.saved_tensors[1]
            need_z, need_p = ctx.needs_input_grad
            gz = scale * (s * np.sum(probs, axis=ctx.axis, keepdims=True) - probs) if need_z else None
            gp = -scale * logp if need_p else None
            return gz, gp
        if ctx.n == 0:  # every target ignored: the loss is nan but nothing depends on z (as PyTorch)
            return np.zeros_like(s)
        onehot = np.zeros_like(s)
        np.put_along_axis(onehot, np.expand_dims(ctx.index, ctx.axis), 1.0, axis=ctx.axis)
        return scale * (s - onehot) * np.expand_dims(ctx.keep, ctx.axis)

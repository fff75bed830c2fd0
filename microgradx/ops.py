"""Arithmetic and array ops: one small class each, forward and local derivative side by side.

Each ``backward`` receives the upstream gradient ∂L/∂out and returns ∂L/∂input = ∂L/∂out ·
∂out/∂input for every input (the chain rule). Gradients for broadcast inputs are returned in the
output's shape; `tensor._unbroadcast` sums them back, in one place.
"""

from __future__ import annotations

import numpy as np

from .function import Function
from .tensor import Tensor

__all__ = [
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Pow",
    "Neg",
    "MatMul",
    "Sum",
    "Mean",
    "Exp",
    "Log",
    "Reshape",
    "Transpose",
    "GetItem",
]


class Add(Function):
    """out = a + b.   ∂out/∂a = 1, ∂out/∂b = 1.   ∂L/∂a = ∂L/∂out · 1 (the gradient passes through)."""

    name = "add"
    derivatives = ("1", "1")

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """out = a − b.   ∂out/∂a = 1, ∂out/∂b = −1.   ∂L/∂b = −∂L/∂out."""

    name = "sub"
    derivatives = ("1", "−1")

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """out = a · b.   ∂out/∂a = b, ∂out/∂b = a.   ∂L/∂a = ∂L/∂out · b."""

    name = "mul"
    derivatives = ("{1}", "{0}")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    """out = a / b.   ∂out/∂a = 1/b, ∂out/∂b = −a/b² = −out/b.   ∂L/∂b = −∂L/∂out · out / b."""

    name = "div"
    derivatives = ("1/{1}", "−{0}/{1}²")

    @staticmethod
    def forward(ctx, a, b):
        out = a / b
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = grad / b if need_a else None
        gb = -grad * out / b if need_b else None
        return ga, gb


class Pow(Function):
    """out = aᵇ.   ∂out/∂a = b·aᵇ⁻¹,  ∂out/∂b = aᵇ·ln a.   ∂L/∂a = ∂L/∂out · b·aᵇ⁻¹.

    As in PyTorch: ∂out/∂a is 0 where b = 0, and ∂out/∂b is 0 where a = 0 and b ≥ 0 (the limit
    of aᵇ·ln a); a negative base gives NaN for ∂out/∂b, as ln a does.
    """

    name = "pow"
    derivatives = ("{1}·{0}^({1}−1)", "{out}·ln {0}")

    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            if b.ndim == 0:  # the common case, x ** 2: no masking needed unless b ∈ {0} or b < 1
                p = b.item()
                if p == 0:
                    ga = np.zeros_like(grad)
                elif p >= 1:
                    ga = grad * (p * a ** (p - 1))
                else:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        ga = grad * (p * a ** (p - 1))
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    ga = grad * np.where(b == 0, 0.0, b * a ** (b - 1))
        if need_b:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = grad * np.where((a == 0) & (b >= 0), 0.0, out * np.log(a))
        return ga, gb


class Neg(Function):
    """out = −a.   ∂out/∂a = −1."""

    name = "neg"
    derivatives = ("−1",)

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class MatMul(Function):
    """out = a @ b (matrix product, NumPy's ``matmul`` rules for 1-D and batched operands).

    out_ij = Σ_k a_ik b_kj, so ∂out_ij/∂a_ik = b_kj and ∂out_ij/∂b_kj = a_ik; summed over the
    other index, the chain rule gives ∂L/∂a = ∂L/∂out @ bᵀ and ∂L/∂b = aᵀ @ ∂L/∂out.
    """

    name = "matmul"
    derivatives = ("{1}ᵀ", "{0}ᵀ")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return a @ b
        except ValueError:
            raise ValueError(
                f"cannot multiply shapes {a.shape} @ {b.shape}: the last axis of the "
                f"first ({a.shape[-1:]}) must match the second-to-last of the second "
                f"({b.shape[-2:-1] or b.shape})"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the layer case, x @ W
            return (grad @ b.T if need_a else None), (a.T @ grad if need_b else None)
        if a.ndim == 1 and b.ndim == 1:  # dot product: out is a scalar
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # Promote 1-D operands to matrices as matmul does, then undo the promotion.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = grad
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if need_a:
            ga = g2 @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if need_b:
            gb = np.swapaxes(a2, -1, -2) @ g2
            if b.ndim == 1:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


def _normalize_axis(axis, ndim: int) -> tuple[int, ...]:
    """``axis`` as a sorted tuple of non-negative ints, or a ValueError naming the bad axis.

    As NumPy: valid axes are −ndim … ndim−1, so a 0-d tensor has none (``axis=0`` is refused).
    The message does not name the op: `Function.apply` adds it (``"sum: axis 2 …"``).
    """
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for ax in axes:
        if not isinstance(ax, (int, np.integer)) or isinstance(ax, bool):
            raise ValueError(f"axis must be an int or a tuple of ints, got {ax!r}")
        if not -ndim <= ax < ndim:
            raise ValueError(
                f"axis {ax} is out of bounds for a tensor of dimension {ndim}"
                + (f" (valid: {-ndim} … {ndim - 1})" if ndim else " (a 0-d tensor has no axes)")
            )
        out.append(int(ax) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in {axis!r}")
    return tuple(sorted(out))


def _spread(
    grad: np.ndarray,
    shape: tuple[int, ...],
    axes: tuple[int, ...],
    keepdims: bool,
    scale: float | None = None,
) -> np.ndarray:
    """Copy a reduced gradient back over the reduced axes (the adjoint of a sum)."""
    if not keepdims and axes:
        grad = np.expand_dims(grad, axes)
    out = np.empty(shape, dtype=grad.dtype)
    if scale is None:
        out[...] = grad
    else:
        np.multiply(grad, scale, out=out)
    return out


class Sum(Function):
    """out = Σᵢ aᵢ over ``axis``.   ∂out/∂aᵢ = 1: every summed element receives ∂L/∂out."""

    name = "sum"
    derivatives = ("1",)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.shape = a.shape
        ctx.axes = _normalize_axis(axis, a.ndim)
        ctx.keepdims = bool(keepdims)
        return np.asarray(a.sum(axis=ctx.axes, keepdims=ctx.keepdims))

    @staticmethod
    def backward(ctx, grad):
        return _spread(grad, ctx.shape, ctx.axes, ctx.keepdims)


class Mean(Function):
    """out = (1/n) Σᵢ aᵢ over ``axis``.   ∂out/∂aᵢ = 1/n."""

    name = "mean"
    derivatives = ("1/{ctx.count}",)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.shape = a.shape
        ctx.axes = _normalize_axis(axis, a.ndim)
        ctx.keepdims = bool(keepdims)
        count = 1
        for ax in ctx.axes:
            count *= a.shape[ax]
        if count == 0:
            raise ValueError(f"cannot average over an empty axis of shape {a.shape}")
        ctx.count = count
        return np.asarray(a.sum(axis=ctx.axes, keepdims=ctx.keepdims) / count)

    @staticmethod
    def backward(ctx, grad):
        return _spread(grad, ctx.shape, ctx.axes, ctx.keepdims, 1.0 / ctx.count)


class Exp(Function):
    """out = eᵃ.   ∂out/∂a = eᵃ = out (saved, not recomputed)."""

    name = "exp"
    derivatives = ("exp({0})",)

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    """out = ln a.   ∂out/∂a = 1/a."""

    name = "log"
    derivatives = ("1/{0}",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Reshape(Function):
    """out = a with a new shape.   Each element keeps its value, so ∂L/∂a is ∂L/∂out reshaped back."""

    name = "reshape"
    derivatives = ("1",)

    @staticmethod
    def forward(ctx, a, shape=()):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Transpose(Function):
    """out = a with its axes permuted.   ∂L/∂a is ∂L/∂out permuted back (the inverse permutation)."""

    name = "transpose"
    derivatives = ("1",)

    @staticmethod
    def forward(ctx, a, axes=None):
        if axes is not None:
            axes = tuple(int(ax) for ax in axes)
            if sorted(ax % max(a.ndim, 1) for ax in axes) != list(range(a.ndim)) or len(axes) != a.ndim:
                raise ValueError(f"axes {axes} are not a permutation of the {a.ndim} axes of shape {a.shape}")
            ctx.inverse = tuple(np.argsort([ax % a.ndim for ax in axes]))
        else:
            ctx.inverse = None
        return a.transpose(axes)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(ctx.inverse)


def _is_basic_index(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


def _tensor_index(index: Tensor) -> np.ndarray:
    """A Tensor used as an index: integer positions (its float values cast), never a mask.

    Tensors hold floats, so a Tensor index is accepted only when every value is a whole number
    (``x[Tensor([0, 2])]`` is ``x[[0, 2]]``); ``Tensor([0.9, 2.7])`` is refused rather than
    truncated. A 0/1 Tensor is positions 0 and 1, not a mask: mask with a NumPy bool array.
    """
    values = index.data
    whole = np.isfinite(values) & (values == np.round(values))
    if not whole.all():
        bad = values[~whole].flat[0]
        raise IndexError(
            f"getitem: a Tensor used as an index must hold whole numbers (positions), found {float(bad)!r}; "
            "for a mask, index with a NumPy bool array (e.g. x[t.data > 0])"
        )
    return values.astype(np.intp)


class GetItem(Function):
    """out = a[index].   Each selected element's gradient goes back to where it came from
    (zero elsewhere); an element selected twice (advanced indexing) receives both gradients.

    ``index`` is anything NumPy accepts (ints, slices, lists, integer or bool arrays); a Tensor
    in it stands for integer positions (see `_tensor_index`). An out-of-range index raises
    ``IndexError``, so Python's iteration protocols work as for a list or an ndarray.
    """

    name = "getitem"
    derivatives = ("1 at the selected elements, 0 elsewhere",)

    @staticmethod
    def forward(ctx, a, index=()):
        if isinstance(index, Tensor):
            index = _tensor_index(index)
        elif isinstance(index, tuple) and any(isinstance(i, Tensor) for i in index):
            index = tuple(_tensor_index(i) if isinstance(i, Tensor) else i for i in index)
        ctx.shape = a.shape
        ctx.index = index
        ctx.basic = _is_basic_index(index)
        try:
            return np.asarray(a[index])
        except IndexError as err:
            raise IndexError(f"getitem: {err} (index {index!r}, tensor shape {a.shape})") from None

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        if ctx.basic:
            out[ctx.index] = grad
        else:
            np.add.at(out, ctx.index, grad)
        return out

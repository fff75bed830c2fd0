"""Arithmetic and array ops: one small class each, forward and local derivative side by side.

Each ``backward`` receives the upstream gradient ∂L/∂out and returns ∂L/∂input = ∂L/∂out ·
∂out/∂input for every input (the chain rule). Gradients for broadcast inputs are returned in the
output's shape; `tensor._unbroadcast` sums them back, in one place.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .function import Function
from .tensor import Tensor

__all__ = [
    "Abs",
    "Add",
    "Clip",
    "Concatenate",
    "Div",
    "Exp",
    "Flatten",
    "GetItem",
    "Log",
    "Log1p",
    "MatMul",
    "Max",
    "Maximum",
    "Mean",
    "Min",
    "Minimum",
    "Mul",
    "Neg",
    "Pow",
    "Reshape",
    "Sqrt",
    "Squeeze",
    "Stack",
    "Std",
    "Sub",
    "Sum",
    "Transpose",
    "Unsqueeze",
    "Var",
    "Where",
]


class Add(Function):
    """out = a + b.   ∂out/∂a = 1, ∂out/∂b = 1.   ∂L/∂a = ∂L/∂out · 1 (the gradient passes through)."""

    name = "add"
    symbol = "+"
    notation = "infix"
    precedence = 1
    associative = True
    commutative = True
    formula = "{0} + {1}"
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
    symbol = "−"
    notation = "infix"
    precedence = 1
    formula = "{0} − {1}"
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
    symbol = "·"
    notation = "infix"
    precedence = 2
    associative = True
    commutative = True
    formula = "{0}·{1}"
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
    symbol = "/"
    notation = "infix"
    precedence = 2
    formula = "{0}/{1}"
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
    symbol = "^"
    notation = "infix"
    precedence = 4
    right_associative = True
    formula = "{0}^{1}"
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
    symbol = "−"
    notation = "prefix"
    precedence = 3
    formula = "−{0}"
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
    symbol = "@"
    notation = "infix"
    precedence = 2
    formula = "{0}@{1}"
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
    formula = "Σ {0}"
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
    formula = "(1/n) Σ {0}"
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
    formula = "e^{0}"
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
    formula = "ln {0}"
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
    formula = "{0} reshaped"
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
    formula = "{0} with axes permuted"
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
    formula = "{0}[index]"
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


# ---------------------------------------------------------------- everyday elementwise ops
# Kinks and ties follow PyTorch; each docstring states the value used there.


class Abs(Function):
    """out = |a|.   ∂out/∂a = sign(a): 1 for a > 0, −1 for a < 0, and 0 at the kink a = 0 (as PyTorch).

    Chain rule: ∂L/∂a = ∂L/∂out · sign(a).
    """

    name = "abs"
    formula = "|{0}|"
    derivatives = ("sign({0})",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.sign(a)


class Sqrt(Function):
    """out = √a.   ∂out/∂a = 1/(2√a) = 1/(2·out) (from the saved output).

    Chain rule: ∂L/∂a = ∂L/∂out / (2·out). At a = 0 the derivative is +∞ (as PyTorch); a < 0
    gives NaN, as ``numpy.sqrt`` does.
    """

    name = "sqrt"
    symbol = "√"
    formula = "√{0}"
    derivatives = ("1/(2√{0})",)

    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / (2.0 * out)


class Log1p(Function):
    """out = ln(1 + a), exact for tiny a (``numpy.log1p``).   ∂out/∂a = 1/(1 + a).

    Chain rule: ∂L/∂a = ∂L/∂out / (1 + a).
    """

    name = "log1p"
    formula = "ln(1 + {0})"
    derivatives = ("1/(1+{0})",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (1.0 + a)


class Clip(Function):
    """out = min(max(a, low), high): a held inside [low, high] (``low`` or ``high`` may be None).

    ∂out/∂a = 1 where low ≤ a ≤ high (the bounds included: at a kink the gradient passes, as
    PyTorch's ``clamp``), 0 outside. Chain rule: ∂L/∂a = ∂L/∂out · [low ≤ a ≤ high].
    """

    name = "clip"
    hyperparameters = ("min", "max")
    formula = "min(max({0}, {ctx.min}), {ctx.max})"
    derivatives = ("1 if {ctx.min} ≤ {0} ≤ {ctx.max} else 0",)

    @staticmethod
    def forward(ctx, a, low=None, high=None):
        for which, bound in (("min", low), ("max", high)):
            if bound is not None and (
                isinstance(bound, bool) or not isinstance(bound, numbers.Real) or math.isnan(bound)
            ):
                raise ValueError(f"{which} must be a real number or None, got {bound!r}")
        if low is not None and high is not None and low > high:
            raise ValueError(f"min={low!r} is larger than max={high!r}; expected min <= max")
        ctx.min = "−∞" if low is None else low
        ctx.max = "∞" if high is None else high
        inside = np.ones(a.shape, dtype=bool)
        out = a
        if low is not None:
            inside &= a >= low
            out = np.maximum(out, np.asarray(low, a.dtype))
        if high is not None:
            inside &= a <= high
            out = np.minimum(out, np.asarray(high, a.dtype))
        ctx.save_for_backward(inside)
        return np.array(out, dtype=a.dtype, copy=True)

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside


class Maximum(Function):
    """out = max(a, b) elementwise.   ∂out/∂a = 1 where a > b, 0 where a < b; at a tie a = b
    each side gets ½ (as PyTorch's ``maximum``).   Chain rule: ∂L/∂a = ∂L/∂out · [a > b] (+ ½ at ties).
    """

    name = "maximum"
    commutative = True
    formula = "max({0}, {1})"
    derivatives = (
        "1 if {0} > {1} else (½ if {0} = {1} else 0)",
        "1 if {1} > {0} else (½ if {0} = {1} else 0)",
    )

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0)).astype(grad.dtype, copy=False)
        need_a, need_b = ctx.needs_input_grad
        return (grad * share if need_a else None), (grad * (1.0 - share) if need_b else None)


class Minimum(Function):
    """out = min(a, b) elementwise.   ∂out/∂a = 1 where a < b, 0 where a > b; at a tie each side
    gets ½ (as PyTorch's ``minimum``).   Chain rule: ∂L/∂a = ∂L/∂out · [a < b] (+ ½ at ties).
    """

    name = "minimum"
    commutative = True
    formula = "min({0}, {1})"
    derivatives = (
        "1 if {0} < {1} else (½ if {0} = {1} else 0)",
        "1 if {1} < {0} else (½ if {0} = {1} else 0)",
    )

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = np.where(a < b, 1.0, np.where(a == b, 0.5, 0.0)).astype(grad.dtype, copy=False)
        need_a, need_b = ctx.needs_input_grad
        return (grad * share if need_a else None), (grad * (1.0 - share) if need_b else None)


class Where(Function):
    """out = a where ``condition`` else b (``condition`` a boolean array, not differentiated).

    ∂out/∂a = [condition], ∂out/∂b = [not condition]: each element's gradient goes to the side
    it was taken from. Chain rule: ∂L/∂a = ∂L/∂out · [condition].
    """

    name = "where"
    formula = "{0} where the condition holds, else {1}"
    derivatives = ("1 where the condition holds, else 0", "0 where the condition holds, else 1")

    @staticmethod
    def forward(ctx, a, b, condition=None):
        cond = np.asarray(condition)
        if cond.dtype != np.bool_:
            raise TypeError(f"where: condition must be a boolean array (e.g. x > 0), got dtype {cond.dtype}")
        ctx.condition = cond
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        cond = ctx.condition
        need_a, need_b = ctx.needs_input_grad
        zero = np.zeros((), dtype=grad.dtype)
        return (np.where(cond, grad, zero) if need_a else None), (
            np.where(cond, zero, grad) if need_b else None
        )


# ---------------------------------------------------------------- reductions: max, min, var, std


def _extreme(ctx, a, axis, keepdims, reduce, op: str) -> np.ndarray:
    """Forward of max/min: the reduction, and each element's share of the gradient saved."""
    ctx.axes = _normalize_axis(axis, a.ndim)
    ctx.keepdims = bool(keepdims)
    if a.size == 0:
        raise ValueError(f"cannot take the {op} of an empty tensor of shape {a.shape}")
    out = reduce(a, axis=ctx.axes, keepdims=True)
    hit = a == out
    ctx.save_for_backward(hit / hit.sum(axis=ctx.axes, keepdims=True))  # 1/k at each of k ties
    return np.asarray(out if ctx.keepdims else np.squeeze(out, axis=ctx.axes))


def _extreme_backward(ctx, grad: np.ndarray) -> np.ndarray:
    (share,) = ctx.saved_tensors
    if not ctx.keepdims and ctx.axes:
        grad = np.expand_dims(grad, ctx.axes)
    return grad * share.astype(grad.dtype, copy=False)


class Max(Function):
    """out = maxᵢ aᵢ over ``axis``.   ∂out/∂aᵢ = 1 for the largest element, 0 for the others.

    Ties: the k elements equal to the maximum each get 1/k of ∂L/∂out (as ``torch.amax`` and
    ``torch.max(x)`` without a dim; ``torch.max(x, dim)`` instead gives it all to one index).
    Chain rule: ∂L/∂aᵢ = ∂L/∂out · [aᵢ = out] / k.
    """

    name = "max"
    formula = "max {0}"
    derivatives = ("1/k at the k largest (tied) elements, 0 elsewhere",)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        return _extreme(ctx, a, axis, keepdims, np.max, "max")

    @staticmethod
    def backward(ctx, grad):
        return _extreme_backward(ctx, grad)


class Min(Function):
    """out = minᵢ aᵢ over ``axis``.   ∂out/∂aᵢ = 1 for the smallest element, 0 for the others.

    Ties: the k elements equal to the minimum each get 1/k of ∂L/∂out (as ``torch.amin`` and
    ``torch.min(x)`` without a dim). Chain rule: ∂L/∂aᵢ = ∂L/∂out · [aᵢ = out] / k.
    """

    name = "min"
    formula = "min {0}"
    derivatives = ("1/k at the k smallest (tied) elements, 0 elsewhere",)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        return _extreme(ctx, a, axis, keepdims, np.min, "min")

    @staticmethod
    def backward(ctx, grad):
        return _extreme_backward(ctx, grad)


def _var_parts(a: np.ndarray, axis, ddof, op: str):
    """(axes, deviations a − mean, divisor n − ddof) for var and std, or a ValueError."""
    axes = _normalize_axis(axis, a.ndim)
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    if isinstance(ddof, bool) or not isinstance(ddof, (int, np.integer)) or ddof < 0:
        raise ValueError(f"{op}: ddof must be a non-negative int, got {ddof!r}")
    if n - ddof <= 0:
        raise ValueError(f"{op}: ddof={ddof} needs more than {ddof} element(s) per reduction, got {n}")
    dev = a - a.mean(axis=axes, keepdims=True)
    return axes, dev, n - ddof


class Var(Function):
    """out = Σᵢ (aᵢ − ā)² / (n − ddof) over ``axis`` (ddof = 0: the population variance, NumPy's
    default; ddof = 1: the sample variance, PyTorch's default ``correction=1``).

    ∂out/∂aᵢ = 2(aᵢ − ā)/(n − ddof) (the terms through ā sum to zero).
    Chain rule: ∂L/∂aᵢ = ∂L/∂out · 2(aᵢ − ā)/(n − ddof).
    """

    name = "var"
    hyperparameters = ("ddof",)
    formula = "Σ({0} − mean)²/(n − ddof)"
    derivatives = ("2({0}−mean)/{ctx.divisor_text}",)

    @staticmethod
    def forward(ctx, a, axis=None, ddof=0, keepdims=False):
        ctx.axes, dev, ctx.divisor = _var_parts(a, axis, ddof, "var")
        ctx.ddof, ctx.keepdims = ddof, bool(keepdims)
        ctx.divisor_text = "n" if ddof == 0 else f"(n−{ddof})"
        ctx.save_for_backward(dev)
        return np.asarray((dev * dev).sum(axis=ctx.axes, keepdims=ctx.keepdims) / ctx.divisor)

    @staticmethod
    def backward(ctx, grad):
        (dev,) = ctx.saved_tensors
        if not ctx.keepdims and ctx.axes:
            grad = np.expand_dims(grad, ctx.axes)
        return grad * dev * (2.0 / ctx.divisor)


class Std(Function):
    """out = √var = √(Σᵢ (aᵢ − ā)² / (n − ddof)) over ``axis``.

    ∂out/∂aᵢ = (aᵢ − ā) / ((n − ddof)·out); where out = 0 (all elements equal) the gradient is 0,
    as PyTorch. Chain rule: ∂L/∂aᵢ = ∂L/∂out · (aᵢ − ā)/((n − ddof)·out).
    """

    name = "std"
    hyperparameters = ("ddof",)
    formula = "√(Σ({0} − mean)²/(n − ddof))"
    derivatives = ("({0}−mean)/({ctx.divisor_text}·{out})",)

    @staticmethod
    def forward(ctx, a, axis=None, ddof=0, keepdims=False):
        ctx.axes, dev, ctx.divisor = _var_parts(a, axis, ddof, "std")
        ctx.ddof, ctx.keepdims = ddof, bool(keepdims)
        ctx.divisor_text = "n" if ddof == 0 else f"(n−{ddof})"
        out = np.sqrt((dev * dev).sum(axis=ctx.axes, keepdims=True) / ctx.divisor)
        ctx.save_for_backward(dev, out)
        return out if ctx.keepdims else np.asarray(np.squeeze(out, axis=ctx.axes))

    @staticmethod
    def backward(ctx, grad):
        dev, out = ctx.saved_tensors
        if not ctx.keepdims and ctx.axes:
            grad = np.expand_dims(grad, ctx.axes)
        safe = np.where(out == 0, np.inf, out * ctx.divisor)  # 1/∞ = 0 where the spread is zero
        return grad * dev / safe


# ---------------------------------------------------------------- joining and shaping


class Flatten(Reshape):
    """out = a as one axis (``a.reshape(-1)``).   Values unchanged, so ∂L/∂a is ∂L/∂out reshaped back."""

    name = "flatten"

    @staticmethod
    def forward(ctx, a):  # type: ignore[override]  # Reshape's backward, without a shape argument
        ctx.shape = a.shape
        return a.reshape(-1)


class Squeeze(Reshape):
    """out = a without its length-1 axes (all of them, or the ones in ``axis``), as ``numpy.squeeze``.

    Values unchanged, so ∂L/∂a is ∂L/∂out reshaped back. An ``axis`` of length ≠ 1 is an error
    (NumPy's rule; PyTorch silently leaves such an axis alone).
    """

    name = "squeeze"
    hyperparameters = ("axis",)

    @staticmethod
    def forward(ctx, a, axis=None):
        ctx.shape, ctx.axis = a.shape, axis
        axes = _normalize_axis(axis, a.ndim)
        if axis is None:
            axes = tuple(i for i in axes if a.shape[i] == 1)
        for ax in axes:
            if a.shape[ax] != 1:
                raise ValueError(f"cannot squeeze axis {ax}: it has length {a.shape[ax]}, not 1")
        return a.reshape(tuple(n for i, n in enumerate(a.shape) if i not in axes))


class Unsqueeze(Reshape):
    """out = a with a new length-1 axis at position ``axis`` (``numpy.expand_dims``, ``torch.unsqueeze``).

    Values unchanged, so ∂L/∂a is ∂L/∂out reshaped back. ``axis`` may be −(ndim+1) … ndim.
    """

    name = "unsqueeze"
    hyperparameters = ("axis",)

    @staticmethod
    def forward(ctx, a, axis=0):
        ctx.shape, ctx.axis = a.shape, axis
        if (
            isinstance(axis, bool)
            or not isinstance(axis, (int, np.integer))
            or not -a.ndim - 1 <= axis <= a.ndim
        ):
            raise ValueError(f"axis {axis!r} is out of range for a new axis of a {a.ndim}-D tensor")
        return np.expand_dims(a, int(axis))


def _join_axis(arrays: tuple[np.ndarray, ...], axis, op: str, ndim: int) -> int:
    """Check ``axis`` for concatenate/stack; all inputs must have the same number of axes."""
    if not arrays:
        raise ValueError("needs at least one tensor")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis!r} is out of range for {ndim}-D results")
    return int(axis) % ndim


class Concatenate(Function):
    """out = the inputs joined along an existing ``axis`` (``numpy.concatenate``, ``torch.cat``).

    Each input's elements are copied into one slice of out, so ∂L/∂input_k is the slice of
    ∂L/∂out that input k filled. Chain rule: ∂L/∂aₖ = (∂L/∂out)[offsetₖ : offsetₖ + lenₖ].
    """

    name = "concatenate"
    hyperparameters = ("axis",)
    formula = "the inputs joined along an axis"
    derivatives = ("1 on its slice of the output",)
    variadic = True

    @staticmethod
    def forward(ctx, *arrays, axis=0):
        if arrays and any(a.ndim == 0 for a in arrays):
            raise ValueError("zero-dimensional tensors cannot be concatenated (use stack)")
        ctx.axis = _join_axis(arrays, axis, "concatenate", arrays[0].ndim if arrays else 1)
        ctx.splits = np.cumsum([a.shape[ctx.axis] for a in arrays])[:-1]
        return np.concatenate(arrays, axis=ctx.axis)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.split(grad, ctx.splits, axis=ctx.axis))


class Stack(Function):
    """out = the inputs (all the same shape) joined along a *new* ``axis`` (``numpy.stack``, ``torch.stack``).

    Input k becomes out's k-th slice along ``axis``, so ∂L/∂aₖ = (∂L/∂out) taken at index k of
    that axis.
    """

    name = "stack"
    hyperparameters = ("axis",)
    formula = "the inputs stacked along a new axis"
    derivatives = ("1 on its slice of the output",)
    variadic = True

    @staticmethod
    def forward(ctx, *arrays, axis=0):
        ctx.axis = _join_axis(arrays, axis, "stack", arrays[0].ndim + 1 if arrays else 1)
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise ValueError(f"all tensors must have the same shape, got {sorted(shapes)}")
        return np.stack(arrays, axis=ctx.axis)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.moveaxis(grad, ctx.axis, 0))

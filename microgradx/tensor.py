"""The `Tensor`: an ndarray that remembers the op that made it.

Every op (see ``ops.py``, ``activations.py``) returns a Tensor whose ``_ctx`` is the op's context:
which tensors went in (``ctx.parents``) and what the derivative needs. ``backward()`` hands the
graph to `microgradx.autograd`, which applies the chain rule from the output back to the leaves.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["Tensor"]

_FLOAT_KINDS = "f"
# Why `microgradx.compile` cannot trace a step that reads values (`Tensor.data`, `Tensor.item`).
_READ_IN_PYTHON = "a tensor's values were read in Python inside the step (.data, .item(), a comparison)"


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert user data to a float ndarray (a copy), or raise naming what was wrong."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Tensor: dtype must be a floating dtype (float32 or float64), got {dtype}")
    if isinstance(data, (str, bytes)):
        raise TypeError(f"Tensor: expected numbers, got the string {data!r}")
    try:
        arr = np.array(data, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"Tensor: cannot convert {type(data).__name__} to a numeric array ({err})") from None
    kind = arr.dtype.kind
    if kind == "f":
        return arr
    if kind in "iub":
        return arr.astype(np.float64)
    if kind == "c":
        raise TypeError(f"Tensor: complex data is not supported, got dtype {arr.dtype}")
    raise TypeError(
        f"Tensor: expected numeric data, got an array of dtype {arr.dtype} "
        f"({'object' if kind == 'O' else 'non-numeric'} data cannot be differentiated)"
    )


class Tensor:
    """An n-dimensional array of floats with reverse-mode automatic differentiation.

    Args:
        data: a number, a (nested) list, an ndarray or a Tensor; copied. Python numbers, lists,
            ints and bools become float64; float32 arrays stay float32.
        requires_grad: record ops on this tensor so `backward` can compute ∂L/∂tensor.
        name: a label for graphs and traces (settable later as ``t.name``).
        dtype: force a float dtype (``"float32"`` or ``"float64"``).

    Examples:
        >>> import microgradx as mgx
        >>> x = mgx.Tensor(-4.0, requires_grad=True, name="x")
        >>> y = x * x + 2 * x          # y = x² + 2x
        >>> y.backward()               # dy/dx = 2x + 2
        >>> float(x.grad)
        -6.0
    """

    # ``_data`` is the array behind the `data` property; ``_held`` and ``_snap`` detect in-place
    # changes between a forward pass and its backward (see `data`).
    __slots__ = ("__weakref__", "_ctx", "_data", "_held", "_snap", "grad", "name", "requires_grad")
    __array_priority__ = 100.0  # ndarray <op> Tensor defers to Tensor's reflected operators
    _snap: tuple[np.ndarray, np.ndarray] | None  # (the array, a copy of its values) or None

    def __init__(
        self, data: Any, requires_grad: bool = False, name: str | None = None, dtype: Any = None
    ) -> None:
        self._data = _to_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._ctx = None
        self._held = 0
        self._snap = None
        if _function._tracer is not None:  # `microgradx.compile` is tracing a step
            _function._tracer.fail("a tensor was made from data inside the step")

    @staticmethod
    def _make(data: np.ndarray, ctx: Any) -> Tensor:
        """Fast constructor for results made outside `Function.apply`: no conversion, no checks.

        `Function.apply` sets the same slots inline (one call less per op, the hot path): a slot
        added to `Tensor` is set in ``__init__``, here and there (tests/test_tensor.py checks).
        """
        t = _new(Tensor)
        t._data = data
        t.grad = None
        t.requires_grad = ctx is not None
        t.name = None
        t._ctx = ctx
        t._held = 0
        t._snap = None
        return t

    # ---------------------------------------------------------------- attributes
    @property
    def data(self) -> np.ndarray:
        """The values, an ndarray (the tensor's own array: writing into it changes the tensor).

        Changing it in place between a forward pass and its ``backward()`` would make the
        gradients wrong (they use the values the forward pass saw), so it is detected: reading
        ``.data`` of a leaf that an op used since the last backward pass keeps a copy of the
        values, and ``backward()`` raises ``RuntimeError`` naming the tensor if they changed.
        Normal loops (forward, backward, then ``optimizer.step()`` or ``p.data -= lr * p.grad``)
        never copy anything. Assigning a new array (``t.data = a``) is always safe: the graph
        keeps the old one.
        """
        if _function._tracer is not None:  # `microgradx.compile` is tracing a step
            _function._tracer.fail(_READ_IN_PYTHON)
        if self._held == _function._epoch:  # an op recorded since the last backward used it
            self._snap = (self._data, self._data.copy())
            self._held = -1  # copied; a new use by an op would make the copy obsolete
        return self._data

    @data.setter
    def data(self, value: np.ndarray) -> None:
        if _function._tracer is not None:  # `microgradx.compile` is tracing a step
            _function._tracer.fail("a tensor's .data was assigned inside the step")
        self._data = value

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def op(self) -> str | None:
        """Name of the op that made this tensor (``"add"``, ``"sigmoid"``, …); None for a leaf."""
        ctx = self._ctx
        return None if ctx is None else type(ctx).name

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def T(self) -> Tensor:
        """The transpose (axes reversed), like ``ndarray.T``."""
        return Transpose.apply(self)

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if _function._tracer is not None:  # `microgradx.compile` is tracing a step
            _function._tracer.fail(_READ_IN_PYTHON)
        # (``_data``, not the `data` property: a Python float cannot change the array in place,
        # so there is nothing for the in-place check to copy)
        data = self._data
        if data.size != 1:
            raise ValueError(
                f"item: only one-element tensors convert to a Python number, got shape {data.shape}"
            )
        return float(data.reshape(()))

    def numpy(self) -> np.ndarray:
        """The data as an ndarray (the tensor's own array, not a copy)."""
        return self.data

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut from the graph (``requires_grad=False``)."""
        return Tensor._make(self._data, None)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad = None``)."""
        self.grad = None

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20, edgeitems=2)
        extras = []
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        if self._ctx is not None:
            extras.append(f"op={self.op!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        return f"Tensor({body}{''.join(', ' + e for e in extras)})"

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        """The rows ``t[0]``, ``t[1]``, … (differentiable, like torch): ``for row in X``, ``a, b = t``.

        Each row is a ``getitem`` op, so ``sum(t)`` and ``list(t)`` stay in the graph. A 0-d
        tensor has no rows: iterating it raises ``TypeError``, as in PyTorch.
        """
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __contains__(self, element: Any) -> bool:
        """``x in t``: does any element of ``t`` equal ``x`` (a number or a tensor, broadcast)?

        Value membership as PyTorch, not identity: ``2.0 in Tensor([1.0, 2.0])`` is True.
        """
        if isinstance(element, Tensor):
            element = element.data
        elif isinstance(element, bool) or not isinstance(element, numbers.Real):
            raise TypeError(
                f"'in' on a Tensor takes a number or a Tensor, got {type(element).__name__} {element!r}"
            )
        return bool(np.any(self.data == element))

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """The values as an ndarray, so ``np.asarray(t)`` and NumPy functions see the data.

        Follows NumPy 2's protocol: no copy unless one is needed (a new ``dtype``) or asked for
        (``copy=True``); ``copy=False`` with a new ``dtype`` raises ``ValueError``. The result is
        plain data: nothing done to it is recorded in the graph.
        """
        data = self.data
        if dtype is not None and np.dtype(dtype) != data.dtype:
            if copy is False:
                raise ValueError(
                    f"Tensor.__array__: converting {data.dtype} to {np.dtype(dtype)} needs a copy, "
                    "but copy=False was given"
                )
            return data.astype(dtype)
        return data.copy() if copy else data

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return self.item()

    # Tensors are graph nodes: hashed and compared by identity (``==`` is not elementwise).
    __hash__ = object.__hash__

    # ---------------------------------------------------------------- backward
    def backward(self, gradient: Any = None) -> None:
        """Compute ∂self/∂t for every tensor t in the graph that requires grad; add it to ``t.grad``.

        Args:
            gradient: ∂L/∂self, of ``self``'s shape. May be omitted only when ``self`` has one
                element (then it is 1, i.e. L = self).

        Gradients accumulate (``+=``) across uses and calls until zeroed; intermediate tensors
        keep their ``.grad`` too, so graphs and hand traces can read every step.
        """
        run_backward(self, gradient)

    # ---------------------------------------------------------------- operators
    def _lift(self, other: Any) -> Tensor:
        """A number or array on the other side of an operator, as a constant tensor.

        Python numbers take this tensor's dtype, so ``float32_tensor * 2`` stays float32.
        """
        if isinstance(other, Tensor):
            return other
        # (type(...) in (float, int) first: the abstract numbers.Real check costs ~1 µs)
        if type(other) in (float, int) or (
            isinstance(other, numbers.Real) and not isinstance(other, np.ndarray)
        ):
            return _make(_asarray(other, self._data.dtype), None)
        return Tensor(other)

    def __add__(self, other: Any) -> Tensor:
        return Add.apply(self, self._lift(other))

    def __radd__(self, other: Any) -> Tensor:
        return Add.apply(self._lift(other), self)

    def __sub__(self, other: Any) -> Tensor:
        return Sub.apply(self, self._lift(other))

    def __rsub__(self, other: Any) -> Tensor:
        return Sub.apply(self._lift(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return Mul.apply(self, self._lift(other))

    def __rmul__(self, other: Any) -> Tensor:
        return Mul.apply(self._lift(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return Div.apply(self, self._lift(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return Div.apply(self._lift(other), self)

    def __pow__(self, other: Any) -> Tensor:
        return Pow.apply(self, self._lift(other))

    def __rpow__(self, other: Any) -> Tensor:
        return Pow.apply(self._lift(other), self)

    def __neg__(self) -> Tensor:
        return Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __matmul__(self, other: Any) -> Tensor:
        return MatMul.apply(self, self._lift(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return MatMul.apply(self._lift(other), self)

    def __getitem__(self, index: Any) -> Tensor:
        return GetItem.apply(self, index=index)

    # ---------------------------------------------------------------- methods
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes by default), as ``ndarray.sum``."""
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis`` (all axes by default), as ``ndarray.mean``."""
        return Mean.apply(self, axis=axis, keepdims=keepdims)

    def exp(self) -> Tensor:
        """eˣ elementwise."""
        return Exp.apply(self)

    def log(self) -> Tensor:
        """Natural logarithm elementwise."""
        return Log.apply(self)

    def reshape(self, *shape: Any) -> Tensor:
        """A tensor with the same data in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Reshape.apply(self, shape=shape)

    def transpose(self, *axes: Any) -> Tensor:
        """Permute axes as ``ndarray.transpose``: no argument reverses them."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return Transpose.apply(self, axes=axes or None)

    def sigmoid(self) -> Tensor:
        """σ(x) = 1 / (1 + e⁻ˣ); see `microgradx.functional.sigmoid`."""
        return Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        """tanh(x); see `microgradx.functional.tanh`."""
        return Tanh.apply(self)

    def relu(self) -> Tensor:
        """max(0, x); see `microgradx.functional.relu`."""
        return ReLU.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x if x > 0 else negative_slope·x; see `microgradx.functional.leaky_relu`."""
        return LeakyReLU.apply(self, negative_slope=_real(negative_slope, "negative_slope", "leaky_relu"))

    def prelu(self, weight: Any) -> Tensor:
        """x if x > 0 else a·x with a trainable slope ``weight``; see `microgradx.functional.prelu`."""
        return PReLU.apply(self, self._lift(weight))

    def elu(self, alpha: float = 1.0) -> Tensor:
        """x if x > 0 else α(eˣ − 1); see `microgradx.functional.elu`."""
        return ELU.apply(self, alpha=_real(alpha, "alpha", "elu", positive=True))

    def selu(self) -> Tensor:
        """λ·(x if x > 0 else α(eˣ − 1)); see `microgradx.functional.selu`."""
        return SELU.apply(self)

    # ---------------------------------------------------------------- everyday ops (issue 15)
    # Formulas, derivatives and the values at kinks and ties: the op classes in ops.py and
    # activations.py. Comparisons return NumPy boolean arrays (data, not graph nodes: use them
    # as masks or in `microgradx.where`); ``==`` stays identity, since tensors are graph nodes.
    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < _data(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= _data(other)

    def __abs__(self) -> Tensor:
        return Abs.apply(self)

    def abs(self) -> Tensor:
        """|x| elementwise; the derivative sign(x) is 0 at x = 0 (as PyTorch)."""
        return Abs.apply(self)

    def sqrt(self) -> Tensor:
        """√x elementwise; derivative 1/(2√x)."""
        return Sqrt.apply(self)

    def log1p(self) -> Tensor:
        """ln(1 + x) elementwise, exact for tiny x; derivative 1/(1 + x)."""
        return Log1p.apply(self)

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Hold values inside [min, max] (``numpy.clip``, ``torch.clamp``); gradient 1 inside, bounds included."""
        return Clip.apply(self, low=min, high=max)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        """(1/β)·ln(1 + e^(βx)), linear where βx > threshold; see `microgradx.activations.Softplus`."""
        beta = _real(beta, "beta", "softplus")
        if beta <= 0:
            raise ValueError(f"softplus: beta must be > 0, got {beta!r}")
        return Softplus.apply(self, beta=beta, threshold=_real(threshold, "threshold", "softplus"))

    def softmax(self, axis: int = -1) -> Tensor:
        """Probabilities e^(xᵢ)/Σⱼ e^(xⱼ) along ``axis``; see `microgradx.activations.Softmax`."""
        return Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """ln softmax along ``axis``, computed stably; see `microgradx.activations.LogSoftmax`."""
        return LogSoftmax.apply(self, axis=axis)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Largest value over ``axis`` (all by default); tied maxima share the gradient equally."""
        return Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Smallest value over ``axis`` (all by default); tied minima share the gradient equally."""
        return Min.apply(self, axis=axis, keepdims=keepdims)

    def var(self, axis: int | tuple[int, ...] | None = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        """Variance Σ(x − x̄)²/(n − ddof) over ``axis`` (NumPy's ``ddof=0`` default; PyTorch's is 1)."""
        return Var.apply(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis: int | tuple[int, ...] | None = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        """Standard deviation √var over ``axis``; gradient 0 where all values are equal (as PyTorch)."""
        return Std.apply(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def flatten(self) -> Tensor:
        """The values as one axis, ``reshape(-1)``."""
        return Flatten.apply(self)

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> Tensor:
        """Drop length-1 axes (all, or those in ``axis``; an ``axis`` of another length is an error)."""
        return Squeeze.apply(self, axis=axis)

    def unsqueeze(self, axis: int) -> Tensor:
        """Insert a length-1 axis at ``axis`` (``numpy.expand_dims``)."""
        return Unsqueeze.apply(self, axis=axis)


def _as_tensor(x: Any) -> Tensor:
    """``x`` itself if it is a Tensor, else a constant Tensor of its values: how every front door
    (`microgradx.functional`, the ``nn`` activation modules) takes numbers, lists and arrays."""
    return x if isinstance(x, Tensor) else Tensor(x)


def _data(x: Any) -> Any:
    """The values of a tensor (for comparisons); anything else as it is."""
    return x.data if isinstance(x, Tensor) else x


# Imported last: the op modules and autograd import Tensor from here.
# Bound once for the hot paths (`_lift`, `_make`): global names, no attribute lookups.
_make = Tensor._make
_new = object.__new__
_asarray = np.asarray

from . import function as _function  # noqa: E402
from .activations import ELU, SELU, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh  # noqa: E402
from .autograd import run_backward  # noqa: E402
from .ops import (  # noqa: E402
    Abs,
    Add,
    Clip,
    Div,
    Exp,
    Flatten,
    GetItem,
    Log,
    Log1p,
    MatMul,
    Max,
    Mean,
    Min,
    Mul,
    Neg,
    Pow,
    Reshape,
    Sqrt,
    Squeeze,
    Std,
    Sub,
    Sum,
    Transpose,
    Unsqueeze,
    Var,
)
from .validation import real as _real  # noqa: E402

"""Differentiable operations: the `Function` base class every op (built-in or yours) is made of.

An op is one small class with two static methods, as in PyTorch, and a few class attributes
that say how the op is written (its *metadata*)::

    class Square(Function):
        '''out = x²;  ∂out/∂x = 2x;  chain rule: ∂L/∂x = ∂L/∂out · 2x.'''
        formula = "{0}²"                 # the forward, as text
        derivatives = ("2·{0}",)          # the local derivative, as text, for traces and graphs

        @staticmethod
        def forward(ctx, x):               # ndarrays in, an ndarray out
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):           # ∂L/∂out in, one ∂L/∂input per input out
            (x,) = ctx.saved_tensors
            return grad * 2 * x

    y = Square.apply(t)                    # y.op == "square"

`apply` unwraps the input tensors, runs `forward` on their arrays, and (when a gradient is
needed) stores the *context* ``ctx`` on the output tensor. ``ctx`` is an instance of the op's
class; it records ``ctx.parents`` (the input tensors, in operand order), ``ctx.needs_input_grad``
and whatever ``forward`` saved. The backward pass (`microgradx.autograd.run_backward`) later calls
``backward(ctx, grad)`` once per op. Broadcasting is undone in exactly one place (that loop): an
op's ``backward`` may return a gradient of the *output's* shape for a broadcast input.

Op metadata — one home for every fact about how an op is written
-----------------------------------------------------------------
Each op class carries these class attributes; names (`microgradx.viz.names`), graphs
(`microgradx.viz.draw`), traces, `explain`, the lab's catalog and the docs read them, and no
other module keeps a table keyed by op names. Every one has a default, so a custom `Function`
works without any of them.

=================== ============================================================================
``name``            the op name in ``Tensor.op``, graphs and traces (default: class name, lower
                    case).
``symbol``          how the op is written in an expression: ``"+"``, ``"·"``, ``"−"``, ``"σ"``
                    (default: ``name``, so ``tanh(z)``).
``notation``        ``"infix"`` (``a + b``), ``"prefix"`` (``−a``) or ``"call"`` (``σ(z)``, the
                    default).
``precedence``      how tightly an infix/prefix op binds (``+ −`` 1, ``· / @`` 2, unary ``−`` 3,
                    ``^`` 4): an operand that binds more loosely is put in parentheses.
``associative``     ``a∘(b∘c) = (a∘b)∘c``: a right operand of equal precedence needs no
                    parentheses (``a + b − c``, ``a·b/c``). Default False.
``right_associative`` chains group from the right (``a^b^c = a^(b^c)``), so it is the *left*
                    operand of equal precedence that gets parentheses. Default False.
``commutative``     the operands may be swapped; graphs number the edges of the other ops with
                    more than one input (0, 1, …). Default False.
``hyperparameters`` the names of the op's numeric options, stored on ``ctx`` under the same name
                    by ``forward`` (leaky_relu's ``negative_slope``); graphs print them in the
                    op's node. Default ``()``.
``formula``         the forward as text, a format string over the inputs (``"{0} + {1}"``).
                    Default ``""`` (not written out).
``derivatives``     one text per input: the local derivative ∂out/∂input as a format string with
                    fields ``{0}``, ``{1}`` (input names), ``{out}`` (output name) and
                    ``{ctx.attr}`` (a saved attribute, e.g. ``{ctx.negative_slope}``). What
                    `explain` and `trace_backward` show; without it they show
                    `NO_FORMULA` (``"(no formula given)"``).
``output_range``    for activations: the range of the output, e.g. ``"(0, 1)"``. Default ``""``.
``variadic``        takes any number of inputs (concatenate, stack): the last ``derivatives``
                    text serves every further input. Default False.
=================== ============================================================================

Import order (the one cycle of the engine, documented here and nowhere else): `tensor` needs
`Function` to build ops, `ops`/`activations`/`losses` define them, and `Function.apply` needs
`Tensor` to wrap results. So ``tensor.py`` imports this module and the op modules at its top;
this module imports `Tensor` at its *end*, after `Function` exists; and the op modules import
only `Function`. Any import order of the package works (a test imports every module first, in a
fresh interpreter).
"""

from __future__ import annotations

import contextlib
import itertools
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .tensor import Tensor

__all__ = [
    "NO_FORMULA",
    "Function",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "registry",
]

#: What traces and `explain` show for an op whose class gives no ``derivatives`` text.
NO_FORMULA = "(no formula given)"

# Global autograd state. Plain module globals: the op dispatch reads them on every call.
_grad_enabled = True
_module_stack: list[Any] = []
_registry: dict[str, type[Function]] = {}

# Shared needs_input_grad tuples (one object for every op, instead of a new tuple per op).
_NEEDS1: dict[bool, tuple[bool, ...]] = {False: (False,), True: (True,)}
_NEEDS: dict[bool, dict[bool, tuple[bool, ...]]] = {
    False: {False: (False, False), True: (False, True)},
    True: {False: (True, False), True: (True, True)},
}
# Each recorded op gets the next number: the backward pass runs ops in reverse creation order,
# which always visits an op's output before the ops that made its inputs.
_creation_order = itertools.count(1)
# The backward epoch: +1 at every backward pass. A leaf used by an op records the epoch in
# ``_held``; reading its ``.data`` while that is current keeps a copy of its values, which the
# backward pass compares (`Tensor.data` explains why).
_epoch = 1
# While `microgradx.compile` traces a step: its recorder (every op, and what rules a trace out).
_tracer: Any = None


def is_grad_enabled() -> bool:
    """True unless inside `no_grad()`."""
    return _grad_enabled


@contextlib.contextmanager
def _set_grad_enabled(mode: bool):
    global _grad_enabled
    previous = _grad_enabled
    _grad_enabled = mode
    try:
        yield
    finally:
        _grad_enabled = previous


def no_grad():
    """Context manager: ops run inside record no graph; their results are leaves.

    Use it for parameter updates and evaluation::

        with mgx.no_grad():
            y = model(x)          # y.op is None, y.requires_grad is False
    """
    return _set_grad_enabled(False)


def enable_grad():
    """Context manager that turns graph recording back on (e.g. inside `no_grad`)."""
    return _set_grad_enabled(True)


def registry() -> dict[str, type[Function]]:
    """All built-in ops, by op name (``"add"``, ``"sigmoid"``, …): one table for tests and docs."""
    return dict(_registry)


class Function:
    """Base class of every differentiable op; subclass it to write your own.

    Subclasses define two static methods:

    - ``forward(ctx, *arrays, **options) -> ndarray``: the op on plain NumPy arrays. Save what the
      derivative needs with ``ctx.save_for_backward(...)`` or as attributes of ``ctx``.
    - ``backward(ctx, grad) -> ndarray | tuple``: given ∂L/∂out (``grad``, the output's shape),
      return ∂L/∂input for every positional input (a tuple, or one array for one input; ``None``
      for an input that needs no gradient, see ``ctx.needs_input_grad``).

    Class attributes (the op's metadata; every one optional, see the module docstring):
    ``name``, ``symbol``, ``notation``, ``precedence``, ``associative``, ``right_associative``,
    ``commutative``, ``hyperparameters``, ``formula``, ``derivatives``, ``output_range``.
    """

    name: ClassVar[str] = ""
    symbol: ClassVar[str] = ""
    notation: ClassVar[str] = "call"
    precedence: ClassVar[int] = 0
    associative: ClassVar[bool] = False
    right_associative: ClassVar[bool] = False
    commutative: ClassVar[bool] = False
    hyperparameters: ClassVar[tuple[str, ...]] = ()
    formula: ClassVar[str] = ""
    derivatives: ClassVar[tuple[str, ...]] = ()
    output_range: ClassVar[str] = ""
    variadic: ClassVar[bool] = False

    # Instance attributes (the ctx): set by `apply`.
    parents: tuple[Tensor, ...]
    needs_input_grad: tuple[bool, ...]
    saved_tensors: tuple[np.ndarray, ...] = ()
    module: Any = None
    _seq: int  # creation order, set by `apply` for ops that are recorded (the backward heap's key)
    # How many backward passes started at this op's output (`run_backward` adds 1 on the root's
    # ctx; the class default 0 costs nothing per op). `microgradx.why` reads it.
    backward_runs: int = 0
    _fresh_grads: bool = False  # set per class by __init_subclass__

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__ or not cls.__dict__["name"]:
            cls.name = cls.__name__.lower()
        if "symbol" not in cls.__dict__ or not cls.__dict__["symbol"]:
            cls.symbol = cls.name
        if cls.notation not in ("infix", "prefix", "call"):
            raise ValueError(
                f"{cls.__name__}.notation must be 'infix', 'prefix' or 'call', got {cls.notation!r}"
            )
        if cls.__module__.startswith("microgradx."):
            _registry[cls.name] = cls
        # The built-in ops' backwards return new arrays (or their own upstream gradient, which
        # `run_backward` recognises); a user's backward may return an array it does not own (a
        # constant, a saved input's values), so what it returns is copied before it becomes a
        # ``.grad`` that later passes add to in place.
        cls._fresh_grads = cls.__module__.startswith("microgradx.")

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for `backward` (read them back as ``ctx.saved_tensors``)."""
        self.saved_tensors = arrays

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError("Function subclasses must define forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> Any:  # pragma: no cover
        raise NotImplementedError("Function subclasses must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs: Any, **options: Any) -> Tensor:
        """Run the op on tensors (numbers and arrays become constant tensors); returns a Tensor.

        Keyword options (e.g. ``negative_slope=0.01``) go to ``forward`` unchanged and are not
        differentiated.
        """
        # Every op of every forward pass runs through here (the hot path): the usual one or two
        # Tensor inputs are spelled out, forward is called without an empty ``**options``, and
        # the needs_input_grad tuples are shared constants.
        ctx = _new(cls)  # (object.__new__: an op class does not define __new__)
        try:
            if len(inputs) == 2 and isinstance(inputs[0], Tensor) and isinstance(inputs[1], Tensor):
                a, b = inputs
                if options:
                    out = cls.forward(ctx, a._data, b._data, **options)
                else:
                    out = cls.forward(ctx, a._data, b._data)
                needs = _NEEDS[a.requires_grad][b.requires_grad]
            elif len(inputs) == 1 and isinstance(inputs[0], Tensor):
                a = inputs[0]
                if options:
                    out = cls.forward(ctx, a._data, **options)
                else:
                    out = cls.forward(ctx, a._data)
                needs = _NEEDS1[a.requires_grad]
            else:
                inputs = tuple(x if isinstance(x, Tensor) else Tensor(x) for x in inputs)
                out = cls.forward(ctx, *[p._data for p in inputs], **options)
                needs = tuple(p.requires_grad for p in inputs)
        except ValueError as err:  # name the op and every input shape (zero cost when nothing fails)
            shapes = " and ".join(str(np.shape(p._data if isinstance(p, Tensor) else p)) for p in inputs)
            raise ValueError(
                f"{cls.name}: {err} (input shape{'s' if len(inputs) > 1 else ''} {shapes})"
            ) from None
        if type(out) is not _ndarray:
            # (a NumPy scalar, what an op on 0-d arrays returns, is the usual case here)
            out = out.__array__() if isinstance(out, _floating) else _as_result_array(out, cls.name)
        elif out.dtype.kind != "f":
            out = _as_result_array(out, cls.name)
        # The result tensor, built here rather than by `Tensor._make` (one call less per op).
        result = _new(Tensor)
        result._data = out
        result.grad = None
        result.name = None
        result._held = 0
        result._snap = None
        if _grad_enabled and True in needs:
            ctx.parents = inputs
            ctx.needs_input_grad = needs
            ctx._seq = next(_creation_order)
            if _module_stack:
                ctx.module = _module_stack[-1]
            for p in inputs:  # leaves the graph now depends on (see `Tensor.data`)
                if p._ctx is None:
                    p._held = _epoch
            result.requires_grad = True
            result._ctx = ctx  # type: ignore[assignment]  # (Tensor.__init__ types _ctx as None)
        else:
            result.requires_grad = False
            result._ctx = None
        if _tracer is not None:  # `microgradx.compile` is tracing a step
            _tracer.op(cls, inputs, options, result)
        return result

    @classmethod
    def rule(cls, ctx: Any, i: int, names: list[str] | tuple[str, ...], out: str) -> str:
        """The local derivative ∂out/∂input_i as text, e.g. ``σ(z)(1−σ(z))`` for sigmoid.

        ``names`` are the inputs' display names, ``out`` the output's; an op without a
        ``derivatives`` text for input ``i`` gives `NO_FORMULA`.
        """
        if i < len(cls.derivatives):
            text = cls.derivatives[i]
        elif cls.variadic and cls.derivatives:
            text = cls.derivatives[-1]  # every further input has the same rule (concatenate, stack)
        else:
            return NO_FORMULA
        try:
            return text.format(*names, out=out, ctx=ctx)
        except (IndexError, KeyError, AttributeError) as err:
            raise ValueError(
                f"{cls.name}: derivatives[{i}] = {text!r} cannot be filled in ({err!r}); it may use "
                f"{{0}}…{{{len(names) - 1}}}, {{out}} and attributes of ctx"
            ) from None


def _as_result_array(out: Any, op: str) -> np.ndarray:
    """Coerce a forward result (a NumPy scalar, say) into a float ndarray, or explain the error."""
    if isinstance(out, np.floating):  # the usual case: an op on 0-d arrays returns a NumPy scalar
        return np.asarray(out)
    if isinstance(out, (tuple, list)):  # np.asarray would stack several outputs into one tensor
        raise TypeError(
            f"{op}: forward must return one ndarray, got a {type(out).__name__} of {len(out)} "
            "(a Function has one output; split it into one Function per output)"
        )
    try:
        arr = np.asarray(out)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{op}: forward must return a numeric ndarray, got {type(out).__name__} ({err})"
        ) from None
    if arr.dtype.kind not in "fiub":
        kind = "strings" if arr.dtype.kind in "US" else f"dtype {arr.dtype}"
        raise TypeError(f"{op}: forward must return a numeric ndarray, got {type(out).__name__} of {kind}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr


# Bound once for `Function.apply`: global names, no attribute lookups on the hot path.
_new = object.__new__
_ndarray = np.ndarray
_floating = np.floating

# Imported last: tensor.py imports this module.
from .tensor import Tensor  # noqa: E402

"""`gradcheck`: compare analytic gradients with float64 central differences, element by element."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import isolated_backward
from .function import no_grad
from .tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "numerical_jacobian"]


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with its central-difference estimate."""


def _as_output(out: Any) -> Tensor:
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    return out


def numerical_jacobian(fn: Callable[..., Tensor], inputs: list[Tensor], i: int, eps: float) -> np.ndarray:
    """∂out/∂inputs[i] by central differences: (f(x + ε) − f(x − ε)) / 2ε, shape (out.size, in.size)."""
    x = inputs[i]
    flat = x.data.reshape(-1)  # a view: perturb in place, restore afterwards
    with no_grad():
        out_size = _as_output(fn(*inputs)).data.size
        jac = np.empty((out_size, flat.size), dtype=np.float64)
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            plus = np.array(_as_output(fn(*inputs)).data, dtype=np.float64).reshape(-1)
            flat[k] = orig - eps
            minus = np.array(_as_output(fn(*inputs)).data, dtype=np.float64).reshape(-1)
            flat[k] = orig
            jac[:, k] = (plus - minus) / (2 * eps)
    return jac


def gradcheck(
    fn: Callable[..., Tensor], *inputs: Tensor, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> bool:
    """Check every gradient of ``fn(*inputs)`` against central differences in float64.

    ``fn`` may return a tensor of any shape: for every output element j and every element k of
    every input that requires grad, the analytic ∂out_j/∂in_k (one backward pass per output
    element, with a one-hot ``gradient``) must satisfy
    |analytic − numeric| ≤ atol + rtol·|numeric|. Inputs are used in float64 copies, so
    ``fn``'s own arithmetic is checked. Every ``.grad`` is left as it was: the inputs', and those of
    tensors ``fn`` closes over (a model's parameters), which the backward passes would otherwise fill.

    Returns:
        True when every element agrees.

    Raises:
        GradcheckError: naming the input index, the element, and both values.

    Examples:
        >>> import microgradx as mgx
        >>> x = mgx.Tensor([0.5, -1.0], requires_grad=True)
        >>> mgx.gradcheck(lambda t: t.tanh() * t, x)
        True
    """
    if not inputs:
        raise ValueError("gradcheck: pass at least one input tensor")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"gradcheck: input {i} must be a Tensor, got {type(t).__name__}")
    if not any(t.requires_grad for t in inputs):
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    # float64 copies: the originals' data and .grad are never touched.
    work = [Tensor(t.data.astype(np.float64), requires_grad=t.requires_grad) for t in inputs]
    out = _as_output(fn(*work))
    if not out.requires_grad:
        raise ValueError("gradcheck: fn's output does not depend on any input that requires grad")
    n_out = out.data.size
    analytic = [np.zeros((n_out, t.data.size)) for t in work]
    # Tensors fn closes over (a model's parameters, say) are in these graphs too: each backward
    # pass runs inside isolated_backward, which puts back every .grad, backward counter and
    # in-place check, so gradcheck changes none of them (a model's pending backward still catches
    # an in-place change of its weights).
    for j in range(n_out):
        out = _as_output(fn(*work))
        seed = np.zeros(out.data.shape, dtype=out.data.dtype)
        seed.reshape(-1)[j] = 1.0
        with isolated_backward(out):
            out.backward(seed)
            for i, t in enumerate(work):
                if t.requires_grad and t.grad is not None:
                    analytic[i][j] = t.grad.reshape(-1)
    for i, t in enumerate(work):
        if not t.requires_grad:
            continue
        numeric = numerical_jacobian(fn, work, i, eps)
        bad = np.abs(analytic[i] - numeric) > atol + rtol * np.abs(numeric)
        if bad.any():
            j, k = np.argwhere(bad)[0]
            elem = np.unravel_index(k, t.data.shape) if t.data.ndim else ()
            out_elem = np.unravel_index(j, out.data.shape) if out.data.ndim else ()
            raise GradcheckError(
                f"gradcheck: input {i}, element {tuple(int(e) for e in elem)}, output element "
                f"{tuple(int(e) for e in out_elem)}: analytic gradient {analytic[i][j, k]!r} vs "
                f"numerical {numeric[j, k]!r} (atol={atol}, rtol={rtol})"
            )
    return True

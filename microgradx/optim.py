"""Optimizers: `SGD` (with momentum, dampening, weight decay and Nesterov), exactly PyTorch's update.

An optimizer owns the last step of the notes' training loop: "(iv) Update each parameter using
the gradients according to the optimization algo". The update is arithmetic on ``p.data`` and
``p.grad`` (plain NumPy arrays, changed in place); it is not part of any graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import validation
from .tensor import Tensor

__all__ = ["SGD"]


def _check_hyper(value, what: str) -> float:
    return validation.real(value, what, "SGD", nonneg=True)


class SGD:
    r"""Stochastic gradient descent, step for step the same update as ``torch.optim.SGD``.

    For every parameter ``p`` whose ``p.grad`` is not None (others are skipped), with
    ``g = p.grad``, learning rate η, momentum μ, dampening τ and weight decay λ:

    .. code-block:: text

        g ← g + λ·p                          (weight decay, L2 penalty λ/2·‖p‖²)
        if μ ≠ 0:
            b ← g                            on the first step (no dampening there)
            b ← μ·b + (1 − τ)·g              afterwards
            g ← g + μ·b   if nesterov   else   g ← b
        p ← p − η·g

    With μ = λ = 0 this is the notes' rule ``w_new = w_old − η ∂L/∂w``. The momentum buffer
    ``b`` is a running (exponentially decaying) sum of past gradients: steps along a consistent
    direction grow, zig-zags cancel.

    Args:
        params: an iterable of Tensors (e.g. ``model.parameters()``); each is updated in place.
        lr: learning rate η, ``>= 0``.
        momentum: μ, in ``[0, 1)`` (default 0). PyTorch accepts μ ≥ 1; microgradx refuses it,
            since the buffer then never forgets and the steps grow without bound.
        dampening: τ, in ``[0, 1]`` (default 0).
        weight_decay: λ, ``>= 0`` (default 0).
        nesterov: use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).

    Raises:
        ValueError: for a negative or non-finite hyper-parameter, momentum >= 1, dampening > 1,
            Nesterov without momentum or
            with dampening, an empty parameter list, or a parameter that is not a Tensor (each
            message names the bad value).

    Examples:
        >>> import microgradx as mgx
        >>> w = mgx.nn.Parameter([1.0, -2.0])
        >>> opt = mgx.optim.SGD([w], lr=0.1)
        >>> loss = (w * w).sum()            # ∂loss/∂w = 2w
        >>> opt.zero_grad(); loss.backward(); opt.step()
        >>> w.data.tolist()                  # w − 0.1·2w = 0.8·w
        [0.8, -1.6]
    """

    def __init__(
        self,
        params,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        self.lr = _check_hyper(lr, "learning rate lr")
        self.momentum = _check_hyper(momentum, "momentum")
        if self.momentum >= 1:
            raise ValueError(
                f"SGD: invalid momentum {momentum!r}; expected 0 <= momentum < 1 (with momentum >= 1 "
                "each step adds the gradient to an undamped running sum, so the steps grow without bound)"
            )
        self.dampening = _check_hyper(dampening, "dampening")
        if self.dampening > 1:
            raise ValueError(
                f"SGD: invalid dampening {dampening!r}; expected 0 <= dampening <= 1 "
                "(the buffer update is momentum·b + (1 − dampening)·g)"
            )
        self.weight_decay = _check_hyper(weight_decay, "weight_decay")
        if not isinstance(nesterov, bool):
            raise ValueError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError(
                f"SGD: nesterov=True requires momentum > 0 and dampening == 0, "
                f"got momentum={momentum!r}, dampening={dampening!r}"
            )
        self.nesterov = nesterov

        if isinstance(params, (Tensor, dict)) or not hasattr(params, "__iter__"):
            raise ValueError(
                f"SGD: params must be an iterable of Tensors (e.g. model.parameters()), "
                f"got {type(params).__name__}"
            )
        self.params: list[Tensor] = list(params)
        if not self.params:
            raise ValueError("SGD: got an empty parameter list; expected at least one Tensor")
        seen: set[int] = set()
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor):
                raise ValueError(f"SGD: parameter {i} is a {type(p).__name__} ({p!r}); expected a Tensor")
            if id(p) in seen:
                raise ValueError(f"SGD: parameter {i} appears more than once in params")
            seen.add(id(p))
        # Per-parameter state: the momentum buffer b (None until the first step) and a scratch
        # array, so a step allocates nothing after the first one. `_scratch_for` remembers which
        # data array each scratch was made for (a replaced ``p.data`` gets a new scratch).
        self.momentum_buffers: list[np.ndarray | None] = [None] * len(self.params)
        self._scratch: list[Any] = [None] * len(self.params)  # ndarray once made
        self._scratch_for: list[Any] = [None] * len(self.params)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``p.grad = None`` (PyTorch's default), or fill them with zeros."""
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.fill(0.0)

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient (see the class docstring).

        Plain in-place NumPy on ``p.data`` (``np.multiply(a, c, out)`` is ``out = a·c``), so the
        update records no graph and allocates nothing after the first step.
        """
        lr, mu, tau, wd, nesterov = self.lr, self.momentum, self.dampening, self.weight_decay, self.nesterov
        bufs, scratch, scratch_for = self.momentum_buffers, self._scratch, self._scratch_for
        mul, add, sub = np.multiply, np.add, np.subtract
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            w = p.data
            if w is not scratch_for[i]:
                scratch[i], scratch_for[i] = np.empty_like(w), w
            s = scratch[i]
            if wd != 0:  # g ← g + λ·p
                mul(w, wd, s)
                add(s, g, s)
                g = s
            if mu != 0:
                b = bufs[i]
                if b is None:  # first step: b ← g
                    b = bufs[i] = np.array(g, dtype=w.dtype, copy=True)
                else:  # b ← μ·b + (1 − τ)·g
                    if b.dtype != w.dtype:  # the model was converted (Module.to): follow it
                        b = bufs[i] = b.astype(w.dtype)
                    mul(b, mu, b)
                    if tau == 0:
                        add(b, g, b)
                    else:
                        mul(g, 1.0 - tau, s)
                        add(b, s, b)
                if nesterov:  # p ← p − η·(g + μ·b)
                    mul(g, lr, s)
                    sub(w, s, w)
                    mul(b, lr * mu, s)
                    sub(w, s, w)
                    continue
                g = b
            mul(g, lr, s)  # p ← p − η·g
            sub(w, s, w)

    def __repr__(self) -> str:
        return (
            f"SGD(lr={self.lr}, momentum={self.momentum}, dampening={self.dampening}, "
            f"weight_decay={self.weight_decay}, nesterov={self.nesterov}, "
            f"params={len(self.params)})"
        )

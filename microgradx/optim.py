"""Optimizers: the `Optimizer` base (parameter groups, state, state dicts), `SGD`, `Adam`, `AdamW`.

An optimizer owns the last step of the notes' training loop: "(iv) Update each parameter using
the gradients according to the optimization algo". The update is arithmetic on ``p.data`` and
``p.grad`` (plain NumPy arrays, changed in place); it is not part of any graph. Every update
equals PyTorch's ``torch.optim`` step for step, and the bookkeeping follows PyTorch too:
``param_groups`` (a list of dicts, one per group of parameters with its own hyper-parameters),
``state`` (per parameter: momentum buffers, Adam's moments) and ``state_dict()`` in PyTorch's
layout, which `microgradx.save` writes without pickle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from . import validation
from .tensor import Tensor

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]


class Optimizer:
    """The base of every optimizer: parameter groups, per-parameter state and state dicts (as PyTorch).

    Args:
        params: an iterable of Tensors (e.g. ``model.parameters()``), or of dicts, one per
            parameter group: ``[{"params": encoder.parameters()}, {"params": head.parameters(),
            "lr": 0.1}]``. A group's missing hyper-parameters are taken from ``defaults``.
        defaults: the constructor's hyper-parameters, ``{name: value}``.

    Attributes:
        param_groups: list of dicts, each ``{"params": [Tensor, ...], name: value, ...}``. Change
            a value (``opt.param_groups[0]["lr"] = 0.01``) and the next `step` uses it.
        state: ``{parameter: {name: value}}`` for the parameters that have been stepped.
        defaults: the constructor's hyper-parameters.

    A subclass sets ``where`` (its name, for messages), ``_check_group(group, where)`` (validate
    and normalise one group's hyper-parameters), ``_check_state(...)`` (one parameter's loaded
    state) and ``step()``.
    """

    where = "Optimizer"

    #: Options of ``torch.optim`` that a PyTorch state dict carries and that change the update,
    #: with the value this optimizer implements. Loading a group that asks for another value is
    #: refused: ignoring ``maximize=True`` would silently step the wrong way. (``foreach``,
    #: ``fused``, ``capturable`` and ``differentiable`` choose kernels, not the numbers.)
    torch_flags: Mapping[str, bool] = {"maximize": False}

    def __init__(self, params: Any, defaults: Mapping[str, Any]) -> None:
        self.defaults: dict[str, Any] = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, (Tensor, Mapping, str)) or not isinstance(params, Iterable):
            raise ValueError(
                f"{self.where}: params must be an iterable of Tensors (e.g. model.parameters()) or of "
                f"dicts {{'params': ..., 'lr': ...}}, got {type(params).__name__}"
            )
        items = list(params)
        if not items:
            raise ValueError(f"{self.where}: got an empty parameter list; expected at least one Tensor")
        if all(isinstance(item, Mapping) for item in items):
            for group in items:
                self.add_param_group(group)
        elif any(isinstance(item, Mapping) for item in items):
            raise ValueError(
                f"{self.where}: params mixes Tensors and parameter-group dicts; give a list of "
                "Tensors or a list of dicts {'params': ..., ...}"
            )
        else:  # one group, made here: its messages need not name it
            self._add_group({"params": items}, self.where)
        # Scratch arrays for the in-place updates, {parameter: (data array, scratch)}: a step
        # allocates nothing after the first one; a replaced ``p.data`` gets a new scratch.
        # Not state: never saved.
        self._scratch: dict[Tensor, tuple[np.ndarray, ...]] = {}

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Add a group ``{"params": tensors, name: value, ...}``; missing hyper-parameters come from `defaults`.

        Raises:
            ValueError: no ``"params"``, a parameter that is not a Tensor, one listed twice or
                already in another group, or a bad hyper-parameter (each message names it).
        """
        self._add_group(param_group, f"{self.where} parameter group {len(self.param_groups)}")

    def _add_group(self, param_group: Mapping[str, Any], where: str) -> None:
        if not isinstance(param_group, Mapping):
            raise ValueError(
                f"{self.where}: a parameter group must be a dict {{'params': ..., ...}}, "
                f"got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{where}: the group has no 'params' key (its keys: {sorted(param_group)})")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise ValueError(f"{where}: params must be an ordered iterable of Tensors, not a set")
        elif isinstance(params, (Mapping, str)) or not isinstance(params, Iterable):
            raise ValueError(
                f"{where}: params must be an iterable of Tensors (e.g. model.parameters()), "
                f"got {type(params).__name__}"
            )
        params = list(params)
        seen: set[int] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise ValueError(f"{where}: parameter {i} is a {type(p).__name__} ({p!r}); expected a Tensor")
            if id(p) in seen:
                raise ValueError(f"{where}: parameter {i} appears more than once in params")
            seen.add(id(p))
        for other_index, other in enumerate(self.param_groups):
            for p in other["params"]:
                if id(p) in seen:
                    i = next(j for j, q in enumerate(params) if q is p)
                    raise ValueError(
                        f"{where}: parameter {i} is already in parameter group {other_index}; "
                        "a parameter may belong to one group only"
                    )
        group = {k: v for k, v in param_group.items() if k != "params"}
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        group = self._check_group(group, where)
        group["params"] = params
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any], where: str) -> dict[str, Any]:
        """Validate a group's hyper-parameters; return them normalised (floats, tuples)."""
        return group

    @property
    def params(self) -> list[Tensor]:
        """Every parameter, group after group (the order of `state_dict`'s indices)."""
        return [p for group in self.param_groups for p in group["params"]]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``p.grad = None`` (PyTorch's default), or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.fill(0.0)

    def step(self) -> None:  # pragma: no cover - every optimizer defines it
        raise NotImplementedError

    @staticmethod
    def _with_grad(group: dict[str, Any]) -> Iterator[tuple[Tensor, np.ndarray, np.ndarray]]:
        """``(p, p.grad, p.data)`` for every parameter of ``group`` that has a gradient: a
        parameter whose ``.grad`` is None (it took no part in the loss) is skipped, as in PyTorch."""
        for p in group["params"]:
            g = p.grad
            if g is not None:
                yield p, g, p.data

    def _scratch_for(self, p: Tensor, w: np.ndarray) -> tuple[np.ndarray, ...]:
        """Two scratch arrays shaped like ``w`` (made once per data array)."""
        entry = self._scratch.get(p)
        if entry is None or entry[0] is not w:
            entry = self._scratch[p] = (w, np.empty_like(w), np.empty_like(w))
        return entry

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout, parameters referred to by their index.

        ``{"state": {i: {name: value}}, "param_groups": [{name: value, ..., "params": [i, ...]}]}``,
        where ``i`` numbers the parameters group after group (`params` order) and ``state``
        holds only the parameters stepped so far. Arrays are copies. `microgradx.save` writes it
        and `load_state_dict` (of an optimizer built the same way) restores it.
        """
        index: dict[Tensor, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(p, len(index)) for p in group["params"]]
            groups.append(packed)
        state = {
            index[p]: {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in st.items()}
            for p, st in self.state.items()
            if p in index
        }
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a `state_dict`: hyper-parameters group by group, then every parameter's state.

        The parameters themselves are this optimizer's: the saved indices are matched to them in
        order (group after group), as PyTorch does. Arrays are copied and converted to the
        parameter's dtype. Nothing changes unless the whole dict is valid.

        Raises:
            ValueError: not a dict with exactly ``"state"`` and ``"param_groups"``, a different
                number of groups or of parameters in a group, a missing or bad hyper-parameter,
                state for an index no group lists, an unknown state entry, a PyTorch option
                that changes the update (`torch_flags`: ``maximize=True``, Adam's
                ``decoupled_weight_decay``) set otherwise than this optimizer implements, or an array whose
                shape is not its parameter's (each message names the group, index and entry).
        """
        where = f"{self.where}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise ValueError(f"{where}: expected a dict from state_dict(), got {type(state_dict).__name__}")
        keys = set(state_dict)
        if keys != {"state", "param_groups"}:
            missing = sorted({"state", "param_groups"} - keys)
            extra = sorted(map(repr, keys - {"state", "param_groups"}))
            raise ValueError(
                f"{where}: expected the keys 'param_groups' and 'state'; "
                + (
                    f"missing {', '.join(map(repr, missing))}"
                    if missing
                    else f"unexpected {', '.join(extra)}"
                )
            )
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, (list, tuple)) or not all(
            isinstance(g, Mapping) for g in saved_groups
        ):
            raise ValueError(f"{where}: 'param_groups' must be a list of dicts, got {saved_groups!r:.80}")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{where}: the state dict has {len(saved_groups)} parameter group(s), this optimizer "
                f"has {len(self.param_groups)}"
            )
        by_index: dict[int, tuple[Tensor, dict[str, Any]]] = {}
        new_groups = []
        for gi, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            gwhere = f"{where}: parameter group {gi}"
            ids = saved.get("params")
            if not isinstance(ids, (list, tuple)):
                raise ValueError(f"{gwhere} has no list of parameter indices 'params' (got {ids!r:.80})")
            if len(ids) != len(group["params"]):
                raise ValueError(
                    f"{gwhere} of the state dict has {len(ids)} parameter(s), this optimizer's has "
                    f"{len(group['params'])}"
                )
            missing = [k for k in self.defaults if k not in saved]
            if missing:
                raise ValueError(f"{gwhere} lacks the hyper-parameter(s) {', '.join(map(repr, missing))}")
            for flag, implemented in self.torch_flags.items():
                if flag in saved and saved[flag] is not None and bool(saved[flag]) != implemented:
                    raise ValueError(
                        f"{gwhere} has {flag}={saved[flag]!r}; microgradx's {self.where} implements "
                        f"only {flag}={implemented!r}"
                    )
            new = self._check_group({k: v for k, v in saved.items() if k != "params"}, gwhere)
            for idx, p in zip(ids, group["params"], strict=True):
                idx = validation.integer(idx, "a parameter index", gwhere, minimum=0)
                if idx in by_index:
                    raise ValueError(f"{gwhere}: parameter index {idx} is listed more than once")
                by_index[idx] = (p, new)
            new_groups.append(new)
        saved_state = state_dict["state"]
        if not isinstance(saved_state, Mapping):
            raise ValueError(
                f"{where}: 'state' must be a dict {{index: {{...}}}}, got {type(saved_state).__name__}"
            )
        new_state: dict[Tensor, dict[str, Any]] = {}
        for idx, st in saved_state.items():
            if isinstance(idx, bool) or not isinstance(idx, (int, np.integer)) or int(idx) not in by_index:
                raise ValueError(
                    f"{where}: 'state' has an entry for parameter {idx!r}, which no parameter group lists "
                    f"(indices 0 to {len(by_index) - 1})"
                )
            p, group = by_index[int(idx)]
            swhere = f"{where}: state of parameter {int(idx)}"
            if not isinstance(st, Mapping):
                raise ValueError(f"{swhere} must be a dict, got {type(st).__name__}")
            new_state[p] = self._check_state(dict(st), p, group, swhere)
        for group, new in zip(self.param_groups, new_groups, strict=True):
            group.update(new)
        self.state = new_state

    def _check_state(
        self, st: dict[str, Any], p: Tensor, group: dict[str, Any], where: str
    ) -> dict[str, Any]:
        """Validate one parameter's loaded state; return it with arrays copied to ``p``'s dtype."""
        return st

    @staticmethod
    def _state_array(value: Any, p: Tensor, name: str, where: str) -> np.ndarray:
        return validation.array_like(value, p.data, repr(name), where)

    @staticmethod
    def _state_keys(st: Mapping[str, Any], required: set[str], allowed: set[str], where: str) -> None:
        missing = sorted(required - set(st))
        extra = sorted(map(repr, set(st) - allowed))
        if missing or extra:
            problems = ([f"missing {', '.join(map(repr, missing))}"] if missing else []) + (
                [f"unexpected {', '.join(extra)}"] if extra else []
            )
            raise ValueError(
                f"{where}: {'; '.join(problems)} (expected {', '.join(map(repr, sorted(allowed)))})"
            )

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i} ({len(group['params'])} parameters)")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join([*lines, ")"])


def _flag(value: Any, name: str, where: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


class SGD(Optimizer):
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
    direction grow, zig-zags cancel. It is ``state[p]["momentum_buffer"]`` (also
    ``momentum_buffers``, one per parameter in `params` order, None before the first step).

    Args:
        params: an iterable of Tensors (e.g. ``model.parameters()``), each updated in place, or
            of parameter-group dicts (``[{"params": ..., "lr": ...}, ...]``, see `Optimizer`).
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

    where = "SGD"

    def __init__(
        self,
        params: Any,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov
        )
        super().__init__(params, self._check_group(defaults, "SGD"))

    def _check_group(self, group: dict[str, Any], where: str) -> dict[str, Any]:
        out = dict(group)
        out["lr"] = validation.real(group["lr"], "learning rate lr", where, nonneg=True)
        momentum = out["momentum"] = validation.real(group["momentum"], "momentum", where, nonneg=True)
        if momentum >= 1:
            raise ValueError(
                f"{where}: invalid momentum {group['momentum']!r}; expected 0 <= momentum < 1 (with "
                "momentum >= 1 each step adds the gradient to an undamped running sum, so the steps "
                "grow without bound)"
            )
        dampening = out["dampening"] = validation.real(group["dampening"], "dampening", where, nonneg=True)
        if dampening > 1:
            raise ValueError(
                f"{where}: invalid dampening {group['dampening']!r}; expected 0 <= dampening <= 1 "
                "(the buffer update is momentum·b + (1 − dampening)·g)"
            )
        out["weight_decay"] = validation.real(group["weight_decay"], "weight_decay", where, nonneg=True)
        nesterov = out["nesterov"] = _flag(group["nesterov"], "nesterov", where)
        if nesterov and (momentum == 0 or dampening != 0):
            raise ValueError(
                f"{where}: nesterov=True requires momentum > 0 and dampening == 0, "
                f"got momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )
        return out

    def _check_state(
        self, st: dict[str, Any], p: Tensor, group: dict[str, Any], where: str
    ) -> dict[str, Any]:
        self._state_keys(st, set(), {"momentum_buffer"}, where)
        buf = st.get("momentum_buffer")
        return {} if buf is None else {"momentum_buffer": self._state_array(buf, p, "momentum_buffer", where)}

    @property
    def momentum_buffers(self) -> list[np.ndarray | None]:
        """The momentum buffer of every parameter (`params` order); None before its first step."""
        return [self.state.get(p, {}).get("momentum_buffer") for p in self.params]

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient (see the class docstring).

        Plain in-place NumPy on ``p.data`` (``np.multiply(a, c, out)`` is ``out = a·c``), so the
        update records no graph and allocates nothing after the first step.
        """
        state, scratch = self.state, self._scratch
        mul, add, sub = np.multiply, np.add, np.subtract
        for group in self.param_groups:
            lr, mu, tau, wd = group["lr"], group["momentum"], group["dampening"], group["weight_decay"]
            nesterov = group["nesterov"]
            if wd == 0 and mu == 0:  # plain SGD, the usual case: only p ← p − η·g, spelled out
                for p in group["params"]:
                    g = p.grad
                    if g is None:  # took no part in the loss: skipped, as in PyTorch
                        continue
                    w = p.data
                    pair = scratch.get(p)
                    if pair is None or pair[0] is not w:
                        pair = scratch[p] = (w, np.empty_like(w))
                    mul(g, lr, pair[1])
                    sub(w, pair[1], w)
                continue
            for p, g, w in self._with_grad(group):
                pair = scratch.get(p)
                if pair is None or pair[0] is not w:
                    pair = scratch[p] = (w, np.empty_like(w))
                s = pair[1]
                if wd != 0:  # g ← g + λ·p
                    mul(w, wd, s)
                    add(s, g, s)
                    g = s
                if mu != 0:
                    st = state.get(p)
                    if st is None:  # first step: b ← g
                        b = np.array(g, dtype=w.dtype, copy=True)
                        state[p] = {"momentum_buffer": b}
                    else:  # b ← μ·b + (1 − τ)·g
                        b = st["momentum_buffer"]
                        if b.dtype != w.dtype:  # the model was converted (Module.to): follow it
                            b = st["momentum_buffer"] = b.astype(w.dtype)
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


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), step for step the same update as ``torch.optim.Adam``.

    For every parameter ``p`` whose ``p.grad`` is not None, with ``g = p.grad``, learning rate
    η, betas (β₁, β₂), eps ε, weight decay λ and the parameter's step count t (1 at its first
    step); the moments m and v start at zero:

    .. code-block:: text

        g ← g + λ·p                          (weight decay: an L2 penalty, folded into g)
        m ← β₁·m + (1 − β₁)·g                (first moment: a running mean of g)
        v ← β₂·v + (1 − β₂)·g²               (second moment: a running mean of g²)
        v̂ ← max(v̂, v)   if amsgrad   else   v̂ ← v
        p ← p − η/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)

    ``1 − β₁ᵗ`` and ``1 − β₂ᵗ`` are the bias corrections: m and v start at 0, so early on they
    underestimate the means by exactly those factors. As in PyTorch, ε is added *after* the
    square root and its bias correction. Each parameter's step is therefore about η in size
    whatever the gradient's scale: ``m/√v`` is a ratio of running means. AMSGrad (Reddi et
    al., 2018) divides by the largest v seen so far, so the step size never grows back.

    `AdamW` decays the weights directly instead of adding λ·p to the gradient.

    State per parameter (``state[p]``): ``step`` (t, an int), ``exp_avg`` (m), ``exp_avg_sq``
    (v) and, with amsgrad, ``max_exp_avg_sq`` (the running maximum of v).

    Args:
        params: an iterable of Tensors, or of parameter-group dicts (see `Optimizer`).
        lr: learning rate η, ``>= 0`` (default 1e-3).
        betas: (β₁, β₂), each in ``[0, 1)`` (default (0.9, 0.999)).
        eps: ε, ``>= 0`` (default 1e-8).
        weight_decay: λ, ``>= 0`` (default 0).
        amsgrad: use the AMSGrad variant (default False).

    Raises:
        ValueError: a negative or non-finite lr, eps or weight_decay, a beta outside [0, 1),
            betas that are not a pair, amsgrad that is not a bool, or bad params (as `SGD`).

    Examples:
        >>> import microgradx as mgx
        >>> w = mgx.nn.Parameter([1.0, -2.0])
        >>> opt = mgx.optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step()
        >>> [round(x, 6) for x in w.data.tolist()]   # the first step is η·sign(g)
        [0.9, -1.9]
    """

    where = "Adam"
    torch_flags: Mapping[str, bool] = {"maximize": False, "decoupled_weight_decay": False}
    _decoupled = False  # AdamW: decay the weights instead of adding λ·p to the gradient

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, self._check_group(defaults, self.where))

    def _check_group(self, group: dict[str, Any], where: str) -> dict[str, Any]:
        out = dict(group)
        out["lr"] = validation.real(group["lr"], "learning rate lr", where, nonneg=True)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
        out["betas"] = tuple(
            validation.real(b, f"betas[{i}]", where, nonneg=True, below=1.0) for i, b in enumerate(betas)
        )
        out["eps"] = validation.real(group["eps"], "eps", where, nonneg=True)
        out["weight_decay"] = validation.real(group["weight_decay"], "weight_decay", where, nonneg=True)
        out["amsgrad"] = _flag(group["amsgrad"], "amsgrad", where)
        return out

    def _check_state(
        self, st: dict[str, Any], p: Tensor, group: dict[str, Any], where: str
    ) -> dict[str, Any]:
        names = {"step", "exp_avg", "exp_avg_sq"} | ({"max_exp_avg_sq"} if group["amsgrad"] else set())
        # max_exp_avg_sq may outlive amsgrad being switched off, as in PyTorch
        self._state_keys(st, names, names | {"max_exp_avg_sq"}, where)
        names |= {"max_exp_avg_sq"} & set(st)
        step = st["step"]
        if isinstance(step, np.ndarray) and step.shape == () and step.dtype.kind in "fiu":
            step = step.item()  # a 0-d array, as PyTorch keeps it
        if not validation.is_real(step) or step != int(step) or step < 0:
            raise ValueError(f"{where}: 'step' must be a whole number >= 0, got {st['step']!r}")
        out: dict[str, Any] = {"step": int(step)}
        for name in sorted(names - {"step"}):
            out[name] = self._state_array(st[name], p, name, where)
        return out

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient (see the class docstring)."""
        state = self.state
        mul, add, sub, div, sqrt = np.multiply, np.add, np.subtract, np.divide, np.sqrt
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            amsgrad = group["amsgrad"]
            for p, g, w in self._with_grad(group):
                _, s, s2 = self._scratch_for(p, w)
                st = state.get(p)
                if st is None:
                    st = state[p] = {"step": 0, "exp_avg": np.zeros_like(w), "exp_avg_sq": np.zeros_like(w)}
                if amsgrad and "max_exp_avg_sq" not in st:  # new, or amsgrad switched on since
                    st["max_exp_avg_sq"] = np.zeros_like(w)
                for name in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):  # follow Module.to(dtype)
                    if name in st and st[name].dtype != w.dtype:
                        st[name] = st[name].astype(w.dtype)
                m, v = st["exp_avg"], st["exp_avg_sq"]
                st["step"] = t = st["step"] + 1
                if wd != 0:
                    if self._decoupled:  # p ← p·(1 − η·λ)
                        mul(w, 1.0 - lr * wd, w)
                    else:  # g ← g + λ·p
                        mul(w, wd, s2)
                        add(g, s2, s2)
                        g = s2
                sub(g, m, s)  # m ← m + (1 − β₁)·(g − m)  =  β₁·m + (1 − β₁)·g
                mul(s, 1.0 - beta1, s)
                add(m, s, m)
                mul(v, beta2, v)  # v ← β₂·v + (1 − β₂)·g·g
                mul(g, 1.0 - beta2, s)
                mul(s, g, s)
                add(v, s, v)
                if amsgrad:  # v̂ ← max(v̂, v)
                    vhat = st["max_exp_avg_sq"]
                    np.maximum(vhat, v, out=vhat)
                else:
                    vhat = v
                step_size = lr / (1.0 - beta1**t)
                sqrt(vhat, s)  # denominator √v̂ / √(1 − β₂ᵗ) + ε
                div(s, (1.0 - beta2**t) ** 0.5, s)
                add(s, eps, s)
                mul(m, step_size, s2)  # p ← p − step_size · m / denominator
                div(s2, s, s)
                sub(w, s, w)


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    The same update as `Adam`, except that weight decay shrinks the parameter itself, before the
    Adam step, instead of entering the gradient (and so the moments):

    .. code-block:: text

        p ← p·(1 − η·λ)                      (decoupled weight decay)
        m ← β₁·m + (1 − β₁)·g
        v ← β₂·v + (1 − β₂)·g²
        v̂ ← max(v̂, v)   if amsgrad   else   v̂ ← v
        p ← p − η/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)

    With Adam's L2 penalty a weight with large gradients is barely decayed (its λ·p is divided
    by a large √v); here every weight shrinks by the same factor each step.

    Args:
        params: an iterable of Tensors, or of parameter-group dicts (see `Optimizer`).
        lr: learning rate η, ``>= 0`` (default 1e-3).
        betas: (β₁, β₂), each in ``[0, 1)`` (default (0.9, 0.999)).
        eps: ε, ``>= 0`` (default 1e-8).
        weight_decay: λ, ``>= 0`` (default 1e-2, PyTorch's).
        amsgrad: use the AMSGrad variant (default False).

    Examples:
        >>> import numpy as np, microgradx as mgx
        >>> w = mgx.nn.Parameter([1.0])
        >>> opt = mgx.optim.AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = np.zeros(1)                 # a zero gradient: only the decay acts
        >>> opt.step(); w.data.tolist()          # 1·(1 − 0.1·0.5)
        [0.95]
    """

    where = "AdamW"
    _decoupled = True
    torch_flags: Mapping[str, bool] = {"maximize": False, "decoupled_weight_decay": True}

    # Adam's parameters (types and checks there); only weight_decay's default differs, as in PyTorch.
    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

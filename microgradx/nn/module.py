"""`Module` (the base of every layer and network) and `Parameter` (a trainable Tensor).

A Module finds its parameters by itself: assigning a `Parameter`, a `Module`, or a list/tuple
of them to an attribute registers it (minitorch style), under the attribute's name. Lists get
dotted index names, so ``self.layers = [Layer(...), Layer(...)]`` gives parameters named
``layers.0.weight``, ``layers.0.bias``, ``layers.1.weight`` … Order is deterministic: a module's
own parameters in assignment order, then each submodule's, depth first (PyTorch's order).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import validation
from ..function import _module_stack
from ..tensor import Tensor

__all__ = ["Module", "Parameter"]


class Parameter(Tensor):
    """A Tensor that a `Module` registers and an optimizer trains (``requires_grad=True``).

    Args:
        data: a number, list or ndarray (copied; float64 unless it is a float32 array).
        requires_grad: default True.
        name: a label for graphs and traces.

    Examples:
        >>> from microgradx.nn import Parameter
        >>> w = Parameter([[0.5, -0.5]])
        >>> w.requires_grad, w.shape
        (True, (1, 2))
    """

    __slots__ = ()

    def __init__(
        self, data: Any, requires_grad: bool = True, name: str | None = None, dtype: Any = None
    ) -> None:
        super().__init__(data, requires_grad=requires_grad, name=name, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _is_registrable_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, (Module, Parameter)) for v in value)


class Module:
    """Base class of layers and networks: override `forward`; call the module to run it.

    Subclasses call ``super().__init__()`` first, then assign parameters and submodules as
    attributes; they are found automatically (see the module docstring for naming and order).
    Calling a module runs ``forward`` with itself pushed on the module stack
    (``microgradx.function._module_stack``), so every op it creates records ``ctx.module`` and a
    graph can group a layer's ops together.

    Examples:
        >>> import microgradx as mgx
        >>> class Affine(mgx.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.w = mgx.nn.Parameter(2.0)
        ...         self.b = mgx.nn.Parameter(1.0)
        ...     def forward(self, x):
        ...         return self.w * x + self.b
        >>> m = Affine()
        >>> [name for name, _ in m.named_parameters()]
        ['w', 'b']
        >>> m(3.0).item()
        7.0
    """

    _parameters: OrderedDict[str, Parameter]
    _modules: OrderedDict[str, Any]

    def __init__(self) -> None:
        # name -> Parameter, and name -> Module | list | tuple (lists are read live, so an
        # appended layer is found too). The objects are also normal attributes (fast access).
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        try:
            params, modules = self.__dict__["_parameters"], self.__dict__["_modules"]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning attribute {name!r}"
            ) from None
        params.pop(name, None)
        modules.pop(name, None)
        if isinstance(value, Parameter):
            params[name] = value
        elif isinstance(value, Module) or (_is_registrable_list(value) and not name.startswith("_")):
            modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def _children(self) -> Iterator[tuple[str, Any]]:
        """Registered children as ``(name, Module | Parameter)``, lists expanded to ``name.i``."""
        for name, value in self._modules.items():
            if isinstance(value, Module):
                yield name, value
            else:
                for i, item in enumerate(value):
                    if isinstance(item, (Module, Parameter)):
                        yield f"{name}.{i}", item

    # ------------------------------------------------------------------ traversal
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for this module (name ``prefix``, ``""`` by default) and every
        submodule, depth first, each module once (names like ``layers.0``)."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            subs = [(f"{name}.{n}" if name else n, m) for n, m in module._children() if isinstance(m, Module)]
            stack.extend(reversed(subs))

    def modules(self) -> Iterator[Module]:
        """Every module of the tree (this one first), as in `named_modules`."""
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, parameter)``, e.g. ``("layers.0.weight", W)``, each parameter
        once, in a fixed order: a module's own parameters first, then its submodules'."""
        seen: set[int] = set()
        for mod_name, module in self.named_modules(prefix):
            own = list(module._parameters.items())
            own += [(n, p) for n, p in module._children() if isinstance(p, Parameter)]
            for n, p in own:
                if id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{n}" if mod_name else n), p

    def parameters(self) -> list[Parameter]:
        """All parameters, in `named_parameters` order (a list, ready for an optimizer)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: ``.grad = None`` (PyTorch's default) or zeros."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.fill(0.0)

    # ------------------------------------------------------------------ state
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """``{name: copy of the parameter's array}`` in `named_parameters` order.

        Copies: training the model afterwards does not change the dict. Save it with
        ``microgradx.save(model.state_dict(), "model.npz")``.
        """
        return OrderedDict((name, p.data.copy()) for name, p in self.named_parameters())

    def load_state_dict(self, state_dict: dict) -> None:
        """Copy arrays into the parameters, strictly: same names, same shapes.

        Every value is copied into the parameter's existing array, cast to its dtype, so later
        changes to ``state_dict`` do not reach the model. Nothing is changed if any check fails.

        Raises:
            ValueError: naming the key, for a missing key, an unexpected key, a wrong shape, a
                non-numeric value or a value that overflows the parameter's dtype.
            TypeError: if ``state_dict`` is not a mapping.
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(
                f"load_state_dict: expected a dict of name -> array, got {type(state_dict).__name__}"
            )
        own = OrderedDict(self.named_parameters())
        missing = [k for k in own if k not in state_dict]
        if missing:
            raise ValueError(
                f"load_state_dict: missing key {missing[0]!r} (missing: {', '.join(map(repr, missing))})"
            )
        unexpected = [k for k in state_dict if k not in own]
        if unexpected:
            raise ValueError(
                f"load_state_dict: unexpected key {unexpected[0]!r} "
                f"(this model has: {', '.join(map(repr, own))})"
            )
        arrays = {}
        for key, p in own.items():
            arrays[key] = validation.array_like(state_dict[key], p.data, f"key {key!r}", "load_state_dict")
        for key, p in own.items():
            np.copyto(p.data, arrays[key], casting="unsafe")

    # ------------------------------------------------------------------ dtype
    def to(self, dtype: Any) -> Module:
        """Convert every parameter (and its ``.grad``) to ``dtype``, float32 or float64; returns self.

        The parameters stay the same `Parameter` objects (only their arrays are replaced), so an
        optimizer built before keeps training them; `optim.SGD` converts its momentum buffers
        to the new dtype at its next step.

        Examples:
            >>> from microgradx.nn import MLP
            >>> net = MLP(2, [3, 1], rng=0).to("float32")
            >>> {str(p.dtype) for p in net.parameters()}
            {'float32'}
        """
        dt = validation.float_dtype(dtype, f"{type(self).__name__}.to")
        for p in self.parameters():
            if p.dtype != dt:
                p.data = p.data.astype(dt)
                if p.grad is not None:
                    p.grad = p.grad.astype(dt)
        return self

    def float(self) -> Module:
        """``self.to(np.float32)``: float32 parameters (as PyTorch's ``Module.float()``)."""
        return self.to(np.float32)

    def double(self) -> Module:
        """``self.to(np.float64)``: float64 parameters (as PyTorch's ``Module.double()``)."""
        return self.to(np.float64)

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # A plain push and pop: a context manager costs ~3 µs per call, more than the matmul of
        # a small layer.
        _module_stack.append(self)
        try:
            return self.forward(*args, **kwargs)
        finally:
            _module_stack.pop()

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """One-line summary of this module's own settings, shown by ``repr``."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self._children():
            if isinstance(child, Module):
                sub = repr(child).replace("\n", "\n  ")
                lines.append(f"({name}): {sub}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

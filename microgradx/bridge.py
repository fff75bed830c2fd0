"""The bridge to PyTorch: `to_torch` turns a microgradx network into ``torch.nn`` modules, `from_torch` turns them back.

**Weight layout.** A microgradx `Layer` stores ``W`` as ``(in_features, out_features)`` and
computes ``x @ W + b`` (``W[i, j]`` is the notes' ``w_ij``, input ``i`` to node ``j``).
PyTorch's ``nn.Linear`` stores ``weight`` as ``(out_features, in_features)`` and computes
``x @ weight.T + bias``. So ``linear.weight = W.T``: the bridge transposes, both ways, and
copies every number exactly (no rounding: a float32 model stays float32, float64 stays float64).

What maps to what:

- ``Layer`` → ``Linear`` (``weight = W.T``, ``bias`` copied; ``bias=False`` kept), followed
  by its activation module when it has one;
- ``MLP`` and ``Sequential`` → ``Sequential`` (a Layer's Linear and activation side by side);
- ``Sigmoid``, ``Tanh``, ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``, ``SELU`` → the same
  names in ``torch.nn``, with ``negative_slope``, ``alpha``, ``num_parameters`` and PReLU's
  learned slopes copied (`ACTIVATION_MAP`);
- ``Softmax(axis)`` → ``torch.nn.Softmax(dim=axis)``: the one setting whose name differs.
  Torch's ``Softmax()`` with ``dim=None`` (a legacy default that guesses the axis from the
  input's rank) is refused with a ``ValueError``: give ``dim``.

`from_torch` reads a ``Sequential`` that has the shape of an MLP (every ``Linear`` with a bias,
each followed by at most one activation, the same activation between all hidden layers) as an
`MLP`, so ``from_torch(to_torch(mlp))`` has ``mlp``'s state dict, keys and bits; any other
``Sequential`` becomes a `Sequential` with one module per torch module (its state-dict keys
are torch's: ``0.weight``, ``0.bias``, …). Anything else raises ``TypeError`` naming the module
and what is supported.

PyTorch is optional: it is imported when a function is called, never by ``import microgradx``;
without it both functions raise ``ImportError`` saying ``pip install torch``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import functional
from .nn.activation import ACTIVATIONS, ELU, SELU, LeakyReLU, PReLU, ReLU, Sigmoid, Softmax, Tanh
from .nn.layers import MLP, Layer, Sequential
from .nn.module import Module
from .tensor import Tensor

if TYPE_CHECKING:
    import torch

__all__ = ["ACTIVATION_MAP", "from_torch", "to_torch"]

#: Every activation module: its ``torch.nn`` class name (the same as ours) and the settings
#: copied across, which have the same attribute names in both libraries. PReLU's slopes are a
#: parameter and are copied with the weights.
ACTIVATION_MAP: dict[type[Module], tuple[str, tuple[str, ...]]] = {
    Sigmoid: ("Sigmoid", ()),
    Tanh: ("Tanh", ()),
    ReLU: ("ReLU", ()),
    LeakyReLU: ("LeakyReLU", ("negative_slope",)),
    PReLU: ("PReLU", ("num_parameters",)),
    ELU: ("ELU", ("alpha",)),
    SELU: ("SELU", ()),
}

#: Every module without weights that the bridge converts: its ``torch.nn`` class name and its
#: settings as (our attribute, torch's attribute and keyword) pairs. The activations above keep
#: their names; Softmax's ``axis`` is torch's ``dim``.
_MODULES: dict[type[Module], tuple[str, tuple[tuple[str, str], ...]]] = {
    **{cls: (name, tuple((s, s) for s in settings)) for cls, (name, settings) in ACTIVATION_MAP.items()},
    Softmax: ("Softmax", (("axis", "dim"),)),
}

# A Layer's activation may also be a function (``mgx.relu``) or a Tensor method (``Tensor.relu``):
# the ones that need no weight (all but prelu) map to the module with the function's defaults
# (softmax's is axis -1, as nn.Softmax's).
_FUNCTION_MODULES: dict[str, type[Module]] = {
    **{n: c for n, c in ACTIVATIONS.items() if c in ACTIVATION_MAP and c is not PReLU},
    "softmax": Softmax,
}
_FUNCTION_NAMES = list(_FUNCTION_MODULES)
_FUNCTIONS: dict[Callable[..., Any], type[Module]] = {
    f: cls
    for name, cls in _FUNCTION_MODULES.items()
    for f in (getattr(functional, name, None), getattr(Tensor, name, None))
    if f is not None
}

_SUPPORTED_MGX = "Layer, MLP, Sequential and the activation modules " + ", ".join(
    cls.__name__ for cls in _MODULES
)
_SUPPORTED_TORCH = "torch.nn.Linear, torch.nn.Sequential and torch.nn." + ", torch.nn.".join(
    name for name, _ in _MODULES.values()
)


def _import_torch(where: str) -> Any:
    try:
        import torch
    except ImportError as err:
        raise ImportError(
            f"{where} needs PyTorch, which could not be imported ({err}): pip install torch"
        ) from err
    return torch


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _what(obj: Any, path: str, kind: str = "") -> str:
    """How an error names a module: ``the model (Neuron)``, ``'layers.1' (Neuron)``,
    ``'layers.0.activation' (the callable <lambda>)``."""
    if not kind:
        if isinstance(obj, Module) or not callable(obj):
            kind = type(obj).__name__
        else:
            kind = f"the callable {getattr(obj, '__qualname__', None) or repr(obj)}"
    return f"{repr(path) if path else 'the model'} ({kind})"


# ---------------------------------------------------------------------------------- to PyTorch
def to_torch(model: Module) -> torch.nn.Module:
    """A PyTorch module that computes what ``model`` computes, with a copy of its parameters.

    ``Layer`` → ``torch.nn.Linear`` with ``weight = W.T`` (ours is ``(in, out)``, torch's
    ``(out, in)``) and the bias copied; a Layer's activation becomes the next module;
    ``MLP`` and ``Sequential`` → ``torch.nn.Sequential``; activation modules → the same
    names in ``torch.nn`` (LeakyReLU's ``negative_slope``, ELU's ``alpha``, PReLU's slopes
    copied; ``Softmax(axis)`` → ``Softmax(dim=axis)``). Every array is copied exactly and keeps its dtype: float32 parameters give float32
    torch parameters. The result owns its parameters (training it does not change ``model``)
    and building it draws no random numbers (torch's generator is left as it was).

    Args:
        model: a microgradx `Layer`, `MLP`, `Sequential` (of those) or activation module.

    Returns:
        a ``torch.nn.Linear`` for a Layer without activation, a ``torch.nn.Sequential`` for a
        Layer with one, an MLP or a Sequential, or the torch activation module.

    Raises:
        ImportError: PyTorch is not installed (``pip install torch``).
        TypeError: a module with no PyTorch counterpart here (a `Neuron`, a custom module, a
            Layer whose activation is an arbitrary function), named with its place in ``model``.

    Examples:
        >>> import numpy as np, microgradx as mgx
        >>> net = mgx.nn.MLP(2, [3, 1], activation="tanh", rng=0)
        >>> tnet = mgx.to_torch(net)
        >>> tnet
        Sequential(
          (0): Linear(in_features=2, out_features=3, bias=True)
          (1): Tanh()
          (2): Linear(in_features=3, out_features=1, bias=True)
        )
        >>> bool((tnet[0].weight.detach().numpy() == net.layers[0].weight.data.T).all())
        True
    """
    torch = _import_torch("to_torch")
    if not isinstance(model, Module):
        raise TypeError(
            f"to_torch: expected a microgradx nn.Module ({_SUPPORTED_MGX}), got {type(model).__name__}"
        )
    pieces = _to_torch(torch, model, "")
    return pieces[0] if len(pieces) == 1 else torch.nn.Sequential(*pieces)


def _torch_dtype(torch: Any, array: np.ndarray) -> Any:
    return {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[array.dtype]


def _copy_into(torch: Any, param: Any, array: np.ndarray) -> None:
    with torch.no_grad():
        param.copy_(torch.from_numpy(np.ascontiguousarray(array)))


def _to_torch(torch: Any, m: Any, path: str) -> list[Any]:
    """The torch modules for ``m``, in order: two for a Layer with an activation, else one."""
    kind = type(m)  # exact types: a subclass may compute something else in its forward
    if kind is Layer:
        w = m.weight.data
        lin = torch.nn.utils.skip_init(  # no random init: the weights are copied next
            torch.nn.Linear,
            m.in_features,
            m.out_features,
            bias=m.bias is not None,
            dtype=_torch_dtype(torch, w),
        )
        _copy_into(torch, lin.weight, w.T)  # ours (in, out) -> torch's (out, in)
        if m.bias is not None:
            _copy_into(torch, lin.bias, m.bias.data)
        if m.activation is None:
            return [lin]
        act = m.activation
        where = _join(path, "activation")
        if not isinstance(act, Module):
            cls = next((c for f, c in _FUNCTIONS.items() if f is act), None)  # act may be unhashable
            if cls is None:
                raise TypeError(
                    f"to_torch: {_what(act, where)} has no PyTorch counterpart; a Layer's "
                    f"activation converts when it is a name, one of the activation modules "
                    f"({', '.join(c.__name__ for c in _MODULES)}) or one of the functions "
                    f"microgradx.{', microgradx.'.join(_FUNCTION_NAMES)}"
                )
            act = cls()
        return [lin, *_to_torch(torch, act, where)]
    if kind is MLP:
        children = [(f"layers.{k}", layer) for k, layer in enumerate(m.layers)]
    elif kind is Sequential:
        children = [(str(k), child) for k, child in enumerate(m)]
    elif kind in _MODULES:
        name, settings = _MODULES[kind]
        if kind is PReLU:
            slope = m.weight.data
            t_act = torch.nn.PReLU(m.num_parameters, dtype=_torch_dtype(torch, slope))
            _copy_into(torch, t_act.weight, slope)
            return [t_act]
        return [getattr(torch.nn, name)(**{theirs: getattr(m, ours) for ours, theirs in settings})]
    else:
        raise TypeError(f"to_torch: {_what(m, path)} has no PyTorch counterpart; supported: {_SUPPORTED_MGX}")
    pieces = []
    for name, child in children:
        pieces += _to_torch(torch, child, _join(path, name))
    return [torch.nn.Sequential(*pieces)]


# -------------------------------------------------------------------------------- from PyTorch
def from_torch(module: torch.nn.Module) -> Module:
    """The microgradx network of a PyTorch ``Linear``, ``Sequential`` or activation module.

    The inverse of `to_torch`: ``torch.nn.Linear`` → `Layer` with ``W = weight.T``; a
    ``torch.nn.Sequential`` shaped like an MLP (each ``Linear`` has a bias and is followed by
    at most one activation, the hidden ones all the same kind with the same settings) → `MLP`,
    each activation folded into its Layer; any other ``Sequential`` → `Sequential`, one module
    per torch module (state-dict keys as torch's); ``Sigmoid``, ``Tanh``, ``ReLU``,
    ``LeakyReLU``, ``PReLU``, ``ELU``, ``SELU`` → ours, settings and slopes copied;
    ``Softmax(dim=d)`` → ``Softmax(axis=d)``. Every
    array is copied exactly, float32 staying float32 and float64 float64, so
    ``from_torch(to_torch(net)).state_dict()`` equals ``net.state_dict()`` bit for bit for an
    MLP. Draws no random numbers.

    Args:
        module: a ``torch.nn.Module`` of the kinds above (nested Sequentials too).

    Raises:
        ImportError: PyTorch is not installed (``pip install torch``).
        TypeError: ``module`` (or a module inside it, named by its place) has no microgradx
            counterpart, e.g. ``Conv2d`` or ``Dropout``; or it is not a torch module.
        ValueError: a parameter of another dtype than float32 or float64 (float16, bfloat16),
            or a setting microgradx refuses (ELU with alpha ≤ 0, ``Softmax`` with ``dim=None``).

    Examples:
        >>> import torch, microgradx as mgx
        >>> t = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
        >>> net = mgx.from_torch(t)
        >>> type(net).__name__, net.layers[0].weight.shape
        ('MLP', (2, 3))
    """
    torch = _import_torch("from_torch")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(
            f"from_torch: expected a torch.nn.Module ({_SUPPORTED_TORCH}), got {type(module).__name__}"
        )
    return _from_torch(torch, module, "")


def _numpy(torch: Any, param: Any, path: str) -> np.ndarray:
    """An exact copy of a torch parameter as a float32 or float64 ndarray."""
    if param.dtype not in (torch.float32, torch.float64):
        raise ValueError(
            f"from_torch: {path!r} has dtype {param.dtype}; microgradx parameters are float32 or "
            f"float64 (convert with module.float() or module.double() first)"
        )
    return param.detach().cpu().numpy().copy()


_TORCH_ACTIVATIONS = {name: cls for cls, (name, _) in _MODULES.items()}


def _torch_name(torch: Any, kind: type) -> str:
    """``torch.nn.Dropout`` for a class of ``torch.nn``, else its full dotted name."""
    if getattr(torch.nn, kind.__name__, None) is kind:
        return f"torch.nn.{kind.__name__}"
    return f"{kind.__module__}.{kind.__qualname__}"


def _from_torch(torch: Any, m: Any, path: str) -> Module:
    kind = type(m)  # exact types: a subclass may compute something else in its forward
    if kind is torch.nn.Linear:
        w = _numpy(torch, m.weight, _join(path, "weight")).T  # torch's (out, in) -> ours (in, out)
        b = None if m.bias is None else _numpy(torch, m.bias, _join(path, "bias"))
        layer = Layer(m.in_features, m.out_features, init="zeros", bias=b is not None, dtype=w.dtype)
        np.copyto(layer.weight.data, w)
        if b is not None:
            assert layer.bias is not None
            np.copyto(layer.bias.data, b)
        return layer
    if kind is torch.nn.Sequential:
        children = list(m.named_children())
        converted = [_from_torch(torch, child, _join(path, name)) for name, child in children]
        mlp = _as_mlp(converted)
        return mlp if mlp is not None else Sequential(*converted)
    name = kind.__name__
    if getattr(torch.nn, name, None) is kind and name in _TORCH_ACTIVATIONS:
        cls = _TORCH_ACTIVATIONS[name]
        if cls is PReLU:
            slope = _numpy(torch, m.weight, _join(path, "weight"))
            act = PReLU(m.num_parameters, dtype=slope.dtype)
            np.copyto(act.weight.data, slope)
            return act
        if cls is Softmax and m.dim is None:
            raise ValueError(
                f"from_torch: {_what(m, path, 'torch.nn.Softmax')} has dim=None, PyTorch's legacy "
                f"default that guesses the axis from the input's rank; microgradx needs the axis: "
                f"build it as torch.nn.Softmax(dim=-1) (or the axis that holds the classes)"
            )
        settings = _MODULES[cls][1]
        return cls(**{ours: getattr(m, theirs) for ours, theirs in settings})
    raise TypeError(
        f"from_torch: {_what(m, path, _torch_name(torch, kind))} has no microgradx counterpart; "
        f"supported: {_SUPPORTED_TORCH}"
    )


def _signature(act: Module | None) -> Any:
    """What makes two hidden activations 'the same' for an MLP: class and settings, not slopes."""
    if act is None:
        return None
    return type(act), tuple(getattr(act, ours) for ours, _ in _MODULES[type(act)][1])


def _as_mlp(modules: list[Module]) -> MLP | None:
    """The MLP these converted modules are, or None if they do not have an MLP's shape.

    Shape: Layers with a bias, each followed by at most one activation module (folded into the
    Layer), widths that chain, and the same activation (by `_signature`) after every hidden Layer.
    """
    layers: list[Layer] = []
    activations: list[Module | None] = []  # the module after each Layer; folded in only at the end
    for m in modules:
        if type(m) is Layer:
            if m.bias is None or m.activation is not None:
                return None
            if layers and layers[-1].out_features != m.in_features:
                return None
            layers.append(m)
            activations.append(None)
        elif type(m) in _MODULES and layers and activations[-1] is None:
            activations[-1] = m
        else:
            return None
    if not layers or len({_signature(act) for act in activations[:-1]}) > 1:
        return None
    for layer, act in zip(layers, activations, strict=True):
        layer.activation = act  # registered as the Layer's submodule (PReLU's slope too)
    first = layers[0]
    mlp = MLP(first.in_features, [layer.out_features for layer in layers], activation=None, init="zeros")
    mlp.layers = layers
    return mlp

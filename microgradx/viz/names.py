"""The one naming of tensors: `tensor_names` gives every tensor of a graph the name that the
picture (`microgradx.viz.draw`), the trace (`microgradx.viz.trace`), `explain` and the stepper print.

The rules, in order (the notes' notation):

1. a tensor with a ``name`` is called by it (hand-built networks keep theirs: ``w11``, ``z1``);
2. inside ``nn`` layers, the notes' names: layer k's weight and bias ``W{k}``, ``b{k}``, its
   pre-activation ``z{k}`` (``x@W{k} + b{k}``), its activation ``a{k}``; the last layer's output
   is ``ŷ``, the loss (an unnamed root made by a loss op, or outside the layers) ``L``, the
   model's unnamed input ``x`` and an unnamed target ``y``. Layers are numbered from 1, in the
   order of ``model.named_modules()`` (with ``model=``) or of use. With ``model=``, any other
   unnamed parameter is called by its qualified name (``layers.0.activation.weight``);
3. an unnamed one-element constant is called by its value (``2``, ``−0.5``);
4. an unnamed op result is called by the expression that made it, built from its inputs' names,
   with parentheses only where needed: ``w1·x1``, ``z + b``, ``σ(z)``, ``a^2``, ``−a``,
   ``x@W1``, ``(b − (w1 − x1))/(x1·w1)``;
5. an expression longer than `MAX_EXPRESSION` characters gets an auto-name made of its op and a
   counter (``add1``, ``mul2``, in order of computation), or, inside a module of a model, of the
   module and op (``block.add``); an unnamed leaf that requires grad is ``leaf1``, ``leaf2``….

Names are unique: when a second tensor would get a name already taken (a model called twice, two
tensors both named ``h``), it gets a suffix, ``h_2``, ``h_3`` …, in order of computation. Only
constants named by their value may share a name (two constants ``2`` are the same number). No
name is ever a ``#k`` id.

    >>> import microgradx as mgx
    >>> w = mgx.Tensor(0.5, requires_grad=True, name="w")
    >>> y = (w * 2 + 1).sigmoid()
    >>> tensor_names(y)[y]
    'σ(w·2 + 1)'
    >>> net = mgx.nn.MLP(2, [3, 1], activation="tanh", rng=0)
    >>> L = mgx.mse_loss(net(mgx.Tensor([[1.0, 2.0]])), mgx.Tensor([[0.5]]))
    >>> sorted(tensor_names(L, model=net).values())
    ['L', 'W1', 'W2', 'a1', 'a1@W2', 'b1', 'b2', 'x', 'x@W1', 'y', 'z1', 'ŷ']
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ..autograd import topological_order

__all__ = ["MAX_EXPRESSION", "names_for", "parameter_names", "strip_double_parens", "tensor_names", "wrap"]

#: Unnamed op results with a longer expression than this get an auto-name (``add1``, …).
MAX_EXPRESSION = 24
# How each op is written (symbol, infix/prefix/call, precedence) is metadata of its class
# (`microgradx.function`); this module only applies the parenthesis rules.
_ATOM = 10  # precedence of a name or a function call: never needs parentheses
_NEGATIVE = 3  # precedence of a negative number, as unary minus


def tensor_names(root: Any, *, model: Any = None) -> dict[Any, str]:
    """The display name of every tensor ``root`` was computed from (``root`` included).

    Args:
        root: the output tensor (a loss, say).
        model: an `nn.Module`: numbers its layers in its own order and names its other
            parameters by their qualified names (see the module doc for all rules).

    Returns:
        ``{tensor: name}``, one entry per tensor of the graph, names unique (see module doc).

    Raises:
        TypeError: ``root`` is not a Tensor, or ``model`` is not an `nn.Module`.
    """
    if not (hasattr(root, "_ctx") and hasattr(root, "data")):
        raise TypeError(f"tensor_names: root must be a Tensor, got {type(root).__name__}")
    order = topological_order(root)
    ids = names_for(order, model)
    return {t: ids[id(t)] for t in order}


def names_for(order: list, model: Any = None) -> dict[int, str]:
    """`tensor_names` for tensors given in topological order, keyed by ``id(tensor)``.

    The form the drawing, the trace and `explain` use (they have the order already); the last
    tensor of ``order`` is taken as the root.
    """
    param_names = parameter_names(model)
    module_names = {id(m): n for n, m in model.named_modules()} if hasattr(model, "named_modules") else {}
    roles = _nn_roles(order, model)
    names: dict[int, str] = {}
    prec: dict[int, int] = {}
    counters: dict[str, int] = {}
    taken: set[str] = set()

    def unique(name: str) -> str:
        if name not in taken:
            taken.add(name)
            return name
        base, n = (name if _SIMPLE.fullmatch(name) else f"({name})"), 2
        while f"{base}_{n}" in taken:
            n += 1
        taken.add(f"{base}_{n}")
        return f"{base}_{n}"

    for t in order:
        key = id(t)
        given = t.name if t.name is not None else roles.get(key, param_names.get(key))
        if given is not None:
            names[key], prec[key] = unique(str(given)), _ATOM
            continue
        ctx = t._ctx
        if ctx is None:
            if not t.requires_grad and t.data.size == 1:
                v = float(t.data.reshape(-1)[0])
                names[key] = f"{v:g}".replace("-", "−")  # a value: may be shared (module doc)
                prec[key] = _ATOM if v >= 0 else _NEGATIVE
                continue
            expr, base = None, "leaf"
        else:
            expr, p = _expression(type(ctx), ctx.parents, names, prec)
            base = type(ctx).name
            module = module_names.get(id(getattr(ctx, "module", None)))
            if module:
                base = f"{module}.{base}"
        if expr is None or len(expr) > MAX_EXPRESSION:
            while True:
                n = counters[base] = counters.get(base, 0) + 1
                # Module-based names read well alone (block.add); bare op names get a number.
                auto = f"{base}{'' if '.' in base and n == 1 else n}"
                if auto not in taken:
                    break
            names[key], prec[key] = unique(auto), _ATOM
        else:
            names[key], prec[key] = unique(expr), p
    return names


def _nn_roles(order: list, model: Any) -> dict[int, str]:
    """The notes' names of tensors made inside ``nn.Layer`` s (rule 2 of the module doc).

    ``{id(tensor): name}`` for layer weights and biases (``W{k}``, ``b{k}``), pre-activations
    (``z{k}``), activations (``a{k}``), the last layer's output (``ŷ``), the model's unnamed input
    (``x``), the loss (``L``) and an unnamed target (``y``). User names win later anyway.
    """
    from ..nn.layers import Layer  # viz sits above nn; imported when first needed

    if model is not None and hasattr(model, "named_modules"):
        ordered = [m for _, m in model.named_modules() if isinstance(m, Layer)]
    else:
        ordered = []
    for t in order:  # layers met in the graph but not in the model, in order of use
        module = getattr(t._ctx, "module", None) if t._ctx is not None else None
        if isinstance(module, Layer) and all(module is not m for m in ordered):
            ordered.append(module)
    number = {id(m): k for k, m in enumerate(ordered, 1)}
    roles: dict[int, str] = {}
    used: dict[int, int] = {}  # layer number -> how many of its tensors are in the graph
    pre: dict[int, int] = {}  # id(z) -> layer number
    outputs: list[tuple[int, Any]] = []  # (layer number, its output tensor)
    for t in order:
        ctx = t._ctx
        if ctx is None:
            continue
        layer = ctx.module if isinstance(ctx.module, Layer) else None
        k = number.get(id(layer)) if layer is not None else None
        if k is not None and layer is not None:
            used[k] = used.get(k, 0) + 1
            for i, p in enumerate(ctx.parents):
                if p is layer.weight:
                    roles.setdefault(id(p), f"W{k}")
                    if k == 1 and i == 1 and ctx.parents[0]._ctx is None and ctx.parents[0].name is None:
                        roles.setdefault(id(ctx.parents[0]), "x")
                elif p is layer.bias:
                    roles.setdefault(id(p), f"b{k}")
            is_z = any(p is layer.bias for p in ctx.parents) or (
                layer.bias is None and any(p is layer.weight for p in ctx.parents)
            )
            if is_z:
                roles[id(t)] = f"z{k}"
                pre[id(t)] = k
                outputs.append((k, t))
                continue
        # An activation applied to z{k} is a{k}, in the layer or in a module after it.
        if (
            len(ctx.parents) >= 1
            and id(ctx.parents[0]) in pre
            and type(ctx).__module__ == "microgradx.activations"
            and (k is None or k == pre[id(ctx.parents[0])])
        ):
            j = pre[id(ctx.parents[0])]
            roles[id(t)] = f"a{j}"
            outputs.append((j, t))
    if outputs:
        # ŷ: the last layer's activation if it has one, else its z (each call of the layer).
        last = max(k for k, _ in outputs)
        finals = [t for k, t in outputs if k == last and roles[id(t)] == f"a{k}"]
        for t in finals or [t for k, t in outputs if k == last]:
            roles[id(t)] = "ŷ"
    root = order[-1]
    if root.name is None and id(root) not in roles and root._ctx is not None:
        is_loss = type(root._ctx).__module__ == "microgradx.losses"
        if is_loss or (outputs and root.data.size == 1):
            roles[id(root)] = "L"
        if is_loss:
            for p in root._ctx.parents[1:]:
                if p._ctx is None and p.name is None and not p.requires_grad:
                    roles.setdefault(id(p), "y")
    return roles


def parameter_names(model: Any) -> dict[int, str]:
    """``{id(parameter): "layers.0.weight"}`` from ``model.named_parameters()`` (empty for None)."""
    if model is None:
        return {}
    if not hasattr(model, "named_parameters"):
        raise TypeError(f"model must be an nn.Module (with named_parameters()), got {type(model).__name__}")
    return {id(p): name for name, p in model.named_parameters()}


def _expression(
    fn: Any,
    parents: tuple,
    names: dict[int, str],
    prec: dict[int, int],
) -> tuple[str, int]:
    """The expression an op of class ``fn`` makes from its operands' names, and its precedence."""
    args = [names[id(p)] for p in parents]
    precs = [prec[id(p)] for p in parents]
    p = fn.precedence
    if fn.notation == "infix" and len(args) == 2:
        # Left operand: parenthesise looser binding, and equal binding where chains group right
        # ((a^b)^c). Right operand: parenthesise equal binding too (a − (b + c), a/(b·c)),
        # unless the op is associative (a + b + c).
        left_ok = precs[0] > p or (precs[0] == p and not fn.right_associative)
        right_ok = precs[1] > p or (precs[1] == p and fn.associative)
        left = args[0] if left_ok else f"({args[0]})"
        right = args[1] if right_ok else f"({args[1]})"
        if right.startswith("−"):  # x·(−0.5), not x·−0.5
            right = f"({right})"
        symbol = f" {fn.symbol} " if p <= 1 else fn.symbol  # a + b, a·b: loose ops get spaces
        return f"{left}{symbol}{right}", p
    if fn.notation == "prefix" and len(args) == 1:
        bare = precs[0] >= p and not args[0].startswith(fn.symbol)  # −(−x), not −−x
        return (f"{fn.symbol}{args[0]}" if bare else f"{fn.symbol}({args[0]})"), p
    return f"{fn.symbol}({', '.join(args)})", _ATOM


_SIMPLE = re.compile(r"[^\s+−\-·/^@(),]+|[^\s(]+\([^()]*(\([^()]*\))*[^()]*\)")


@functools.lru_cache(maxsize=4096)
def wrap(name: str) -> str:
    """Parenthesise a compound name inside ∂…/∂… and rules: ∂(w1·x1)/∂w1."""
    return name if _SIMPLE.fullmatch(name) else f"({name})"


def strip_double_parens(text: str) -> str:
    """``σ((a + b))`` -> ``σ(a + b)``: drop a pair of parentheses directly doubling another."""
    if "((" not in text:
        return text
    match: dict[int, int] = {}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            match[stack.pop()] = i
    drop: set[int] = set()
    for i, j in match.items():
        if match.get(i + 1) == j - 1:
            drop |= {i + 1, j - 1}
    return "".join(ch for k, ch in enumerate(text) if k not in drop)

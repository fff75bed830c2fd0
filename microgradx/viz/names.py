"""Display names for tensors in chain-rule traces: a name, a value, or the expression that made it.

Used by `microgradx.viz.explain`, `microgradx.viz.trace` and (for parameters) `microgradx.viz.draw`. The
convention, in order:

1. a tensor with a ``name`` is called by it;
2. with ``model=`` (an `nn.Module`), an unnamed parameter is called by its qualified name
   (``layers.0.weight``);
3. an unnamed one-element constant is called by its value (``2``, ``−0.5``);
4. an unnamed op result is called by the expression that made it, built from its inputs' names,
   with parentheses only where needed: ``w1·x1``, ``z + b``, ``σ(z)``, ``a^2``, ``−a``,
   ``X@W1``, ``(b − (w1 − x1))/(x1·w1)``;
5. an expression longer than `MAX_EXPRESSION` characters gets an auto-name made of its op and a
   counter (``add1``, ``mul2``, in order of computation), or, inside a model's module, of the
   module and op (``layers.0.add``, then ``layers.0.add2``); an unnamed leaf that requires grad
   is ``leaf1``, ``leaf2``….

    >>> import microgradx as mgx
    >>> from microgradx.autograd import topological_order
    >>> w = mgx.Tensor(0.5, requires_grad=True, name="w")
    >>> y = (w * 2 + 1).sigmoid()
    >>> names = tensor_names(topological_order(y))
    >>> names[id(y)]
    'σ(w·2 + 1)'
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MAX_EXPRESSION", "parameter_names", "strip_double_parens", "tensor_names", "wrap"]

#: Unnamed op results with a longer expression than this get an auto-name (``v1``, …).
MAX_EXPRESSION = 24
# How each op is written (symbol, infix/prefix/call, precedence) is metadata of its class
# (`microgradx.function`); this module only applies the parenthesis rules.
_ATOM = 10  # precedence of a name or a function call: never needs parentheses
_NEGATIVE = 3  # precedence of a negative number, as unary minus


def tensor_names(order: list, model: Any = None) -> dict[int, str]:
    """Display names for every tensor of a graph, given in topological order (see module doc).

    With ``model`` (an `nn.Module`), unnamed parameters are called by their qualified name
    (``layers.0.weight``), and an op result that needs an auto-name is named after its module
    and op (``layers.0.add``, then ``layers.0.add2`` …).
    """
    param_names = parameter_names(model)
    module_names = {id(m): n for n, m in model.named_modules()} if hasattr(model, "named_modules") else {}
    names: dict[int, str] = {}
    prec: dict[int, int] = {}
    counters: dict[str, int] = {}
    for t in order:
        key = id(t)
        given = t.name if t.name is not None else param_names.get(key)
        if given is not None:
            names[key], prec[key] = str(given), _ATOM
            continue
        ctx = t._ctx
        if ctx is None:
            if not t.requires_grad and t.data.size == 1:
                v = float(t.data.reshape(-1)[0])
                names[key] = f"{v:g}".replace("-", "−")
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
            n = counters[base] = counters.get(base, 0) + 1
            # Module-based names read well alone (layers.0.add); bare op names get a number.
            suffix = "" if "." in base and n == 1 else str(n)
            names[key], prec[key] = f"{base}{suffix}", _ATOM
        else:
            names[key], prec[key] = expr, p
    return names


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


def wrap(name: str) -> str:
    """Parenthesise a compound name inside ∂…/∂… and rules: ∂(w1·x1)/∂w1."""
    if re.fullmatch(r"[^\s+−\-·/^@(),]+|[^\s(]+\([^()]*(\([^()]*\))*[^()]*\)", name):
        return name
    return f"({name})"


def strip_double_parens(text: str) -> str:
    """``σ((a + b))`` -> ``σ(a + b)``: drop a pair of parentheses directly doubling another."""
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

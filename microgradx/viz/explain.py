"""The chain rule written out with numbers: `explain(root, wrt)` for scalar graphs.

For a = σ(w1·x1 + b), L = a² with w1 = 0.5, x1 = 2, b = −0.5, a student writes::

    ∂L/∂w1 = ∂L/∂a · ∂a/∂z · ∂z/∂w1

and fills in each local derivative. `explain` does exactly that, for every path of edges from
``root`` down to ``wrt``; the paths' products add up to ∂root/∂wrt (the multivariable chain rule:
one term per path)::

    >>> import microgradx as mgx
    >>> w1 = mgx.Tensor(0.5, requires_grad=True, name="w1")
    >>> x1 = mgx.Tensor(2.0, name="x1")
    >>> b = mgx.Tensor(-0.5, requires_grad=True, name="b")
    >>> z = w1 * x1 + b; z.name = "z"
    >>> a = z.sigmoid(); a.name = "a"
    >>> L = a ** 2; L.name = "L"
    >>> e = explain(L, w1)
    >>> round(e.value, 4), len(e.paths), [f.label for f in e.paths[0].factors][1]
    (0.5851, 1, '∂a/∂z = σ(z)(1−σ(z))')

How the numbers are found: every op's ``backward`` applied to an upstream gradient of 1 returns
its local derivatives (for one-element tensors), so each factor is ``type(ctx).backward(ctx, 1)``.
Nothing is accumulated: ``explain`` needs no ``backward()`` and changes no ``.grad``.

**Names of unnamed tensors** follow `microgradx.viz.names`: an unnamed op result is called by the
expression that made it (``w1·x1``, ``σ(z)``), a long one by op and counter (``add1``), and with
``model=`` parameters by their qualified names (``layers.0.weight``). So ``z = w1*x1 + b`` has a
factor ``∂z/∂(w1·x1) = 1`` followed by ``∂(w1·x1)/∂w1 = x1 = 2.0000``: one factor per op, as the
graph has them.

Paths are enumerated one by one, and their number can grow exponentially with depth (a chain of
``x = x + x`` doubles it per step), so `explain` refuses graphs with more than ``max_paths``
paths (default 256), with a `ValueError` saying so; ``backward`` computes the same total without
enumerating.

Ops computed without gradient tracking (inside ``no_grad``, or on tensors that do not require
grad) are leaves of the recorded graph: `explain` follows recorded ops only.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import topological_order
from ..formatting import format_number, product_texts
from .names import names_for, strip_double_parens, wrap

__all__ = ["MAX_PATHS", "Explanation", "Factor", "Path", "explain"]

#: Default cap on the number of paths `explain` enumerates.
MAX_PATHS = 256


@dataclass
class Factor:
    """One local derivative on a path: ∂child/∂parent.

    Attributes:
        label: ``"∂a/∂z = σ(z)(1−σ(z))"`` (symbol and rule).
        value: its number.
        symbol: ``"∂a/∂z"``.
        rule: ``"σ(z)(1−σ(z))"``: the op's local-derivative formula, with the tensors' names.
        op: the op's name (``"sigmoid"``).
        child, parent: the tensors (child = parent's op output).
        index: which operand of the op ``parent`` is.
    """

    label: str
    value: float
    symbol: str
    rule: str
    op: str
    child: Any = field(repr=False)
    parent: Any = field(repr=False)
    index: int = 0


@dataclass
class Path:
    """One path of edges from the root down to ``wrt``.

    Attributes:
        nodes: the tensors on it, root first.
        factors: one `Factor` per edge, root side first.
        value: the product of the factors (1 for the empty path, root is wrt).
    """

    nodes: list
    factors: list[Factor]
    value: float

    def names(self, names: dict[int, str]) -> str:
        return " ← ".join(names[id(t)] for t in self.nodes)


class Explanation:
    """∂root/∂wrt as a sum over paths of products of local derivatives.

    Attributes:
        value: ∂root/∂wrt (the sum of the paths' values; equals what ``backward`` computes).
        paths: list of `Path`.
        root, wrt: the tensors.
        names: ``{id(tensor): display name}`` used in the text.
        symbol: ``"∂L/∂w1"``.

    ``str(e)`` is the plain-text trace; ``e.to_markdown()`` and ``e.to_latex()`` format it for
    notebooks and papers (a notebook shows the markdown form).
    """

    def __init__(self, root: Any, wrt: Any, paths: list[Path], names: dict[int, str], values: list) -> None:
        self.root = root
        self.wrt = wrt
        self.paths = paths
        self.names = names
        self.value = float(sum(p.value for p in paths))
        self.symbol = f"∂{wrap(names[id(root)])}/∂{wrap(names[id(wrt)])}"
        self._values = values  # tensors whose values the trace lists (forward pass order)

    def __repr__(self) -> str:
        return f"<Explanation {self.symbol} = {format_number(self.value)}, {len(self.paths)} path(s)>"

    # ------------------------------------------------------------------ plain text
    def chain(self, path: Path) -> str:
        """``∂L/∂a · ∂a/∂z · …`` for one path."""
        return " · ".join(f.symbol for f in path.factors) or "1"

    def numbers(self, path: Path) -> str:
        """``(1.2449) · (0.2350) · … = 0.5851`` for one path: the factors printed with enough
        decimals that they multiply to the printed product (`microgradx.formatting.product_texts`),
        or a note that the product was computed before rounding."""
        if not path.factors:
            return f"(1.0000) = {format_number(path.value)}"
        texts, result, exact = product_texts([f.value for f in path.factors], path.value)
        note = "" if exact else "   (product computed before rounding)"
        return " · ".join(f"({t})" for t in texts) + f" = {result}{note}"

    def __str__(self) -> str:
        n = len(self.paths)
        root, wrt = self.names[id(self.root)], self.names[id(self.wrt)]
        lines = [
            f"{self.symbol} = {format_number(self.value)}   "
            f"({n} path{'s' if n != 1 else ''} from {root} to {wrt})"
        ]
        if not n:
            lines.append(f"{root} does not depend on {wrt} through recorded ops, so the derivative is 0.")
            return "\n".join(lines)
        lines.append("")
        lines.append(
            "forward pass: "
            + ", ".join(f"{self.names[id(t)]} = {format_number(t.data.reshape(-1)[0])}" for t in self._values)
        )
        for k, path in enumerate(self.paths, 1):
            lines.append("")
            lines.append(f"path {k}: {path.names(self.names)}")
            width = max((len(f.symbol) for f in path.factors), default=0)
            rule_width = max((len(f.rule) for f in path.factors), default=0)
            for f in path.factors:
                note = _operand_note(f)
                lines.append(
                    f"  {f.symbol.ljust(width)} = {f.rule.ljust(rule_width)} "
                    f"= {format_number(f.value)}{'   ' + note if note else ''}"
                )
            lhs = self.symbol if n == 1 else f"path {k}"
            lines.append(f"  {lhs} = {self.chain(path)} = {self.numbers(path)}")
        if n > 1:
            terms = " + ".join(f"({format_number(p.value)})" for p in self.paths)
            lines.append("")
            lines.append(f"sum over the {n} paths: {self.symbol} = {terms} = {format_number(self.value)}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ markdown
    def to_markdown(self) -> str:
        """The trace as Markdown: one table of factors per path, then the sum."""
        n = len(self.paths)
        out = [f"**{_md(self.symbol)} = {format_number(self.value)}** ({n} path{'s' if n != 1 else ''})", ""]
        for k, path in enumerate(self.paths, 1):
            out.append(f"Path {k}: {_md(path.names(self.names))}")
            out.append("")
            out.append("| local derivative | rule | value |")
            out.append("|---|---|---:|")
            for f in path.factors:
                note = _operand_note(f)
                out.append(
                    f"| {_md(f.symbol)}{' ' + _md(note) if note else ''} | {_md(f.rule)} "
                    f"| {format_number(f.value)} |"
                )
            out.append(f"| **product** {_md(self.chain(path))} | | **{format_number(path.value)}** |")
            out.append("")
        if n > 1:
            terms = " + ".join(format_number(p.value) for p in self.paths)
            out.append(f"Sum over paths: {_md(self.symbol)} = {terms} = **{format_number(self.value)}**")
        return "\n".join(out).rstrip() + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    # ------------------------------------------------------------------ LaTeX
    def to_latex(self) -> str:
        r"""The trace as a LaTeX ``aligned`` block (math mode): symbols, then numbers, per path."""
        root, wrt = self.names[id(self.root)], self.names[id(self.wrt)]
        lhs = _latex_partial(root, wrt)
        rows = []
        for k, path in enumerate(self.paths, 1):
            symbols = (
                r" \cdot ".join(
                    _latex_partial(self.names[id(f.child)], self.names[id(f.parent)]) for f in path.factors
                )
                or "1"
            )
            numbers = r" \cdot ".join(f"({_latex_number(f.value)})" for f in path.factors) or "1"
            head = lhs if len(self.paths) == 1 else rf"\text{{path {k}}}"
            rows.append(rf"{head} &= {symbols} \\")
            rows.append(rf"&= {numbers} = {_latex_number(path.value)} \\")
        if len(self.paths) != 1:
            terms = " + ".join(f"({_latex_number(p.value)})" for p in self.paths) or "0"
            rows.append(rf"{lhs} &= {terms} = {_latex_number(self.value)}")
        body = "\n".join(rows).rstrip(" \\\n")
        return "\\begin{aligned}\n" + body + "\n\\end{aligned}"


def explain(
    root: Any,
    wrt: Any,
    max_paths: int = MAX_PATHS,
    *,
    model: Any = None,
    compact: bool = False,
) -> Explanation:
    """Write ∂root/∂wrt as the chain rule does by hand: every path, every local derivative.

    Args:
        root: a one-element tensor (the loss, say) computed from ``wrt``.
        wrt: any tensor in root's graph (a parameter, an input, an intermediate value).
        max_paths: refuse graphs with more paths than this (their number can grow
            exponentially).
        model: an `nn.Module`: names its layers' tensors as the notes do (`microgradx.viz.names`).
        compact: fold every factor that is exactly 1 (an addition's, a subtraction's first
            operand) into its neighbour, as the notes write the chain: on the neuron
            ``ŷ = v·σ(w·x + b)`` the path reads ∂L/∂w = ∂L/∂ŷ · ∂ŷ/∂a · ∂a/∂z · ∂z/∂w instead of
            one factor per op. The fold keeps the named end of the factor (``ŷ``, ``z``) and
            drops the expression (``ŷ − y``, ``w·x``); a factor between two named tensors stays.

    Returns:
        An `Explanation`: ``.value``, ``.paths`` (each with ``.factors`` and ``.value``), and a
        readable ``str()``.

    Raises:
        TypeError: ``root`` or ``wrt`` is not a tensor.
        ValueError: ``root`` has more than one element, a tensor between ``root`` and ``wrt`` has
            more than one element (use `microgradx.trace_backward` for tensor graphs), or there are
            more than ``max_paths`` paths.
    """
    for arg, t in (("root", root), ("wrt", wrt)):
        if not (hasattr(t, "_ctx") and hasattr(t, "data")):
            raise TypeError(f"explain: {arg} must be a Tensor, got {type(t).__name__}")
    if isinstance(max_paths, bool) or not isinstance(max_paths, numbers.Integral) or max_paths < 1:
        raise ValueError(f"explain: max_paths must be a positive integer, got {max_paths!r}")
    if root.data.size != 1:
        raise ValueError(
            f"explain: root must have one element (a scalar loss), got shape "
            f"{root.data.shape}; use trace_backward for tensor graphs"
        )
    order = topological_order(root)  # parents before children, root last
    names = names_for(order if any(t is wrt for t in order) else [wrt, *order], model)
    # Which tensors lie on some path to wrt, and how many paths start at each.
    count: dict[int, int] = {}
    for t in order:
        if t is wrt:
            count[id(t)] = 1
        elif t._ctx is not None:
            count[id(t)] = sum(count.get(id(p), 0) for p in t._ctx.parents)
        else:
            count[id(t)] = 0
    total = count[id(root)]
    if total > max_paths:
        raise ValueError(
            f"explain: {total} paths lead from {names[id(root)]} to "
            f"{names[id(wrt)]}, more than max_paths={max_paths}; their number grows "
            "exponentially with depth. Use backward() for the value, or explain a "
            "smaller graph (or raise max_paths)"
        )
    on_path = [t for t in order if count[id(t)] > 0]
    for t in on_path:
        if t.data.size != 1:
            raise ValueError(
                f"explain: works on scalar graphs, but {names[id(t)]} (op "
                f"{t.op or 'leaf'}) has shape {t.data.shape}; use trace_backward "
                "for tensor graphs"
            )
    local = {id(t): _local_derivatives(t, count) for t in on_path if t._ctx is not None}

    # Enumerate paths depth-first with an explicit stack. A partial path is a linked list
    # (previous link, factor, node) shared by all paths that branch off it, so each step costs
    # O(1) and a 100,000-op chain is linear; the lists are built once, when a path reaches wrt.
    factor_of: dict[tuple[int, int], Factor] = {}  # one Factor per edge, however many paths use it
    paths: list[Path] = []
    stack: list[tuple[Any, Any]] = [(root, None)] if total else []
    while stack:
        node, link = stack.pop()
        if node is wrt:
            paths.append(_unlink(root, link))
            continue
        ctx = node._ctx
        for i in range(len(ctx.parents) - 1, -1, -1):  # pushed last first: operand 0 is explored first
            parent = ctx.parents[i]
            if count.get(id(parent), 0) == 0:
                continue
            key = (id(node), i)
            if key not in factor_of:
                factor_of[key] = _factor(node, i, local[id(node)][i], names)
            stack.append((parent, (link, factor_of[key], parent)))
    shown = {id(t) for p in paths for t in p.nodes}
    shown |= {id(q) for p in paths for t in p.nodes if t._ctx is not None for q in t._ctx.parents}
    values = [
        t for t in order if id(t) in shown and not (t._ctx is None and t.name is None and not t.requires_grad)
    ]
    if compact:
        paths = [_fold(p, names) for p in paths]
    return Explanation(root, wrt, paths, names, values)


# ----------------------------------------------------------------------------- helpers
def _unlink(root: Any, link: Any) -> Path:
    """The `Path` a linked list ``(previous, factor, node)`` ends (root side first)."""
    factors: list[Factor] = []
    nodes: list = []
    while link is not None:
        link, factor, node = link
        factors.append(factor)
        nodes.append(node)
    factors.reverse()
    nodes.reverse()
    value = 1.0
    for f in factors:
        value *= f.value
    return Path([root, *nodes], factors, value)


_BARE = re.compile(r"[^\s+−\-·/^@(),]+")  # a name that is not an expression: w1, z, ŷ, add1


def _fold(path: Path, names: dict[int, str]) -> Path:
    """``path`` with its factors that are exactly 1 by rule (``∂z/∂b = 1``: additions, the first
    operand of a subtraction) merged into a neighbour (``compact=True``).

    A factor ∂n_i/∂n_{i+1} = 1 removes one of its two nodes: the one whose name is an expression
    (not the root, not wrt), so ∂L/∂(ŷ − y) · ∂(ŷ − y)/∂ŷ becomes ∂L/∂ŷ and
    ∂z/∂(w·x) · ∂(w·x)/∂w becomes ∂z/∂w. The merged factor keeps the other factor's rule and
    value (times 1). With two named nodes the factor stays.
    """
    nodes, factors = list(path.nodes), list(path.factors)
    k = 0
    while k < len(factors):
        f = factors[k]
        if f.value != 1.0 or f.rule != "1" or len(factors) == 1:  # only an addition's 1
            k += 1
            continue
        child_bare = k == 0 or bool(_BARE.fullmatch(names[id(nodes[k])]))
        parent_bare = k == len(factors) - 1 or bool(_BARE.fullmatch(names[id(nodes[k + 1])]))
        if not child_bare:  # drop the child: merge with the factor before
            factors[k - 1 : k + 1] = [_merged(factors[k - 1], f, names, keep=factors[k - 1])]
            del nodes[k]
            k = max(k - 1, 0)
        elif not parent_bare:  # drop the parent: merge with the factor after
            factors[k : k + 2] = [_merged(f, factors[k + 1], names, keep=factors[k + 1])]
            del nodes[k + 1]
        else:
            k += 1
    return Path(nodes, factors, path.value)


def _merged(first: Factor, second: Factor, names: dict[int, str], keep: Factor) -> Factor:
    """One factor for ∂first.child/∂second.parent = first · second, with ``keep``'s rule."""
    symbol = f"∂{wrap(names[id(first.child)])}/∂{wrap(names[id(second.parent)])}"
    return Factor(
        label=f"{symbol} = {keep.rule}",
        value=first.value * second.value,
        symbol=symbol,
        rule=keep.rule,
        op=keep.op,
        child=first.child,
        parent=second.parent,
        index=second.index,
    )


def _operand_note(f: Factor) -> str:
    """ "(operand 2 of mul)" when the parent is used more than once by the op (x·x), else ""."""
    parents = f.child._ctx.parents
    if sum(p is f.parent for p in parents) < 2:
        return ""
    return f"(operand {f.index + 1} of {f.op})"


def _local_derivatives(node: Any, count: dict[int, int]) -> list[float | None]:
    """∂node/∂operand_i for every operand on a path, from the op's own backward at grad = 1."""
    ctx = node._ctx
    fn = type(ctx)
    original = ctx.needs_input_grad
    ctx.needs_input_grad = tuple(
        bool(need) or count.get(id(p), 0) > 0 for need, p in zip(original, ctx.parents, strict=True)
    )
    try:
        grads = fn.backward(ctx, np.ones_like(node.data))
    finally:
        ctx.needs_input_grad = original
    if type(grads) is not tuple:
        grads = tuple(grads) if isinstance(grads, list) else (grads,)
    return [None if g is None else float(g) if np.ndim(g) == 0 else float(np.sum(g)) for g in grads]


def _factor(node: Any, i: int, value: float | None, names: dict[int, str]) -> Factor:
    ctx = node._ctx
    fn = type(ctx)
    parent = ctx.parents[i]
    operand_names = [wrap(names[id(p)]) for p in ctx.parents]
    out = wrap(names[id(node)])
    rule = strip_double_parens(fn.rule(ctx, i, operand_names, out))
    symbol = f"∂{out}/∂{operand_names[i]}"
    if value is None:  # the op declined to differentiate this operand
        raise ValueError(f"explain: op {fn.name} returned no gradient for operand {i} ({names[id(parent)]})")
    return Factor(
        label=f"{symbol} = {rule}",
        value=value,
        symbol=symbol,
        rule=rule,
        op=fn.name,
        child=node,
        parent=parent,
        index=i,
    )


def _md(text: str) -> str:
    """Escape Markdown table/emphasis characters."""
    return re.sub(r"([|*_`\\])", r"\\\1", text)


_LATEX_WORDS = {
    "ŷ": r"\hat{y}",
    "σ": r"\sigma",
    "·": r" \cdot ",
    "−": "-",
    "²": "^{2}",
    "ᵀ": r"^{\top}",
    "λ": r"\lambda",
    "α": r"\alpha",
    "≥": r"\geq ",
    "≤": r"\leq ",
    "∂": r"\partial ",
}


def _latex(name: str) -> str:
    """A name as LaTeX: special characters escaped, trailing digits as subscripts (w1 -> w_{1})."""
    s = re.sub(
        r"([\\{}_#$%&~])",
        lambda m: {"\\": r"\backslash ", "~": r"\sim "}.get(m.group(1), "\\" + m.group(1)),
        name,
    )
    s = re.sub(r"(?<![A-Za-z0-9])([A-Za-z]+)(\d+)(?![\d.])", r"\1_{\2}", s)
    s = re.sub(r"\b(tanh|exp|ln|log)\b", r"\\\1", s)
    for k, v in _LATEX_WORDS.items():
        s = s.replace(k, v)
    return s


def _latex_number(x: float) -> str:
    """`format_number` in LaTeX: 7.4841e-05 -> 7.4841 \\times 10^{-5}."""
    text = format_number(x)
    mantissa, e, exponent = text.partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if e else text


def _latex_partial(child: str, parent: str) -> str:
    return rf"\frac{{\partial {_latex(wrap(child))}}}{{\partial {_latex(wrap(parent))}}}"

"""`compile`: a training step traced once and replayed as generated Python a student can read.

``mgx.compile(step_fn)`` takes a function of no arguments that builds a scalar loss from leaf
tensors (parameters, and input tensors whose ``.data`` you replace between calls)::

    x, y = mgx.Tensor(X), mgx.Tensor(Y)
    step = mgx.compile(lambda: mgx.mse_loss(model(x), y))
    for batch_x, batch_y in batches:
        x.data, y.data = batch_x, batch_y
        opt.zero_grad()
        loss = step()             # forward and backward, as loss = step_fn(); loss.backward()
        opt.step()
    print(step.code)              # the generated source: the chain rule of the whole network

The first call runs the step eagerly while recording every op (the *trace*), then writes one
Python function that does the same forward and backward pass with every decision that depends
only on shapes taken out of the run time: which inputs need a gradient, whether and along which
axes a broadcast gradient is summed back, dtype casts, the order gradients are added in, which
gradients must be copied. Later calls run that function. It still calls each op's own
``forward`` and ``backward`` (the same `Function` classes, so the same arithmetic: results are
bit for bit those of eager mode), makes a fresh context and a fresh `Tensor` for every op, and
keeps every intermediate's ``.grad``; the returned loss is an ordinary graph (graphs, traces and
``explain`` work on it, and a loss kept from an earlier step stays valid).

Guards: before running, the generated function checks the shape, dtype and ``requires_grad`` of
every leaf; a new signature traces again (one plan per signature, kept in `CompiledStep.plans`).
The leaves are the tensor objects the trace saw: replace their ``.data``, never rebind the names
``step_fn`` reads to other tensors (the plan would go on using the old ones).

What a trace cannot see — the generated code replays the ops the first call made:

- constants made inside the step from Python values that change (``x * lr`` with a changing
  ``lr``, numbers drawn with ``random`` or NumPy outside an op): frozen at their traced value;
- Python control flow on something other than tensor values (a counter, a global flag);
- anything else the step does besides ops on tensors (printing, counting, appending to lists).

Detected, with a `RuntimeWarning`, after which the step simply runs eagerly every time: a
tensor's values read in Python inside the step (``.data``, ``.item()``, ``bool(t)``, a
comparison, ``np.asarray(t)``: what control flow on values needs, and what cross-entropy on
class indices does), tensors created from data inside the step (``mgx.Tensor(batch)``, a NumPy
array on one side of an operator), ``.data`` assigned inside the step, ops run under
`no_grad`, ``backward()`` called inside the step, in-place changes to an intermediate result's
values, and inputs that are op results from outside the step (their graph would be cut).
"""

from __future__ import annotations

import builtins
import heapq
import itertools
import keyword
import re
import unicodedata
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import function as _function
from .autograd import _check_unchanged, seed_gradient, unbroadcast_plan
from .function import Function, _as_result_array
from .tensor import Tensor

__all__ = ["CompiledStep", "Untraceable", "compile"]


class Untraceable(Exception):
    """Raised inside tracing when a step does something a trace cannot replay (the reason)."""


class _Tracer:
    """Collects what happens during the traced call: ops, and the events that rule a trace out."""

    def __init__(self) -> None:
        self.ops: list[tuple[type[Function], tuple[Tensor, ...], dict[str, Any], Tensor, Any]] = []
        self.problem: str | None = None

    def op(self, cls: type[Function], inputs: tuple, options: dict, result: Tensor) -> None:
        if not _function._grad_enabled and self.problem is None:
            self.problem = f"the op {cls.name} ran inside no_grad()"
        copy = result._data.copy()  # to detect in-place changes to the result later
        self.ops.append((cls, inputs, options, result, copy))

    def fail(self, reason: str) -> None:
        if self.problem is None:
            self.problem = reason


def compile(step_fn: Callable[[], Tensor]) -> CompiledStep:
    """Trace ``step_fn`` once, then replay it as generated Python: see the module docstring.

    Args:
        step_fn: a function of no arguments returning a one-element loss tensor that requires
            grad, built by ops from leaf tensors (parameters; inputs whose ``.data`` the caller
            replaces between calls).

    Returns:
        A `CompiledStep`: call it to run forward and backward (``loss = step_fn();
        loss.backward()``, the same numbers bit for bit) and get the loss; ``.code`` is the
        generated source.

    Raises:
        TypeError: ``step_fn`` is not callable.
    """
    if not callable(step_fn):
        raise TypeError(f"compile: step_fn must be a function of no arguments, got {step_fn!r}")
    return CompiledStep(step_fn)


class CompiledStep:
    """A traced training step (made by `compile`): call it for one forward and backward pass.

    Attributes:
        step_fn: the function given to `compile`.
        plans: ``{signature: plan}``, one generated function per signature (every leaf's shape,
            dtype and ``requires_grad``).
        fallback: None, or why the step runs eagerly (the trace saw something it cannot replay).
    """

    def __init__(self, step_fn: Callable[[], Tensor]) -> None:
        self.step_fn = step_fn
        self.plans: dict[tuple, _Plan] = {}
        self.fallback: str | None = None
        self._last: _Plan | None = None

    @property
    def code(self) -> str | None:
        """The generated source of the plan used last (None before the first call, or eager)."""
        return None if self._last is None else self._last.source

    def __call__(self) -> Tensor:
        """Forward and backward: the loss tensor, every ``.grad`` set as ``loss.backward()`` would."""
        if not _function._grad_enabled:  # as step_fn().backward() would
            raise RuntimeError("compile: a compiled step computes gradients; it cannot run inside no_grad()")
        plan = self._last
        if plan is not None:
            _function._epoch += 1  # as a backward pass: leaves used so far are released
            loss = plan.fn(*plan.leaves)
            if loss is not None:
                return loss
            plan = self.plans.get(_signature(plan.leaves))
            if plan is not None:
                self._last = plan
                loss = plan.fn(*plan.leaves)
                if loss is not None:
                    return loss
        if self.fallback is not None:
            return self._eager()
        return self._trace()

    def _eager(self) -> Tensor:
        loss = self.step_fn()
        loss.backward()
        return loss

    def _trace(self) -> Tensor:
        tracer = _Tracer()
        previous, _function._tracer = _function._tracer, tracer
        try:
            loss = self.step_fn()
        finally:
            _function._tracer = previous
        if not isinstance(loss, Tensor):
            raise TypeError(f"compile: step_fn must return a Tensor, got {type(loss).__name__}")
        if not loss.requires_grad or loss._ctx is None:
            raise ValueError("compile: step_fn's loss does not require grad (no op of it needs a gradient)")
        if loss._data.size != 1:
            raise ValueError(f"compile: step_fn must return a one-element loss, got shape {loss.shape}")
        try:
            problem = tracer.problem or _check_ops(tracer.ops)
            if problem is not None:
                raise Untraceable(problem)
            plan = _build_plan(tracer.ops, loss)
        except Untraceable as err:
            self.fallback = str(err)
            warnings.warn(
                f"compile: this step cannot be traced ({err}); it runs eagerly instead",
                RuntimeWarning,
                stacklevel=3,
            )
            loss.backward()
            return loss
        self.plans[_signature(plan.leaves)] = plan
        self._last = plan
        return loss


def _signature(leaves: tuple[Tensor, ...]) -> tuple:
    return tuple((t._data.shape, t._data.dtype, t.requires_grad) for t in leaves)


def _check_ops(ops: list) -> str | None:
    """Why the recorded ops cannot be replayed (in-place changes, outside graphs), or None."""
    made = {id(rec[3]) for rec in ops}
    for cls, inputs, _options, result, copy in ops:
        if not (result._data.shape == copy.shape and np.array_equal(result._data, copy, equal_nan=True)):
            return f"the result of {cls.name} was changed in place"
        for p in inputs:
            if id(p) not in made and p._ctx is not None and p.requires_grad:
                return f"an input of {cls.name} is an op result from outside the step"
    return None


class _Plan:
    """One generated step: its source, the compiled function and the leaves it is called with."""

    def __init__(self, source: str, fn: Callable[..., Any], leaves: tuple[Tensor, ...]) -> None:
        self.source = source
        self.fn = fn
        self.leaves = leaves


# ---------------------------------------------------------------- run-time helpers
_order = _function._creation_order
_make = Tensor._make
_ndarray = np.ndarray


def _node(out: Any, ctx: Any, parents: tuple, needs: tuple, module: Any) -> Tensor:
    """An op's result with its context, as `Function.apply` makes it."""
    if type(out) is not _ndarray or out.dtype.kind != "f":
        out = _as_result_array(out, type(ctx).name)
    ctx.parents = parents
    ctx.needs_input_grad = needs
    ctx._seq = next(_order)
    if module is not None:
        ctx.module = module
    return _make(out, ctx)


def _leaf(out: Any, ctx: Any) -> Tensor:
    """An op's result that needs no gradient (a constant of the graph), as `Function.apply` makes it."""
    if type(out) is not _ndarray or out.dtype.kind != "f":
        out = _as_result_array(out, type(ctx).name)
    return _make(out, None)


# ---------------------------------------------------------------- code generation
_TRANSLIT = {"ŷ": "y_hat", "σ": "sigma", "·": "_", "@": "", "−": "_", "²": "2", "ᵀ": "T"}


def _identifier(name: str) -> str | None:
    """A Python identifier for a display name (``ŷ`` -> ``y_hat``, ``x@W1`` -> ``xW1``), or None."""
    for a, b in _TRANSLIT.items():
        name = name.replace(a, b)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"\W+", "_", name).strip("_")
    if not name or not name.isidentifier() or keyword.iskeyword(name) or len(name) > 16:
        return None
    return name


def _literal(value: Any) -> str | None:
    """Source text for an option value, when its repr reads back as the same value."""
    if (
        value is None
        or isinstance(value, (bool, int, float, str))
        or (
            isinstance(value, (tuple, slice))
            and all(
                v is None or isinstance(v, (bool, int, float))
                for v in (value if isinstance(value, tuple) else ())
            )
        )
    ):
        text = repr(value)
    else:
        return None
    try:
        return text if eval(text, {"slice": slice}) == value else None
    except Exception:  # pragma: no cover - a repr that does not read back
        return None


class _Writer:
    """Names and source lines of one generated function."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {}
        self.taken: set[str] = (
            set(keyword.kwlist)
            | set(dir(builtins))
            | {"node", "leaf", "ones", "array", "add_reduce", "asarray"}
        )
        self.var: dict[int, str] = {}

    def unique(self, base: str) -> str:
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}_{n}", n + 1
        self.taken.add(name)
        return name

    def constant(self, base: str, value: Any) -> str:
        """A name in the function's namespace bound to ``value`` (an op class, a module, an option)."""
        for k, v in self.namespace.items():
            if v is value and k.startswith(base):
                return k
        name = self.unique(base)
        self.namespace[name] = value
        return name

    def module(self, module: Any) -> str:
        """The name of an nn module in the namespace: ``layer1``, ``layer2``, … in order of use."""
        for k, v in self.namespace.items():
            if v is module:
                return k
        base, n = type(module).__name__.lower(), 1
        while f"{base}{n}" in self.taken:
            n += 1
        return self.constant(f"{base}{n}", module)

    def emit(self, line: str = "") -> None:
        self.lines.append(("    " + line) if line else "")


def _chain_rule_comment(ctx: Any, names: dict, node: Tensor, grads: Any) -> str:
    """``# ∂L/∂z1 = ∂L/∂a1 · 1−tanh²(z1)``: the chain-rule step of one op, from its metadata."""
    cls = type(ctx)
    grads = grads if isinstance(grads, (tuple, list)) else (grads,)
    parent_names = [names.get(p, "?") for p in ctx.parents]
    out = names.get(node, "?")
    parts = []
    for i, (p, g) in enumerate(zip(ctx.parents, grads, strict=False)):
        if g is None or not p.requires_grad:
            continue
        try:
            rule = cls.rule(ctx, i, parent_names, out)
        except ValueError:
            rule = "?"
        parts.append(f"∂L/∂{parent_names[i]} = ∂L/∂{out} · {rule}")
    return f"# {cls.name}: " + ";  ".join(parts)


def _build_plan(ops: list, loss: Tensor) -> _Plan:
    """Plan and write the step, running the traced graph's backward pass as the plan is made.

    The backward half mirrors `microgradx.autograd.run_backward` decision by decision (same heap
    order, same copies, same unbroadcast, same sums in the same order) and executes it on the
    traced graph, so this first call's gradients are eager mode's; each decision is written out
    as a line of the generated function.
    """
    from .viz.names import tensor_names  # the one naming (viz is loaded on first use)

    w = _Writer()
    names = tensor_names(loss)
    made = {id(rec[3]): rec for rec in ops}

    def ident(t: Tensor, fallback: str) -> str:
        key = id(t)
        if key not in w.var:
            base = _identifier(names.get(t, "")) or fallback
            w.var[key] = w.unique(base)
        return w.var[key]

    # Leaves: every input no traced op made (parameters, inputs, constants of the trace).
    leaves: list[Tensor] = []
    seen: set[int] = set()
    for _cls, inputs, _options, _result, _copy in ops:
        for p in inputs:
            if id(p) not in made and id(p) not in seen:
                seen.add(id(p))
                leaves.append(p)
    consts = itertools.count(1)
    leaf_names = []
    for t in leaves:
        if t._ctx is None and not t.requires_grad and t.name is None and t._data.size == 1:
            w.var[id(t)] = w.unique(f"c{next(consts)}")  # a number of the step, e.g. 1.0001
            leaf_names.append(w.var[id(t)])
        else:
            leaf_names.append(ident(t, f"leaf{len(leaf_names) + 1}"))

    w.lines.append(f"def compiled_step({', '.join(leaf_names)}):")
    w.emit('"""Generated by microgradx.compile: one forward and backward pass of the traced step."""')
    for t, n in zip(leaves, leaf_names, strict=True):
        if n.startswith("c") and n[1:].isdigit():
            w.emit(f"# {n} = {float(t._data.reshape(-1)[0])!r}, a constant of the trace")
    checks = [
        check
        for t, n in zip(leaves, leaf_names, strict=True)
        for check in (
            f"{n}._data.shape != {t._data.shape!r}",
            f"{n}._data.dtype != {w.constant(t._data.dtype.name, t._data.dtype)}",
            f"not {n}.requires_grad" if t.requires_grad else f"{n}.requires_grad",
        )
    ]
    w.emit("# Guards: the plan holds for these shapes, dtypes and requires_grad flags only")
    w.emit("# (another signature traces again).")
    w.emit("if (")
    w.emit(f"    {checks[0]}")
    for check in checks[1:]:
        w.emit(f"    or {check}")
    w.emit("):")
    w.emit("    return None")
    w.emit()
    w.emit("# Forward: each op's own forward on plain arrays; a fresh ctx and Tensor per op.")
    node_ctx: dict[int, str] = {}
    for cls, inputs, options, result, _copy in ops:
        cname = w.constant(cls.__name__, cls)
        out = ident(result, cls.name)
        ctx = w.unique(f"ctx_{out}")
        node_ctx[id(result)] = ctx
        args = ", ".join(f"{ident(p, 'in')}._data" for p in inputs)
        for key, value in options.items():
            text = _literal(value)
            args += f", {key}={text if text is not None else w.constant(f'{out}_{key}', value)}"
        rctx = result._ctx
        if names.get(result) and _identifier(names[result]) != out:
            w.emit(f"# {out} = {names[result]}")
        w.emit(f"{ctx} = {cname}.__new__({cname})")
        call = f"{cname}.forward({ctx}, {args})"
        if rctx is None:
            w.emit(f"{out} = leaf({call}, {ctx})")
        else:
            parents = ", ".join(ident(p, "in") for p in inputs) + ("," if len(inputs) == 1 else "")
            needs = repr(tuple(rctx.needs_input_grad))
            module = "None" if rctx.module is None else w.module(rctx.module)
            w.emit(f"{out} = node({call}, {ctx}, ({parents}), {needs}, {module})")
    w.namespace.update(node=_node, leaf=_leaf)

    # Backward: run the traced graph's backward pass (as run_backward does) and write it down.
    w.emit()
    w.emit("# Backward: the chain rule from L back to the leaves, in reverse creation order.")
    grad = seed_gradient(loss._data)
    shape, dtype = grad.shape, grad.dtype
    root = ident(loss, "L")
    gname = {id(loss): w.unique(f"dL_d{root}")}
    w.namespace.update(ones=np.ones, array=np.array, add_reduce=np.add.reduce, asarray=np.asarray)
    seed = "array(1.0, " if shape == () else f"ones({shape!r}, "
    w.emit(f"{gname[id(loss)]} = {seed}{w.constant(dtype.name, dtype)})")
    _function._epoch += 1
    loss._ctx.backward_runs += 1  # type: ignore[attr-defined]  # (as run_backward: what mgx.why counts)
    w.emit(
        f"{node_ctx[id(loss)]}.backward_runs += 1  # one backward pass through this graph (mgx.why counts them)"
    )
    pending: dict[Tensor, np.ndarray] = {loss: grad}
    leaves_hit: list[Tensor] = []
    stored: set[int] = set()
    heap: list[Any] = [(-loss._ctx._seq, loss)]  # type: ignore[attr-defined]
    temps = itertools.count()
    while heap:
        node = heapq.heappop(heap)[1]
        g = pending.pop(node)
        nv, gv = w.var[id(node)], gname[id(node)]
        if node.grad is not None:
            raise Untraceable(f"{nv} already had a gradient before the backward pass")
        ctx = node._ctx
        if not ctx._fresh_grads:
            raise Untraceable(
                f"{type(ctx).__name__} is a user-defined Function: its backward may return arrays it "
                f"does not own, which eager mode copies where it stores them"
            )
        w.emit()
        if id(g) in stored or id(g.base) in stored:
            g = g.copy()
            w.emit(f"{gv} = {gv}.copy()  # its array is another tensor's .grad already")
        node.grad = g
        stored.add(id(g))
        w.emit(f"{nv}.grad = {gv}")
        grads = ctx.backward(ctx, g)
        parents = ctx.parents
        single = type(grads) is not tuple and not isinstance(grads, list)
        if single:
            grads = (grads,)
        grads = tuple(grads)
        if len(grads) != len(parents):
            raise RuntimeError(
                f"{type(ctx).name}: backward returned {len(grads)} gradient(s) for {len(parents)} input(s)"
            )
        targets: list[str] = []
        after: list[str] = []
        for parent, pg in zip(parents, grads, strict=True):
            if pg is None or not parent.requires_grad:
                targets.append("_")
                continue
            pdata = parent._data
            expr = tmp = f"g{next(temps)}"
            if type(pg) is not np.ndarray:
                pg = np.asarray(pg)
                expr = f"asarray({expr})"
            if pg.shape != pdata.shape:
                plan = unbroadcast_plan(pg.shape, pdata.shape)
                if plan is None:
                    raise RuntimeError(
                        f"{type(ctx).name}: backward returned a gradient of shape {pg.shape}, which "
                        f"does not broadcast to its input's shape {pdata.shape}"
                    )
                lead, axes = plan
                if pg.ndim == len(pdata.shape) + 1 and pg.shape[1:] == pdata.shape:
                    pg = np.add.reduce(pg, 0)
                    expr = f"add_reduce({expr}, 0)"
                else:
                    if lead:
                        pg = np.add.reduce(pg, tuple(range(lead)))
                        expr = f"add_reduce({expr}, {tuple(range(lead))!r})"
                    if axes:
                        pg = np.add.reduce(pg, axes, keepdims=True)
                        expr = f"add_reduce({expr}, {axes!r}, keepdims=True)"
            if pg.dtype != pdata.dtype:
                pg = pg.astype(pdata.dtype)
                expr = f"{expr}.astype({w.constant(pdata.dtype.name, pdata.dtype)})"
            prev = pending.get(parent)
            if prev is None:
                pending[parent] = pg
                pv = gname[id(parent)] = w.unique(f"dL_d{w.var[id(parent)]}")
                if id(parent) not in made:
                    leaves_hit.append(parent)
                else:
                    heapq.heappush(heap, (-parent._ctx._seq, parent))
                if expr == tmp:
                    targets.append(pv)
                else:
                    targets.append(tmp)
                    why = (
                        f"  # summed back to {w.var[id(parent)]}'s shape {pdata.shape}"
                        if "add_reduce" in expr
                        else ""
                    )
                    after.append(f"{pv} = {expr}{why}")
            else:
                pending[parent] = prev + pg
                pv = gname[id(parent)]
                targets.append(tmp)
                after.append(f"{pv} = {pv} + {expr}  # {w.var[id(parent)]} is used more than once: sum")
        w.emit(_chain_rule_comment(ctx, names, node, grads))
        cname = w.constant(type(ctx).__name__, type(ctx))
        call = f"{cname}.backward({node_ctx[id(node)]}, {gv})"
        if single:
            w.emit(f"{targets[0]} = {call}")
        else:
            w.emit(f"{', '.join(targets)}{',' if len(targets) == 1 else ''} = {call}")
        for line in after:
            w.emit(line)
    w.emit()
    w.emit("# Leaves: add each gradient to .grad (gradients accumulate until zeroed).")
    for leaf in leaves_hit:
        g = pending[leaf]
        lv, gv = w.var[id(leaf)], gname[id(leaf)]
        alias = id(g) in stored or id(g.base) in stored
        if leaf.grad is None:
            if alias:
                g = g.copy()
            leaf.grad = g
            stored.add(id(g))
        else:
            leaf.grad += g
            stored.add(id(g))  # the generated code assumes the first write (it may copy more)
        w.emit(f"if {lv}.grad is None:")
        w.emit(f"    {lv}.grad = {gv}{'.copy()' if alias else ''}")
        w.emit("else:")
        w.emit(f"    {lv}.grad += {gv}")
    for leaf in leaves:  # as run_backward: a leaf whose .data was read keeps a copy until now
        if leaf._snap is not None:
            _check_unchanged(leaf)
    w.emit(f"return {root}")
    source = "\n".join(w.lines) + "\n"
    namespace = dict(w.namespace)
    exec(builtins.compile(source, "<microgradx.compile>", "exec"), namespace)
    return _Plan(source, namespace["compiled_step"], tuple(leaves))

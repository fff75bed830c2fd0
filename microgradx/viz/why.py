"""Why is a gradient zero, None, not finite or tiny? `why(root, wrt)` names the cause and the fix.

A student whose ``w.grad`` is 0 or None asks one question, and there are few answers. `why`
checks them in this order and returns the first that holds, as a `Diagnosis`:

1. ``"not-connected"``: ``wrt`` is not in the graph of ``root`` (or every op on the way passes
   it no gradient), so ∂root/∂wrt is 0 and ``backward`` never writes ``wrt.grad``.
2. ``"not-requires-grad"``: ``wrt`` is in the graph but is a constant (``requires_grad=False``,
   or made under `no_grad` or by ``detach()``); or ``root`` itself records no graph.
3. ``"no-backward"``: ``backward()`` was never run on ``root`` (or ``wrt.grad`` was reset by
   ``zero_grad()`` after it).
4. ``"non-finite-forward"``: the forward pass made inf/NaN: the first op (in the one topological
   order, `microgradx.autograd.topological_order`) whose output is not finite while its inputs
   are, its inputs and its formula.
5. ``"non-finite-backward"``: the forward pass is finite but the backward pass is not: the first
   op (in the order backward runs) that turned a finite gradient into inf/NaN, its inputs and the
   local derivative's rule.
6. ``"accumulated-twice"``: ``wrt.grad`` is not what one backward pass gives: backward ran more
   than once (on this graph, or on others using ``wrt``) without zeroing, and the passes added up.
7. ``"blocked-by-relu"``: the gradient is exactly 0 and every path from ``wrt`` to ``root`` runs
   through a ReLU whose input z is ≤ 0 everywhere (a dead ReLU, `diagnostics.measures.dead_units`).
8. ``"vanished"``: the gradient is not 0 but below `VANISHED_GRADIENT` (1e-6) everywhere
   (`diagnostics.measures.vanished`); the evidence is the saturating activations on its paths
   (sigmoid, tanh) and their small local derivatives, or the ops where it shrinks most.
9. ``"ok"``: none of these: ``wrt.grad`` is the true derivative (a zero one is explained too).

Why this order: each check assumes the earlier ones passed. A tensor outside the graph, or a
constant, gets no gradient however backward is run (1, 2), so running backward is not yet the
fix; without a backward pass there is no gradient to judge (3); an inf or NaN makes every later
comparison meaningless, and a forward one causes the backward one (4 before 5); a gradient that
holds several passes must be judged by what one pass gives (6, compared first); zero (7), tiny
(8) and fine (9) are judged on one pass's gradient.

To judge, `why` runs one backward pass of its own with every ``.grad`` set aside (the engine's
own pass, recorded as `trace_backward` records it) and puts everything back afterwards: no
``.grad``, no backward counter and no in-place-change check changes. How often backward started
at ``root`` is counted by the engine itself (`microgradx.autograd.run_backward` adds 1 to the
root's ``ctx.backward_runs``, once per pass, outside its loop).

Names are those of `microgradx.viz.names.tensor_names`, numbers are formatted by
`microgradx.formatting`, formulas and derivative rules are the op classes' own metadata, and
"dead", "saturated" and "vanished" are the definitions of `microgradx.diagnostics.measures`.

    >>> import microgradx as mgx
    >>> w = mgx.Tensor(0.5, requires_grad=True, name="w")
    >>> z = w * 2 - 5; z.name = "z"
    >>> L = z.relu(); L.name = "L"
    >>> L.backward()
    >>> d = why(L, w)
    >>> d.verdict, [e.name for e in d.evidence]
    ('blocked-by-relu', ['L'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..activations import ReLU
from ..autograd import isolated_backward, run_backward, topological_order
from ..diagnostics import measures
from ..formatting import fmt, shaped
from ..function import NO_FORMULA
from ..tensor import Tensor
from .names import strip_double_parens, tensor_names, wrap

__all__ = ["VERDICTS", "Diagnosis", "Evidence", "why"]

#: The verdicts, in the order `why` checks them (the module doc says why).
VERDICTS = (
    "not-connected",
    "not-requires-grad",
    "no-backward",
    "non-finite-forward",
    "non-finite-backward",
    "accumulated-twice",
    "blocked-by-relu",
    "vanished",
    "ok",
)

#: The threshold of "vanished" (`microgradx.diagnostics.measures.VANISHED_GRADIENT`).
VANISHED_GRADIENT = measures.VANISHED_GRADIENT


@dataclass(frozen=True)
class Evidence:
    """One tensor a `Diagnosis` cites.

    Attributes:
        name: its display name (`tensor_names`).
        role: what it shows, e.g. ``"ReLU output, its input z1 ≤ 0"``.
        numbers: the relevant values by label (``{"z1": -3.9}``): floats or arrays.
        tensor: the tensor itself.
    """

    name: str
    role: str
    numbers: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    tensor: Any = field(default=None, repr=False, compare=False, hash=False)

    def __str__(self) -> str:
        values = ", ".join(f"{k} = {_num(v)}" for k, v in self.numbers.items())
        return f"{self.name}: {self.role}" + (f" ({values})" if values else "")


@dataclass(frozen=True)
class Diagnosis:
    """Why ∂root/∂wrt is what it is.

    Attributes:
        verdict: one of `VERDICTS`.
        evidence: the tensors involved (`Evidence`: name, role, numbers), most telling first.
        text: a short paragraph with the numbers and the fix (what ``str()`` returns).
        fix: the fix alone.
        gradient: ∂root/∂wrt as one backward pass gives it (None where none arrives).
        root, wrt: the tensors asked about.
    """

    verdict: str
    evidence: tuple[Evidence, ...]
    text: str
    fix: str
    gradient: Any = field(default=None, repr=False, compare=False)
    root: Any = field(default=None, repr=False, compare=False)
    wrt: Any = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return self.text


def why(root: Any, wrt: Any, *, model: Any = None) -> Diagnosis:
    """Explain why ``wrt``'s gradient (of ``root``) is zero, None, not finite or tiny — or that it is fine.

    Args:
        root: the tensor that was (or should have been) differentiated, a loss say.
        wrt: the tensor whose gradient is in question (a parameter, usually).
        model: an `nn.Module` to name parameters by (as for `trace_backward`).

    Returns:
        A `Diagnosis`: ``.verdict`` (one of `VERDICTS`, checked in the order of the module doc),
        ``.evidence`` (the tensors involved, with their names and numbers) and ``str()`` (a short
        paragraph with the numbers and the fix). No ``.grad`` changes.

    Raises:
        TypeError: ``root`` or ``wrt`` is not a Tensor.
        RuntimeError: as ``root.backward()`` would (a leaf changed in place since the forward pass).

    For a root with more than one element, one backward pass is fed the gradient the earlier
    passes were given on average (``root.grad`` / number of passes), or ones when there was none.
    """
    for arg, t in (("root", root), ("wrt", wrt)):
        if not isinstance(t, Tensor):
            raise TypeError(f"why: {arg} must be a Tensor, got {type(t).__name__}")
    order = topological_order(root)
    names = tensor_names(root, model=model)
    if wrt not in names:
        names[wrt] = tensor_names(wrt, model=model)[wrt]
    ask = _Question(root, wrt, order, names)
    return ask.not_connected() or ask.not_requires_grad() or ask.probe_and_judge()


# ----------------------------------------------------------------------------- the checks
class _Question:
    """The facts `why` needs about one (root, wrt) pair, and one method per group of verdicts."""

    def __init__(self, root: Any, wrt: Any, order: list, names: dict) -> None:
        self.root, self.wrt, self.order, self.names = root, wrt, order, names
        self.L, self.w = names[root], names[wrt]
        self.wg = f"{wrap(self.w)}.grad"  # ∂L/∂w as the student reads it: (ŷ − y).grad
        self.Lb = f"{wrap(self.L)}.backward()"
        self.dL_dw = f"∂{wrap(self.L)}/∂{wrap(self.w)}"
        self.in_graph = any(t is wrt for t in order)
        # Tensors on a path from wrt to root: wrt, and every op result with an input on one.
        on: set[int] = {id(wrt)} if self.in_graph else set()
        for t in order:
            if t._ctx is not None and any(id(p) in on for p in t._ctx.parents):
                on.add(id(t))
        self.on_path = on
        self.steps: list[tuple[Any, np.ndarray, list]] = []  # the probe's pass, as backward ran
        self.grad: np.ndarray | None = None  # ∂root/∂wrt from one pass (the probe)
        self.runs: int | None = None  # backward passes started at root before (None: a leaf root)

    def diagnosis(self, verdict: str, evidence: list[Evidence], text: str, fix: str) -> Diagnosis:
        return Diagnosis(
            verdict, tuple(evidence), f"{verdict}: {text} Fix: {fix}", fix, self.grad, self.root, self.wrt
        )

    def evidence(self, t: Any, role: str, numbers: dict[str, Any] | None = None) -> Evidence:
        """Cite ``t``; one-element arrays among ``numbers`` become floats."""
        shown = {
            k: v if v is None or np.size(v) != 1 else float(np.reshape(v, -1)[0])
            for k, v in (numbers or {}).items()
        }
        return Evidence(self.names[t], role, shown, t)

    # 1 ----------------------------------------------------------------------------------
    def not_connected(self) -> Diagnosis | None:
        root, wrt = self.root, self.wrt
        if self.in_graph or (root._ctx is None and not root.requires_grad):
            return None  # in the graph; or the root records no graph at all (check 2)
        leaves = [self.names[t] for t in self.order if t._ctx is None and t.requires_grad]
        depends = (
            ", ".join(leaves[:6]) + (", …" if len(leaves) > 6 else "")
            if leaves
            else "nothing that requires grad"
        )
        return self.diagnosis(
            "not-connected",
            [
                self.evidence(wrt, "not in the graph of " + self.L, {"grad": wrt.grad}),
                self.evidence(root, "the root"),
            ],
            f"{self.w} is not one of the {len(self.order)} tensors {self.L} was computed from, so "
            f"{self.dL_dw} = 0 and {self.Lb} never writes {self.wg} (it is "
            f"{_num(wrt.grad)}). {self.L} depends on: {depends}.",
            f"compute {self.L} from {self.w} itself. A tensor that went through detach() or no_grad() "
            f"on the way, or a new tensor made by `{self.w} = {self.w} - lr * {self.wg}`, is not "
            f"the one the graph holds: update {self.w}.data in place (inside no_grad()) instead.",
        )

    def _passes_nothing(self) -> Diagnosis | None:
        """Check 1 for a tensor that is in the graph but receives no gradient (an op returned None)."""
        if self.grad is not None or self.wrt is self.root:
            return None
        stoppers = [
            (node, parent)
            for node, _, passed in self.steps
            for parent, g in passed
            if g is None and id(parent) in self.on_path
        ]
        evidence = [
            self.evidence(node, f"{node.op} passes no gradient to {self.names[p]}") for node, p in stoppers
        ]
        where = ", ".join(f"{e.name} ({e.role})" for e in evidence) or "no op on the way"
        return self.diagnosis(
            "not-connected",
            evidence,
            f"{self.w} is in the graph of {self.L}, but no gradient reaches it: {where}. So "
            f"{self.wg} stays {_num(self.wrt.grad)}.",
            "an op whose backward returns None for an input treats it as a constant; return its "
            "gradient from that Function's backward if the input should learn.",
        )

    # 2 ----------------------------------------------------------------------------------
    def not_requires_grad(self) -> Diagnosis | None:
        root, wrt = self.root, self.wrt
        if root._ctx is None and not root.requires_grad:  # the root itself records no graph
            which, role = root, "records no graph (requires_grad=False)"
            text = (
                f"{self.L} does not require grad: it was computed inside no_grad(), or only from "
                f"tensors with requires_grad=False, so it has no graph, {self.Lb} raises "
                f"and no gradient reaches {self.w}."
            )
            fix = f"compute {self.L} outside no_grad(), from parameters made with requires_grad=True."
        elif not wrt.requires_grad:
            which, role = wrt, "a constant (requires_grad=False)"
            text = (
                f"{self.w} is in the graph of {self.L} but does not require grad: it is a constant "
                f"(made with requires_grad=False), or was computed inside no_grad() or by detach(), so "
                f"backward treats it as a fixed number and {self.wg} stays {_num(wrt.grad)}."
            )
            fix = (
                "make it with mgx.Tensor(..., requires_grad=True) (nn parameters are), or compute it "
                "outside no_grad() and without detach()."
            )
        else:
            return None
        return self.diagnosis(
            "not-requires-grad", [self.evidence(which, role, {"value": which.data})], text, fix
        )

    # 3-9 --------------------------------------------------------------------------------
    def probe_and_judge(self) -> Diagnosis:
        self.runs = self._probe()
        return (
            self._passes_nothing()
            or self.no_backward()
            or self.non_finite_forward()
            or self.non_finite_backward()
            or self.accumulated()
            or self.blocked_by_relu()
            or self.vanished()
            or self.ok()
        )

    def _probe(self) -> int | None:
        """Run one recorded backward pass with every .grad set aside; put everything back.

        Returns how many passes had started at root before (None for a leaf root).
        """
        root = self.root
        ctx = root._ctx
        runs = None if ctx is None else ctx.backward_runs
        seed = None
        if root.data.size != 1:
            seed = np.ones_like(root.data)
            if root.grad is not None and runs:
                seed = np.asarray(root.grad) / runs

        def record(node: Any, upstream: np.ndarray, passed: list) -> None:
            self.steps.append(
                (node, upstream.copy(), [(p, None if g is None else g.copy()) for p, g in passed])
            )

        with isolated_backward(root), np.errstate(all="ignore"):
            run_backward(root, seed, record=record)
            self.grad = self.wrt.grad
        return runs

    def _ran(self) -> str:
        """How many backward passes started at root (a leaf root keeps no count)."""
        if self.runs is None:
            return f"{self.L} is a leaf: its passes are not counted"
        return f"backward ran {self.runs} time(s) from {self.L}"

    def no_backward(self) -> Diagnosis | None:
        wrt, have = self.wrt, self.wrt.grad
        runs = self.runs if self.runs is not None else (0 if self.root.grad is None else 1)
        ev = [
            self.evidence(self.root, self._ran()),
            self.evidence(wrt, "asked about", {"grad": have}),
        ]
        fix = f"call {self.Lb} (after zero_grad(), so old gradients do not add up), then read {self.wg}."
        if runs == 0:
            left = (
                f"{self.wg} is still None"
                if have is None
                else f"{self.wg} = {_num(have)} comes from a backward pass of another root, not of {self.L}"
            )
            return self.diagnosis("no-backward", ev, f"{self.Lb} was never run, so {left}.", fix)
        assert self.grad is not None
        if have is None or (not np.any(have) and np.any(self.grad)):
            now = "None" if have is None else "all 0"
            return self.diagnosis(
                "no-backward",
                ev,
                f"backward ran {runs} time(s) from {self.L}, but {self.wg} was reset to {now} "
                f"afterwards (zero_grad()) and backward has not run since; one pass gives "
                f"{self.dL_dw} = {_num(self.grad)}.",
                fix,
            )
        return None

    def non_finite_forward(self) -> Diagnosis | None:
        assert self.grad is not None
        if np.all(np.isfinite(self.root.data)) and np.all(np.isfinite(self.grad)):
            return None
        for t in self.order:
            if np.all(np.isfinite(t.data)):
                continue
            if t._ctx is None:
                return self.diagnosis(
                    "non-finite-forward",
                    [self.evidence(t, "an input with inf/NaN", {"value": t.data})],
                    f"the input {self.names[t]} already holds inf or NaN ({_num(t.data)}), so "
                    f"everything computed from it, {self.L} = {_num(self.root.data)} included, is "
                    f"not finite, and so is {self.dL_dw} = {_num(self.grad)}.",
                    f"clean the data: check np.isfinite({self.names[t]}.data).all() before training.",
                )
            ctx = t._ctx  # the first non-finite tensor in topological order: its inputs are finite
            fn = type(ctx)
            args = [wrap(self.names[p]) for p in ctx.parents]
            inputs = ", ".join(f"{self.names[p]} = {_num(p.data)}" for p in ctx.parents)
            return self.diagnosis(
                "non-finite-forward",
                [self.evidence(t, f"first op with a non-finite output ({fn.name})", {"value": t.data})]
                + [self.evidence(p, f"input of {fn.name}", {"value": p.data}) for p in ctx.parents],
                f"the forward pass is not finite. The first op to produce inf/NaN (in topological "
                f"order) is {fn.name}: {_defined(self.names[t], _formula(fn, ctx, args))} = {_num(t.data)} "
                f"from {inputs}. Everything computed from it is not finite: {self.L} = "
                f"{_num(self.root.data)}, {self.dL_dw} = {_num(self.grad)}.",
                _DOMAIN_FIX.get(fn.name, f"keep the inputs of {fn.name} where it is finite")
                + "; check the data and the learning rate (a diverging step makes huge values).",
            )
        return None  # the forward pass is finite: the backward pass made the inf/NaN (check 5)

    def non_finite_backward(self) -> Diagnosis | None:
        assert self.grad is not None
        if np.all(np.isfinite(self.grad)):
            return None
        for node, upstream, passed in self.steps:
            if not np.all(np.isfinite(upstream)):
                if node is self.root:
                    return self.diagnosis(
                        "non-finite-backward",
                        [
                            self.evidence(
                                node, "the root, seeded with a non-finite gradient", {"upstream": upstream}
                            )
                        ],
                        f"the gradient given to {self.Lb} is not finite ({_num(upstream)}).",
                        "pass a finite gradient= to backward().",
                    )
                continue
            for i, (parent, g) in enumerate(passed):
                if g is None or id(parent) not in self.on_path or np.all(np.isfinite(g)):
                    continue
                ctx = node._ctx
                fn = type(ctx)
                args = [wrap(self.names[p]) for p in ctx.parents]
                out = wrap(self.names[node])
                rule = strip_double_parens(fn.rule(ctx, i, args, out))
                symbol = f"∂{out}/∂{args[i]}"
                return self.diagnosis(
                    "non-finite-backward",
                    [
                        self.evidence(
                            node,
                            f"first op with a non-finite gradient ({fn.name})",
                            {"upstream": upstream, "passed": g},
                        )
                    ]
                    + [self.evidence(p, f"input of {fn.name}", {"value": p.data}) for p in ctx.parents],
                    f"the forward pass is finite, the backward pass is not. The first op to turn a "
                    f"finite gradient into inf/NaN is {fn.name}: "
                    f"{_defined(self.names[node], _formula(fn, ctx, args))} with {self.names[parent]} = "
                    f"{_num(parent.data)}; "
                    f"its local derivative {symbol} = {rule} is not finite there, so the upstream "
                    f"∂{wrap(self.L)}/∂{out} = {_num(upstream)} becomes {_num(g)} and "
                    f"{self.dL_dw} = {_num(self.grad)}.",
                    f"keep {self.names[parent]} away from where {rule} is infinite or undefined "
                    f"(add a small ε, or clip it).",
                )
        return None  # pragma: no cover  (a non-finite gradient has a first op that made it)

    def accumulated(self) -> Diagnosis | None:
        have, one = self.wrt.grad, self.grad
        assert have is not None
        assert one is not None
        rtol = 1e-9 if np.asarray(one).dtype == np.float64 else 1e-4
        scale = float(np.max(np.abs(one))) if np.size(one) else 0.0
        if np.allclose(have, one, rtol=rtol, atol=rtol * scale):
            return None
        runs = self.runs or 0
        have_a, one_a = np.asarray(have), np.asarray(one)
        nonzero = one_a != 0
        k = float(np.median(have_a[nonzero] / one_a[nonzero])) if nonzero.any() else 0.0
        n = round(k) if np.isfinite(k) else 0
        multiple = n >= 2 and np.allclose(have_a, n * one_a, rtol=1e-6, atol=rtol * scale)
        ev = [
            self.evidence(self.wrt, "holds more than one backward pass", {"grad": have, "one pass": one}),
            self.evidence(self.root, self._ran()),
        ]
        fix = (
            f"zero the gradients before each backward(): optimizer.zero_grad() or model.zero_grad() "
            f"(or {self.wg} = None); they accumulate (+=) across calls by design."
        )
        if multiple and runs == n:  # the counter and the values agree: n passes of this root
            if np.size(one) == 1:
                value = f"{self.wg} = {_num(have)} = {n} × {_factor(one)}, the gradient of one pass."
            else:
                value = f"{self.wg} = {n} × the gradient of one pass ({_num(have)}, one pass {_num(one)})."
            text = (
                f"backward ran {runs} times from {self.L} without zeroing, and the passes added up: {value}"
            )
        else:
            text = (
                f"{self.wg} = {_num(have)}, but one backward pass of {self.L} gives {self.dL_dw} = "
                f"{_num(one)}: {self.wg} holds gradients of earlier backward passes that were never "
                f"zeroed ({self._ran()}; passes from other roots computed "
                f"from {self.w} add up too) — or {self.w}'s values were changed in place since (an "
                f"optimizer step), so this graph no longer matches them."
            )
            fix += " After an optimizer step, run the forward pass again before asking."
        return self.diagnosis("accumulated-twice", ev, text, fix)

    def blocked_by_relu(self) -> Diagnosis | None:
        one = self.grad
        assert one is not None
        if np.any(one != 0) or self.wrt is self.root:
            return None
        dead = [
            t
            for t in self.order
            if id(t) in self.on_path
            and type(t._ctx) is ReLU
            and bool(measures.dead_units(t._ctx.parents[0].data).all())
        ]
        if not dead or self._reaches(blocked={id(t) for t in dead}):
            return None
        evidence = []
        parts = []
        for t in dead:
            z = t._ctx.parents[0]
            zname = self.names[z]
            evidence.append(
                self.evidence(t, f"ReLU output, its input {zname} ≤ 0 everywhere", {zname: z.data})
            )
            where = (
                f"{zname} = {_num(z.data)}"
                if z.data.size == 1
                else f"{zname} ≤ 0 on all {z.data.size} elements (max {_num(z.data.max())})"
            )
            parts.append(f"{_defined(self.names[t], _formula(ReLU, t._ctx, [wrap(zname)]))} with {where}")
        z0 = wrap(self.names[dead[0]._ctx.parents[0]])
        rule = ReLU.rule(dead[0]._ctx, 0, [z0], wrap(self.names[dead[0]]))
        return self.diagnosis(
            "blocked-by-relu",
            evidence,
            f"every path from {self.w} to {self.L} runs through a ReLU whose input is ≤ 0: "
            f"{'; '.join(parts)}. There ReLU′({z0}) = ({rule}) = 0, so nothing passes back: "
            f"{self.dL_dw} = {_zero(one)}, exactly (a dead ReLU).",
            "move z above 0 where the data is: a less negative bias, He initialization "
            "(init='he_uniform'), a smaller learning rate; or use leaky_relu or elu, whose slope "
            "is not 0 for z < 0.",
        )

    def _reaches(self, blocked: set[int]) -> bool:
        """Does a path from wrt reach root avoiding the ``blocked`` tensors?"""
        on: set[int] = {id(self.wrt)}
        for t in self.order:
            if id(t) not in blocked and t._ctx is not None and any(id(p) in on for p in t._ctx.parents):
                on.add(id(t))
        return id(self.root) in on

    def vanished(self) -> Diagnosis | None:
        one = self.grad
        if one is None or not measures.vanished(one):
            return None
        peak = float(np.max(np.abs(one)))
        found = []  # (largest local derivative on the node, node, its input's value there)
        for t in self.order:
            if id(t) not in self.on_path or t._ctx is None or t.op not in measures.SATURATING:
                continue
            local = np.abs(_local(t))
            j = int(np.argmax(local))
            found.append((float(local.reshape(-1)[j]), t, float(t._ctx.parents[0].data.reshape(-1)[j])))
        found.sort(key=lambda f: f[0])
        head = f"{self.dL_dw} is not 0 but tiny: max |{self.dL_dw}| = {_num(peak)} < {VANISHED_GRADIENT:g}."
        if found:
            evidence, parts = [], []
            n_sat = 0
            for slope, t, z in found:
                fn = type(t._ctx)
                zname = self.names[t._ctx.parents[0]]
                sat = bool(measures.saturated(t.data, fn.name).all())
                n_sat += sat
                evidence.append(
                    self.evidence(
                        t, f"{fn.name} {'saturated' if sat else 'output'}", {f"{fn.symbol}′": slope, zname: z}
                    )
                )
                if t.data.size == 1:
                    parts.append(f"{self.names[t]}: {fn.symbol}′({_num(z)}) = {_num(slope)}")
                else:
                    parts.append(
                        f"{self.names[t]}: {fn.symbol}′ ≤ {_num(slope)} (its largest, at {zname} = {_num(z)})"
                    )
            product = ""
            if all(t.data.size == 1 for _, t, _ in found) and len(found) > 1:
                product = f"; together a factor {_num(float(np.prod([s for s, _, _ in found])))}"
            text = (
                f"{head} Its smallest local derivatives come from saturating activations on its paths: "
                f"{', '.join(parts)}{product} — {n_sat} of {len(found)} saturated (slope below "
                f"{measures.SATURATION_LEVEL:.0%} of its peak)."
            )
            fix = (
                "keep z near 0, where σ′ and tanh′ are largest: normalize the inputs, use smaller "
                "initial weights (init='xavier_uniform'), fewer sigmoid/tanh layers, or relu-family "
                "activations in the hidden layers."
            )
            return self.diagnosis("vanished", evidence, text, fix)
        shrink = self._shrinking_ops()
        evidence = [
            self.evidence(node, f"{node.op} scales the gradient by {_num(r)}", {"factor": r})
            for r, node in shrink
        ]
        where = ", ".join(
            f"{e.name} ({node.op}, × {_num(r)})" for e, (r, node) in zip(evidence, shrink, strict=True)
        )
        return self.diagnosis(
            "vanished",
            evidence,
            f"{head} No sigmoid or tanh is on its paths; it shrinks most at: {where or 'no single op'}.",
            "rescale what multiplies it there (inputs, weights or constants) so the factors are near 1.",
        )

    def _shrinking_ops(self) -> list[tuple[float, Any]]:
        """The (at most 3) ops on the paths that shrink the gradient most: max|passed| / max|upstream|."""
        out = []
        for node, upstream, passed in self.steps:
            up = float(np.max(np.abs(upstream))) if upstream.size else 0.0
            if id(node) not in self.on_path or up == 0:
                continue
            for parent, g in passed:
                if g is not None and id(parent) in self.on_path:
                    out.append((float(np.max(np.abs(g))) / up, node))
        out.sort(key=lambda f: f[0])
        return [f for f in out if f[0] < 1][:3]

    def ok(self) -> Diagnosis:
        one = self.grad
        assert one is not None
        ev = [self.evidence(self.wrt, "its gradient", {"grad": one})]
        if np.any(one != 0) or self.wrt is self.root:
            text = (
                f"{self.wg} = {_num(one)} is what one backward pass of {self.L} gives; "
                f"nothing blocks, cuts or accumulates it (max |{self.dL_dw}| = "
                f"{_num(float(np.max(np.abs(one))))})."
            )
            return self.diagnosis("ok", ev, text, "none needed.")
        stop = self._zeroing_op()
        if stop is not None:
            node, i = stop
            ctx = node._ctx
            args = [wrap(self.names[p]) for p in ctx.parents]
            rule = strip_double_parens(type(ctx).rule(ctx, i, args, wrap(self.names[node])))
            ev.append(self.evidence(node, f"{node.op}: its local derivative is 0 here", {"value": node.data}))
            how = f"the gradient stops at {self.names[node]} ({node.op}), whose local derivative ∂{wrap(self.names[node])}/∂{args[i]} = {rule} is 0 here"
        else:
            how = "the contributions of its paths cancel"
        text = f"{self.dL_dw} = {_zero(one)}, exactly, and that is the true derivative: {how} (no dead ReLU is to blame)."
        return self.diagnosis("ok", ev, text, "none needed: the loss does not change with it here.")

    def _zeroing_op(self) -> tuple[Any, int] | None:
        """The first op (as backward runs) that passes 0 to an input on the paths from a nonzero upstream."""
        for node, upstream, passed in self.steps:
            if id(node) not in self.on_path or not np.any(upstream != 0):
                continue
            for i, (parent, g) in enumerate(passed):
                if g is not None and id(parent) in self.on_path and not np.any(g != 0):
                    return node, i
        return None


# ----------------------------------------------------------------------------- helpers
#: How to stay in an op's domain, for the ops whose forward can produce inf/NaN from finite inputs.
_DOMAIN_FIX = {
    "log": "keep the input of log above 0 (log(x + ε), or clip it)",
    "div": "keep the divisor away from 0 (add a small ε)",
    "exp": "exp overflows above about 709 (float64): scale the input down, or use a stable form "
    "such as log_softmax or binary_cross_entropy_with_logits",
    "pow": "a negative base with a fractional exponent, or 0 to a negative power, is not finite: "
    "keep the base in the domain",
    "sqrt": "keep the input of sqrt at or above 0",
    "matmul": "the products overflow: scale the inputs or weights down",
    "mul": "the product overflows, or multiplies 0 by inf: scale the inputs down",
}


def _num(x: Any) -> str:
    """A number as `microgradx.formatting.fmt` writes it (``-3.9000``, ``3.02e-04``, exactly 0 as
    ``0``), an array as `microgradx.formatting.shaped` summarises it, None as ``None``."""
    if x is None:
        return "None"
    a = np.asarray(x)
    return fmt(float(a.reshape(-1)[0])) if a.size == 1 else shaped(a)


def _zero(x: Any) -> str:
    """An all-zero gradient as text: ``0``, or ``0 in all 6 entries``."""
    size = np.size(x)
    return "0" if size == 1 else f"0 in all {size} entries"


def _factor(x: Any) -> str:
    """`_num`, in parentheses when it is a negative number (a factor of a product)."""
    text = _num(x)
    return f"({text})" if text.startswith("-") else text


def _defined(name: str, formula: str) -> str:
    """``a1 = max(0, z1)``; just the name when it is the formula already (``√(w)`` for ``√w``)."""
    same = name.replace("(", "").replace(")", "").replace(" ", "") == formula.replace("(", "").replace(
        ")", ""
    ).replace(" ", "")
    return name if same else f"{name} = {formula}"


def _formula(fn: Any, ctx: Any, args: list[str]) -> str:
    """The op's forward as text over its inputs' names (its class's ``formula``)."""
    if not fn.formula:
        return f"{fn.name}({', '.join(args)})"
    try:
        return strip_double_parens(fn.formula.format(*args, ctx=ctx))
    except (IndexError, KeyError, AttributeError):
        return f"{fn.name}({', '.join(args)}) {NO_FORMULA}"


def _local(t: Any) -> np.ndarray:
    """An elementwise op's local derivative ∂t/∂input at every element: its backward at grad = 1."""
    ctx = t._ctx
    g = type(ctx).backward(ctx, np.ones_like(t.data))
    g = g[0] if isinstance(g, (tuple, list)) else g
    return np.broadcast_to(np.asarray(g, dtype=np.float64), t.data.shape)

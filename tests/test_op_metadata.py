"""Op metadata (symbol, notation, commutativity, hyper-parameters, derivative text) pins what students see.

`GOLDEN` holds, for every built-in op, the expression it is called by (`viz.names`) and the
local-derivative text `trace_backward` and `explain` print, as exact strings. Change tanh's
``1−tanh²`` to ``1−tanh`` (or σ's symbol, or which ops are commutative) and a test here fails.
A new op needs a row: the registry must equal this table.
"""

import numpy as np
import pytest

import microgradx as mgx
from microgradx.function import NO_FORMULA, Function, registry
from microgradx.viz.names import tensor_names


def _x(shape=()):
    return mgx.Tensor(np.full(shape, 0.5), requires_grad=True, name="x")


def _y(shape=(), value=0.25):
    return mgx.Tensor(np.full(shape, value), requires_grad=True, name="y")


# op name -> (how to make it from tensors named x and y, its expression, its local-derivative texts)
GOLDEN = {
    "add": (lambda: _x() + _y(), "x + y", ["∂out/∂x = 1", "∂out/∂y = 1"]),
    "sub": (lambda: _x() - _y(), "x − y", ["∂out/∂x = 1", "∂out/∂y = −1"]),
    "mul": (lambda: _x() * _y(), "x·y", ["∂out/∂x = y", "∂out/∂y = x"]),
    "div": (lambda: _x() / _y(), "x/y", ["∂out/∂x = 1/y", "∂out/∂y = −x/y²"]),
    "pow": (lambda: _x() ** _y(), "x^y", ["∂out/∂x = y·x^(y−1)", "∂out/∂y = out·ln x"]),
    "neg": (lambda: -_x(), "−x", ["∂out/∂x = −1"]),
    "matmul": (lambda: _x((2, 3)) @ _y((3, 2)), "x@y", ["∂out/∂x = yᵀ", "∂out/∂y = xᵀ"]),
    "sum": (lambda: _x((3,)).sum(), "sum(x)", ["∂out/∂x = 1"]),
    "mean": (lambda: _x((4,)).mean(), "mean(x)", ["∂out/∂x = 1/4"]),
    "exp": (lambda: _x().exp(), "exp(x)", ["∂out/∂x = exp(x)"]),
    "log": (lambda: _x().log(), "log(x)", ["∂out/∂x = 1/x"]),
    "reshape": (lambda: _x((2, 2)).reshape(4), "reshape(x)", ["∂out/∂x = 1"]),
    "transpose": (lambda: _x((2, 3)).T, "transpose(x)", ["∂out/∂x = 1"]),
    "getitem": (
        lambda: _x((3,))[1:],
        "getitem(x)",
        ["∂out/∂x = 1 at the selected elements, 0 elsewhere"],
    ),
    "sigmoid": (lambda: _x().sigmoid(), "σ(x)", ["∂out/∂x = σ(x)(1−σ(x))"]),
    "tanh": (lambda: _x().tanh(), "tanh(x)", ["∂out/∂x = 1−tanh²(x)"]),
    "relu": (lambda: _x().relu(), "relu(x)", ["∂out/∂x = 1 if x > 0 else 0"]),
    "leaky_relu": (lambda: _x().leaky_relu(0.2), "leaky_relu(x)", ["∂out/∂x = 1 if x > 0 else 0.2"]),
    "prelu": (
        lambda: mgx.prelu(_x((2,)), _y((1,))),
        "prelu(x, y)",
        ["∂out/∂x = 1 if x > 0 else y", "∂out/∂y = 0 if x > 0 else x"],
    ),
    "elu": (lambda: _x().elu(alpha=0.5), "elu(x)", ["∂out/∂x = 1 if x > 0 else 0.5·exp(x)"]),
    "selu": (lambda: _x().selu(), "selu(x)", ["∂out/∂x = λ if x > 0 else λ·α·exp(x)"]),
    "mse_loss": (
        lambda: mgx.mse_loss(_x((2,)), _y((2,))),
        "L",
        ["∂out/∂x = 2(x−y)/n", "∂out/∂y = −2(x−y)/n"],
    ),
    "binary_cross_entropy": (
        lambda: mgx.binary_cross_entropy(_x((2,)), _y((2,))),
        "L",  # an unnamed loss at the root is the notes' L (viz.names)
        ["∂out/∂x = (x−y)/(x(1−x))/n", "∂out/∂y = (ln(1−x) − ln x)/n"],
    ),
    "binary_cross_entropy_with_logits": (
        lambda: mgx.binary_cross_entropy_with_logits(_x((2,)), _y((2,))),
        "L",
        ["∂out/∂x = (σ(x)−y)/n", "∂out/∂y = −x/n"],
    ),
    "abs": (lambda: abs(_x()), "abs(x)", ["∂out/∂x = sign(x)"]),
    "sqrt": (lambda: _x().sqrt(), "√(x)", ["∂out/∂x = 1/(2√x)"]),
    "log1p": (lambda: mgx.log1p(_x()), "log1p(x)", ["∂out/∂x = 1/(1+x)"]),
    "clip": (lambda: mgx.clip(_x(), 0.0, 1.0), "clip(x)", ["∂out/∂x = 1 if 0.0 ≤ x ≤ 1.0 else 0"]),
    "maximum": (
        lambda: mgx.maximum(_x(), _y()),
        "maximum(x, y)",
        ["∂out/∂x = 1 if x > y else (½ if x = y else 0)", "∂out/∂y = 1 if y > x else (½ if x = y else 0)"],
    ),
    "minimum": (
        lambda: mgx.minimum(_x(), _y()),
        "minimum(x, y)",
        ["∂out/∂x = 1 if x < y else (½ if x = y else 0)", "∂out/∂y = 1 if y < x else (½ if x = y else 0)"],
    ),
    "where": (
        lambda: mgx.where(np.array(True), _x(), _y()),
        "where(x, y)",
        ["∂out/∂x = 1 where the condition holds, else 0", "∂out/∂y = 0 where the condition holds, else 1"],
    ),
    "max": (
        lambda: _x((3,)).max(),
        "max(x)",
        ["∂out/∂x = 1/k at the k largest (tied) elements, 0 elsewhere"],
    ),
    "min": (
        lambda: _x((3,)).min(),
        "min(x)",
        ["∂out/∂x = 1/k at the k smallest (tied) elements, 0 elsewhere"],
    ),
    "var": (lambda: _x((3,)).var(ddof=1), "var(x)", ["∂out/∂x = 2(x−mean)/(n−1)"]),
    "std": (lambda: _x((3,)).std(), "std(x)", ["∂out/∂x = (x−mean)/(n·out)"]),
    "flatten": (lambda: _x((2, 2)).flatten(), "flatten(x)", ["∂out/∂x = 1"]),
    "squeeze": (lambda: _x((1, 2)).squeeze(), "squeeze(x)", ["∂out/∂x = 1"]),
    "unsqueeze": (lambda: _x((2,)).unsqueeze(0), "unsqueeze(x)", ["∂out/∂x = 1"]),
    "concatenate": (
        lambda: mgx.concatenate([_x((2,)), _y((2,))]),
        "concatenate(x, y)",
        ["∂out/∂x = 1 on its slice of the output", "∂out/∂y = 1 on its slice of the output"],
    ),
    "stack": (
        lambda: mgx.stack([_x((2,)), _y((2,))]),
        "stack(x, y)",
        ["∂out/∂x = 1 on its slice of the output", "∂out/∂y = 1 on its slice of the output"],
    ),
    "softplus": (lambda: mgx.softplus(_x()), "softplus(x)", ["∂out/∂x = σ(1.0·x)"]),
    "softmax": (lambda: mgx.softmax(_x((3,))), "softmax(x)", ["∂out/∂x = s(δ − s)"]),
    "log_softmax": (lambda: mgx.log_softmax(_x((3,))), "log_softmax(x)", ["∂out/∂x = δ − softmax(x)"]),
    "cross_entropy": (
        lambda: mgx.cross_entropy(_x((2, 3)), np.array([0, 2])),
        "L",
        ["∂out/∂x = (softmax(x) − target)/N"],
    ),
}

# The metadata that is not text: (notation, precedence, commutative, hyper-parameters).
STRUCTURE = {
    "add": ("infix", 1, True, ()),
    "sub": ("infix", 1, False, ()),
    "mul": ("infix", 2, True, ()),
    "div": ("infix", 2, False, ()),
    "matmul": ("infix", 2, False, ()),
    "pow": ("infix", 4, False, ()),
    "neg": ("prefix", 3, False, ()),
    "leaky_relu": ("call", 0, False, ("negative_slope",)),
    "elu": ("call", 0, False, ("alpha",)),
    "clip": ("call", 0, False, ("min", "max")),
    "maximum": ("call", 0, True, ()),
    "minimum": ("call", 0, True, ()),
    "var": ("call", 0, False, ("ddof",)),
    "std": ("call", 0, False, ("ddof",)),
    "squeeze": ("call", 0, False, ("axis",)),
    "unsqueeze": ("call", 0, False, ("axis",)),
    "concatenate": ("call", 0, False, ("axis",)),
    "stack": ("call", 0, False, ("axis",)),
    "softplus": ("call", 0, False, ("beta", "threshold")),
    "softmax": ("call", 0, False, ("axis",)),
    "log_softmax": ("call", 0, False, ("axis",)),
    "cross_entropy": ("call", 0, False, ("ignore_index",)),
    "binary_cross_entropy_with_logits": ("call", 0, False, ()),
}


def test_every_registered_op_has_a_golden_row():
    missing = sorted(set(registry()) - set(GOLDEN))
    stale = sorted(set(GOLDEN) - set(registry()))
    assert not missing, f"ops without a row in GOLDEN (add their rendered derivative text): {missing}"
    assert not stale, f"GOLDEN rows for ops that do not exist: {stale}"


@pytest.mark.parametrize("op", sorted(GOLDEN))
def test_rendered_expression_and_derivative_text(op):
    make, expression, rules = GOLDEN[op]
    out = make()
    assert out.op == op
    assert tensor_names(out)[out] == expression
    out.name = "out"
    steps = mgx.trace_backward(out, np.ones(out.shape))
    assert steps[0].op == op
    assert steps[0].rules == rules
    assert steps[0].rule == "; ".join(rules)


def test_explain_shows_the_same_derivative_text():
    x = mgx.Tensor(0.5, requires_grad=True, name="x")
    a = x.tanh()
    a.name = "a"
    (factor,) = mgx.explain(a, x).paths[0].factors
    assert factor.label == "∂a/∂x = 1−tanh²(x)"
    assert factor.value == pytest.approx(1 - np.tanh(0.5) ** 2, rel=1e-15)


@pytest.mark.parametrize("op", sorted(registry()))
def test_metadata_is_well_formed(op):
    fn = registry()[op]
    assert fn.name == op
    assert fn.notation in ("infix", "prefix", "call")
    assert fn.symbol, op
    assert fn.formula, f"{op}: no formula text"
    assert fn.derivatives, f"{op}: no derivative text"
    notation, precedence, commutative, hyper = STRUCTURE.get(op, ("call", 0, False, ()))
    assert (fn.notation, fn.precedence, fn.commutative, fn.hyperparameters) == (
        notation,
        precedence,
        commutative,
        hyper,
    )


def test_activations_state_their_output_range():
    for op in ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu"):
        assert registry()[op].output_range, op
    assert registry()["sigmoid"].output_range == "(0, 1)"
    assert registry()["tanh"].output_range == "(−1, 1)"


def test_drawing_reads_commutativity_and_hyperparameters():
    x, y = _x(), _y()
    for make, numbered in ((lambda: x + y, False), (lambda: x * y, False), (lambda: x - y, True)):
        source = mgx.draw_graph(make()).source
        assert ("-> op2 [label=0]" in source and "-> op2 [label=1]" in source) == numbered, source
    source = mgx.draw_graph(x.leaky_relu(0.2)).source
    assert "leaky_relu\\nnegative_slope=0.2" in source
    source = mgx.draw_graph(x.elu(alpha=0.5)).source
    assert "elu\\nalpha=0.5" in source


class Halve(Function):
    """A custom op with no metadata at all: the defaults must work."""

    @staticmethod
    def forward(ctx, a):
        return a / 2

    @staticmethod
    def backward(ctx, grad):
        return grad / 2


class Wedge(Function):
    """A custom infix op with its own symbol, commutative, with a hyper-parameter."""

    symbol = "∧"
    notation = "infix"
    precedence = 2
    commutative = True
    hyperparameters = ("k",)
    derivatives = ("{ctx.k}·{1}", "{ctx.k}·{0}")

    @staticmethod
    def forward(ctx, a, b, k=3.0):
        ctx.save_for_backward(a, b)
        ctx.k = k
        return k * a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * ctx.k * b, grad * ctx.k * a


def test_a_custom_function_without_metadata_uses_the_defaults():
    assert (Halve.name, Halve.symbol, Halve.notation, Halve.commutative) == ("halve", "halve", "call", False)
    x = _x()
    out = Halve.apply(x)
    assert tensor_names(out)[out] == "halve(x)"
    out.name = "out"
    (step,) = mgx.trace_backward(out)
    assert step.rule == f"∂out/∂x = {NO_FORMULA}" == "∂out/∂x = (no formula given)"
    assert "halve" in mgx.draw_graph(out).source


def test_a_custom_function_with_metadata_is_written_by_it():
    x, y = _x(), _y()
    out = Wedge.apply(x + y, y, k=2.0)
    assert tensor_names(out)[out] == "(x + y)∧y"
    out.name = "out"
    steps = mgx.trace_backward(out)
    assert steps[0].rules == ["∂out/∂(x + y) = 2.0·y", "∂out/∂y = 2.0·(x + y)"]
    source = mgx.draw_graph(out).source
    assert "wedge\\nk=2" in source
    assert "[label=0]" not in source  # commutative: no numbered edges


def test_a_derivative_text_that_cannot_be_filled_in_says_so():
    class Broken(Function):
        derivatives = ("{ctx.missing}",)

        @staticmethod
        def forward(ctx, a):
            return a * 1.0

        @staticmethod
        def backward(ctx, grad):
            return grad

    out = Broken.apply(_x())
    with pytest.raises(ValueError, match=r"broken: derivatives\[0\] = '\{ctx.missing\}'"):
        mgx.trace_backward(out)


def test_a_bad_notation_is_refused_when_the_class_is_made():
    with pytest.raises(ValueError, match="notation must be 'infix', 'prefix' or 'call', got 'postfix'"):

        class Bad(Function):
            notation = "postfix"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda x, y: x + (y + x), "x + y + x"),  # associative: no parentheses on the right
        (lambda x, y: (x + y) + x, "x + y + x"),
        (lambda x, y: x - (y - x), "x − (y − x)"),  # not associative
        (lambda x, y: (x - y) - x, "x − y − x"),  # chains group left
        (lambda x, y: x * (y / x), "x·y/x"),
        (lambda x, y: x / (y * x), "x/(y·x)"),
        (lambda x, y: (x + y) * x, "(x + y)·x"),  # looser binding gets parentheses
        (lambda x, y: x ** (y**x), "x^(y^x)"),  # written out, though ^ groups right ...
        (lambda x, y: (x**y) ** x, "(x^y)^x"),  # ... which is why the left operand needs them
        (lambda x, y: -(x + y), "−(x + y)"),
        (lambda x, y: -(x * y), "−(x·y)"),
        (lambda x, y: (-x).__neg__(), "−(−x)"),
        (lambda x, y: x * (-y), "x·(−y)"),
        (lambda x, y: (x * y).sigmoid(), "σ(x·y)"),
    ],
)
def test_parentheses_follow_precedence_and_associativity(make, expected):
    out = make(_x(), _y())
    assert tensor_names(out)[out] == expected


def test_the_op_registry_equals_the_spec_table():
    """Every op class has a row in the oracle table (tests/oracles.py SPECS), and every row is an op:
    adding an op means one Function class and one spec row (CONTRIBUTING.md)."""
    from oracles import SPECS

    rows = {spec.name for spec in SPECS}
    ops = set(registry())
    assert ops - rows == set(), f"ops without a spec row: {sorted(ops - rows)}"
    assert rows - ops == set(), f"spec rows naming no op: {sorted(rows - ops)}"
    assert all(
        spec.torch_fn is not None
        for spec in SPECS
        if spec.name not in {"getitem", "transpose", "reshape", "sum", "mean"}
    )

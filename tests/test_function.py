"""Custom ops with `Function`, and `gradcheck` (which must catch wrong gradients)."""

import numpy as np
import pytest

import microgradx as mgx
from microgradx.function import registry


class Cube(mgx.Function):
    """out = x³;  ∂out/∂x = 3x²."""

    derivatives = ("3·{0}²",)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2


class WrongCube(mgx.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x**2  # wrong on purpose


class ScaledDot(mgx.Function):
    """Two inputs and a keyword option."""

    @staticmethod
    def forward(ctx, a, b, scale=1.0):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return np.asarray(scale * np.dot(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * ctx.scale * b, grad * ctx.scale * a


def test_custom_function_forward_backward_and_name():
    x = mgx.Tensor([1.0, -2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.op == "cube"
    np.testing.assert_array_equal(y.data, [1.0, -8.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 12.0])
    assert "cube" not in registry()  # user ops are not built-ins
    assert Cube.rule(y._ctx, 0, ["x"], "y") == "3·x²"


def test_custom_function_two_inputs_and_options():
    a = mgx.Tensor([1.0, 2.0], requires_grad=True)
    b = mgx.Tensor([3.0, 4.0], requires_grad=True)
    out = ScaledDot.apply(a, b, scale=2.0)
    assert out.item() == 22.0
    out.backward()
    np.testing.assert_array_equal(a.grad, [6.0, 8.0])
    np.testing.assert_array_equal(b.grad, [2.0, 4.0])
    assert mgx.gradcheck(lambda p, q: ScaledDot.apply(p, q, scale=0.5), a, b)


def test_custom_function_needs_input_grad_and_numbers():
    a = mgx.Tensor([1.0, 2.0], requires_grad=True)
    out = ScaledDot.apply(a, [3.0, 4.0])
    assert out._ctx.needs_input_grad == (True, False)
    out.backward()
    np.testing.assert_array_equal(a.grad, [3.0, 4.0])


def test_backward_returning_wrong_count_is_an_error():
    class Bad(mgx.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad

    a = mgx.Tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"bad: backward returned 1 gradient\(s\) for 2"):
        Bad.apply(a, a).backward()

    class TooMany(Bad):  # too many gradients is the same error (zip(strict=True) finds it late)
        @staticmethod
        def backward(ctx, grad):
            return grad, grad, grad

    with pytest.raises(RuntimeError, match=r"toomany: backward returned 3 gradient\(s\) for 2"):
        TooMany.apply(a, a).backward()


def test_backward_returning_wrong_shape_is_an_error():
    class BadShape(mgx.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return np.ones(7)

    a = mgx.Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"badshape.*\(7,\).*\(3,\)"):
        BadShape.apply(a).sum().backward()


def test_forward_returning_non_numeric_is_an_error():
    class Strings(mgx.Function):
        @staticmethod
        def forward(ctx, a):
            return np.array(["x"])

    with pytest.raises(TypeError, match="strings"):
        Strings.apply(mgx.Tensor(1.0, requires_grad=True))


def test_builtin_ops_use_the_same_mechanism():
    names = set(registry())
    for op in [
        "add",
        "sub",
        "mul",
        "div",
        "pow",
        "neg",
        "matmul",
        "sum",
        "mean",
        "exp",
        "log",
        "reshape",
        "transpose",
        "getitem",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "prelu",
        "elu",
        "selu",
        "mse_loss",
        "binary_cross_entropy",
    ]:
        assert op in names
        cls = registry()[op]
        assert issubclass(cls, mgx.Function) and cls.__doc__ and cls.derivatives


def test_gradcheck_passes_correct_and_any_output_shape():
    x = mgx.Tensor(np.random.default_rng(0).normal(size=(2, 3)), requires_grad=True)
    w = mgx.Tensor(np.random.default_rng(1).normal(size=(3, 4)), requires_grad=True)
    assert mgx.gradcheck(lambda a, b: (a @ b).tanh(), x, w)
    assert mgx.gradcheck(lambda a: Cube.apply(a), x)


def test_gradcheck_catches_a_wrong_gradient_and_names_it():
    x = mgx.Tensor([0.5, 2.0], requires_grad=True)
    with pytest.raises(mgx.GradcheckError, match=r"input 0, element \(0,\).*analytic.*numerical") as err:
        mgx.gradcheck(lambda a: WrongCube.apply(a), x)
    assert isinstance(err.value, AssertionError)


def test_gradcheck_leaves_inputs_untouched():
    x = mgx.Tensor([0.5, 2.0], requires_grad=True)
    x.grad = np.array([7.0, 7.0])
    before = x.data.copy()
    mgx.gradcheck(lambda a: (a * a).sum(), x)
    np.testing.assert_array_equal(x.grad, [7.0, 7.0])
    np.testing.assert_array_equal(x.data, before)


def test_gradcheck_argument_errors():
    with pytest.raises(ValueError, match="requires grad"):
        mgx.gradcheck(lambda a: a * 2, mgx.Tensor([1.0]))
    with pytest.raises(TypeError, match="input 0"):
        mgx.gradcheck(lambda a: a * 2, [1.0])


def test_gradcheck_on_float32_inputs_checks_in_float64():
    x = mgx.Tensor(np.array([0.3, -0.7], np.float32), requires_grad=True)
    assert mgx.gradcheck(lambda a: mgx.selu(a) * mgx.sigmoid(a), x)

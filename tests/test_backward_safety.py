"""The backward pass is safe: a failure part-way leaves no pending gradient, and an in-place
change of ``.data`` between forward and backward is detected instead of giving a wrong gradient."""

import numpy as np
import pytest

import microgradx as mgx


class Boom(mgx.Function):
    @staticmethod
    def forward(ctx, a):
        return a * 1.0

    @staticmethod
    def backward(ctx, grad):
        raise ArithmeticError("boom")


def test_backward_that_raises_leaves_no_pending_gradient():
    x = mgx.Tensor([1.0, 1.0], requires_grad=True)
    s1 = (x * 3).sum()
    L = s1 + Boom.apply(x).sum()
    with pytest.raises(ArithmeticError):
        L.backward()
    x.grad = None
    s1.backward()  # through nodes the failed pass had already reached
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])  # not [6, 6]


def test_in_place_change_of_data_before_backward_raises_naming_the_tensor():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = (x * x).sum()
    x.data[:] = 10
    with pytest.raises(RuntimeError, match=r"tensor 'x' of shape \(2,\) was changed in place"):
        y.backward()


def test_change_of_an_input_without_grad_is_detected_too():
    w = mgx.Tensor([1.0, 2.0], requires_grad=True)
    x = mgx.Tensor([3.0, 4.0], name="x")
    y = (w * x).sum()
    x.data *= 2
    with pytest.raises(RuntimeError, match="'x'"):
        y.backward()


def test_reading_data_without_changing_it_is_fine():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    _ = x.data.sum()
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_rebinding_data_is_safe_the_graph_keeps_the_old_array():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.data = np.array([10.0, 10.0])
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def _model_and_loss():
    net = mgx.nn.MLP(2, [3, 1], activation="tanh", rng=0)
    X = mgx.Tensor(np.array([[0.5, -1.0], [1.5, 0.2]]))
    y = mgx.Tensor(np.array([[1.0], [0.0]]))
    return net, lambda: mgx.mse_loss(net(X), y)


def test_forward_backward_step_keeps_working():
    net, loss_fn = _model_and_loss()
    opt = mgx.optim.SGD(net.parameters(), lr=0.1)
    losses = []
    for _ in range(20):
        opt.zero_grad()
        L = loss_fn()
        L.backward()
        opt.step()
        losses.append(L.item())
    assert losses[-1] < losses[0]


def test_forward_step_backward_raises():
    net, loss_fn = _model_and_loss()
    opt = mgx.optim.SGD(net.parameters(), lr=0.1)
    loss_fn().backward()  # gradients to step with
    L = loss_fn()
    opt.step()
    with pytest.raises(RuntimeError, match="changed in place"):
        L.backward()


def test_load_state_dict_between_forward_and_backward_raises():
    net, loss_fn = _model_and_loss()
    state = {k: v + 1.0 for k, v in net.state_dict().items()}
    L = loss_fn()
    net.load_state_dict(state)
    with pytest.raises(RuntimeError, match="changed in place"):
        L.backward()


def test_change_after_backward_then_new_forward_is_fine():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.data[:] = 3.0  # after backward: allowed
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


# ---------------------------------------------------------------- gradcheck and Function results
def test_gradcheck_leaves_closed_over_parameters_grad_as_it_was():
    w = mgx.Tensor([1.0, -2.0], requires_grad=True)
    v = mgx.Tensor([0.5, 0.5], requires_grad=True)  # never had a gradient
    w.grad = np.array([5.0, 5.0])
    before = w.grad
    x = mgx.Tensor([0.3, 0.4], requires_grad=True)
    assert mgx.gradcheck(lambda t: (t * w + v).tanh(), x)
    assert w.grad is before
    np.testing.assert_array_equal(w.grad, [5.0, 5.0])
    assert v.grad is None and x.grad is None
    # and an MLP's parameters, the common case
    net = mgx.nn.MLP(2, [3, 1], rng=0)
    assert mgx.gradcheck(lambda t: net(t).sum(), mgx.Tensor([[0.1, -0.2]], requires_grad=True))
    assert all(p.grad is None for p in net.parameters())


def test_gradcheck_keeps_the_in_place_check_of_a_pending_backward():
    """gradcheck's own backward passes must not disarm the check for a graph built before it:
    without isolated_backward, L.backward() here silently gave ∂L/∂w = 2·7 = 14."""
    w = mgx.Tensor(0.5, requires_grad=True, name="w")
    L = w * w
    assert mgx.gradcheck(lambda t: (t * w).sum(), mgx.Tensor([1.0, 2.0], requires_grad=True))
    assert L._ctx.backward_runs == 0 and w.grad is None
    w.data[...] = 7.0
    with pytest.raises(RuntimeError, match=r"'w' .*changed in place"):
        L.backward()


def test_backward_signal_keeps_a_prelu_slopes_grad_and_in_place_check():
    """diagnostics.backward_signal runs the activation's backward on its own graph; a PReLU's
    slope keeps its .grad (the same array) and the check of a backward still pending on it."""
    from microgradx import diagnostics

    act = mgx.nn.PReLU(1)
    held = act.weight.grad = np.array([3.0])
    z = mgx.Tensor(np.array([[-1.0, 2.0]]), requires_grad=True)
    L = act(z).sum()
    delta = diagnostics.backward_signal(act, z.data, np.ones((1, 2)))
    np.testing.assert_array_equal(delta, [[0.25, 1.0]])  # PReLU′: the slope a = 0.25 for z < 0, else 1
    assert act.weight.grad is held and held.tolist() == [3.0]
    act.weight.data[...] = 0.9
    with pytest.raises(RuntimeError, match="changed in place"):
        L.backward()


def test_isolated_backward_puts_back_grads_counters_and_the_in_place_check():
    from microgradx.autograd import isolated_backward

    w = mgx.Tensor(np.array([0.5, -2.0]), requires_grad=True, name="w")
    x = mgx.Tensor(np.array([3.0, 1e3]), name="x")
    L = (w * x).sum()
    held = np.array([10.0, 20.0])
    w.grad = held
    with isolated_backward(L) as tensors:
        assert tensors[-1] is L and all(t.grad is None for t in tensors)
        L.backward()
        np.testing.assert_array_equal(w.grad, [3.0, 1e3])  # one pass, nothing accumulated
        L.backward()  # a second pass inside is fine too
    assert w.grad is held and held.tolist() == [10.0, 20.0]
    assert x.grad is None and L.grad is None and L._ctx.backward_runs == 0
    w.data[...] = 7.0  # the check is armed again: a change before the real pass raises
    with pytest.raises(RuntimeError, match=r"'w' .*changed in place"):
        L.backward()
    # the same for a constant (no grad) whose .data was read, so copied, before the isolated pass
    L = (w * x).sum()
    _ = x.data
    with isolated_backward(L):
        L.backward()
    x.data[...] = 7.0
    with pytest.raises(RuntimeError, match=r"'x' .*changed in place"):
        L.backward()
    # an error inside still puts everything back
    y = mgx.Tensor(1.5, requires_grad=True, name="y")
    M = y * y

    def fail_inside() -> None:
        with isolated_backward(M):
            M.backward()
            raise KeyError("inside")

    with pytest.raises(KeyError):
        fail_inside()
    assert y.grad is None and M._ctx.backward_runs == 0
    y.data[...] = 2.0
    with pytest.raises(RuntimeError, match=r"'y' .*changed in place"):
        M.backward()


def test_forward_returning_a_tuple_is_a_type_error():
    class TwoOutputs(mgx.Function):
        @staticmethod
        def forward(ctx, a):
            return a, 2 * a

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(TypeError, match=r"twooutputs: forward must return one ndarray, got a tuple of 2"):
        TwoOutputs.apply(mgx.Tensor([1.0, 2.0], requires_grad=True))


ONES = np.ones(3)  # a constant a user's backward hands back as its local gradient


class _ReturnsAConstant(mgx.Function):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return ONES  # d(copy)/dx · grad with grad = 1: an array the op does not own


class _ReturnsASavedInput(mgx.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(y)
        return x * 1.0

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y, None  # an input's own values as x's gradient


def test_a_custom_backward_returning_a_constant_does_not_have_it_changed_by_accumulation():
    """The first .grad used to be the constant itself; the next pass added to it in place."""
    w = mgx.Tensor(np.zeros(3), requires_grad=True)
    _ReturnsAConstant.apply(w).sum().backward()
    _ReturnsAConstant.apply(w).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(ONES, [1.0, 1.0, 1.0])
    assert not np.shares_memory(w.grad, ONES)


def test_a_custom_backward_returning_a_saved_input_leaves_that_input_unchanged():
    x = mgx.Tensor(np.zeros(3), requires_grad=True)
    y = mgx.Tensor(np.ones(3), requires_grad=True)
    for _ in range(2):
        _ReturnsASavedInput.apply(x, y).sum().backward()
    np.testing.assert_array_equal(y.data, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    assert not np.shares_memory(x.grad, y.data)


def test_compile_runs_a_user_defined_function_eagerly_with_a_warning():
    w = mgx.Tensor(np.zeros(3), requires_grad=True)
    step = mgx.compile(lambda: _ReturnsAConstant.apply(w).sum())
    with pytest.warns(RuntimeWarning, match="user-defined Function"):
        step()
    step()
    np.testing.assert_array_equal(w.grad, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(ONES, [1.0, 1.0, 1.0])

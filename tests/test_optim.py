"""microgradx.optim.SGD: the update rule by hand (the formulas of torch.optim.SGD's docs), errors.

Step-for-step agreement with PyTorch itself is in ``test_torch_training.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import microgradx as mgx
from microgradx import nn, optim


def _reference_sgd(p, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """torch.optim.SGD's documented algorithm, written out on plain floats."""
    p = np.array(p, dtype=np.float64)
    buf = None
    for g in grads:
        g = np.array(g, dtype=np.float64) + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p


CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.1, weight_decay=0.5),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.5),
    dict(lr=0.1, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.5, dampening=0.2, weight_decay=0.1),
    dict(lr=0.05, momentum=0.5, weight_decay=0.1, nesterov=True),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_update_matches_the_documented_rule(config):
    gen = np.random.default_rng(0)
    start = gen.normal(size=(3, 2))
    grads = [gen.normal(size=(3, 2)) for _ in range(5)]
    w = nn.Parameter(start)
    opt = optim.SGD([w], **config)
    for g in grads:
        w.grad = g.copy()
        opt.step()
    np.testing.assert_allclose(w.data, _reference_sgd(start, grads, **config), rtol=1e-13)


def test_first_momentum_step_uses_the_gradient_itself():
    # b = g on the first step (no dampening), so the first step equals plain SGD.
    w = nn.Parameter([1.0])
    opt = optim.SGD([w], lr=0.5, momentum=0.9, dampening=0.5)
    w.grad = np.array([2.0])
    opt.step()
    assert w.data.tolist() == [0.0]
    np.testing.assert_array_equal(opt.momentum_buffers[0], [2.0])


def test_update_is_in_place_and_not_a_graph_op():
    w = nn.Parameter([1.0, 2.0])
    data_before = w.data
    opt = optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w.data is data_before  # same array, updated in place
    assert w.op is None and w.requires_grad  # still a leaf


def test_params_without_grad_are_skipped():
    a, b = nn.Parameter([1.0]), nn.Parameter([5.0])
    opt = optim.SGD([a, b], lr=0.1, weight_decay=1.0, momentum=0.9)
    a.grad = np.array([1.0])
    opt.step()
    assert b.data.tolist() == [5.0]
    assert opt.momentum_buffers[1] is None


def test_float32_parameters_stay_float32():
    w = nn.Parameter(np.ones(3, dtype=np.float32))
    opt = optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.01)
    for _ in range(2):
        w.grad = np.full(3, 0.5, dtype=np.float32)
        opt.step()
    assert w.data.dtype == np.float32


def test_zero_grad():
    w = nn.Parameter([1.0])
    opt = optim.SGD([w], lr=0.1)
    w.grad = np.array([3.0])
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0]
    opt.zero_grad()
    assert w.grad is None


def test_accepts_a_generator_of_parameters():
    net = nn.MLP(2, [3, 1], rng=0)
    opt = optim.SGD((p for p in net.parameters()), lr=0.1)
    assert len(opt.params) == 4


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(lr=-0.1), "SGD: learning rate lr must be >= 0, got -0.1"),
        (dict(lr=0.1, momentum=-0.5), "momentum must be >= 0, got -0.5"),
        (dict(lr=0.1, weight_decay=-1e-4), "weight_decay must be >= 0, got -0.0001"),
        (dict(lr=0.1, dampening=-1.0), "dampening must be >= 0, got -1.0"),
        (dict(lr=float("nan")), "nan"),
        (dict(lr="0.1"), "'0.1'"),
        (dict(lr=0.1, nesterov=True), "nesterov=True requires momentum > 0.*momentum=0.0"),
        (dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening=0.1"),
    ],
)
def test_bad_hyper_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        optim.SGD([nn.Parameter([1.0])], **kwargs)


def test_bad_params():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match=r"parameter 1 is a ndarray"):
        optim.SGD([nn.Parameter([1.0]), np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="iterable of Tensors"):
        optim.SGD(nn.Parameter([1.0]), lr=0.1)
    w = nn.Parameter([1.0])
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([w, w], lr=0.1)


def test_plain_tensors_are_accepted():
    t = mgx.Tensor([2.0], requires_grad=True)
    opt = optim.SGD([t], lr=0.25)
    (t * t).sum().backward()
    opt.step()
    assert t.data.tolist() == [1.0]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"momentum": 1.0}, r"invalid momentum 1.0; expected 0 <= momentum < 1"),
        ({"momentum": 1.5}, r"invalid momentum 1.5"),
        ({"momentum": 0.5, "dampening": 1.5}, r"invalid dampening 1.5; expected 0 <= dampening <= 1"),
    ],
)
def test_momentum_of_one_or_more_and_dampening_above_one_are_refused(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        optim.SGD([mgx.Tensor([1.0], requires_grad=True)], lr=0.1, **kwargs)
    optim.SGD([mgx.Tensor([1.0], requires_grad=True)], lr=0.1, momentum=0.999, dampening=1.0)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_plain_sgd_is_the_update_by_hand_bit_for_bit(dtype):
    # plain SGD (no momentum, no weight decay) takes a shorter path in SGD.step: the same
    # arithmetic as `p.data -= lr * p.grad`, over several steps, and a parameter without a
    # gradient is left alone
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((4, 3)).astype(dtype)
    a, b = mgx.Tensor(w0, requires_grad=True), mgx.Tensor(w0, requires_grad=True)
    idle = mgx.Tensor(w0, requires_grad=True)
    opt = optim.SGD([a, idle], lr=0.037)
    for _ in range(3):
        g = rng.standard_normal((4, 3)).astype(dtype)
        a.grad, b.grad = g.copy(), g.copy()
        opt.step()
        b.data -= 0.037 * b.grad
        np.testing.assert_array_equal(a.data, b.data)
        assert a.data.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(idle.data, w0)

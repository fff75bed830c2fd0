"""microgradx.optim.Adam / AdamW: the update against the published algorithm written out by hand,
its properties (bias correction, where ε goes, AMSGrad's maximum, decoupled decay) and errors.

Step-for-step agreement with torch.optim itself is in ``test_optim_torch.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import microgradx as mgx
from microgradx import nn, optim


def _reference_adam(
    p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False
):
    """Kingma & Ba's Algorithm 1 with PyTorch's documented options (L2 / decoupled decay,
    AMSGrad, ε outside the square root), on plain float64 arrays."""
    b1, b2 = betas
    p = np.array(p, dtype=np.float64)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    vmax = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        g = np.array(g, dtype=np.float64)
        if weight_decay and decoupled:
            p = p * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        if amsgrad:
            vmax = np.maximum(vmax, v)
            v_hat = vmax / (1 - b2**t)
        else:
            v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


CONFIGS = [
    dict(),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.02, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.05, amsgrad=True),
    dict(lr=0.01, betas=(0.0, 0.0)),
]


def _run(cls, start, grads, **config):
    w = nn.Parameter(start.copy())
    opt = cls([w], **config)
    for g in grads:
        w.grad = g.copy()
        opt.step()
    return w, opt


def _grads(shape=(3, 2), n=25, seed=0):
    gen = np.random.default_rng(seed)
    # gradients of very different scales, and some sign flips, so v and AMSGrad's max matter
    return [gen.normal(size=shape) * 10.0 ** gen.integers(-3, 3) for _ in range(n)]


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "defaults"
)
def test_update_matches_the_published_algorithm(cls, config):
    start = np.random.default_rng(1).normal(size=(3, 2))
    grads = _grads()
    w, _ = _run(cls, start, grads, **config)
    if cls is optim.AdamW:
        config = {"weight_decay": 0.01, **config}  # AdamW's default
    expected = _reference_adam(start, grads, decoupled=cls is optim.AdamW, **config)
    np.testing.assert_allclose(w.data, expected, rtol=1e-12, atol=1e-15)


def test_first_step_is_lr_times_the_sign_of_the_gradient():
    # Bias correction makes m̂ = g and v̂ = g² at t = 1: the first step is η·g/(|g| + ε).
    w, _ = _run(optim.Adam, np.zeros(4), [np.array([3.0, -1e-3, 250.0, -7.0])], lr=0.1, eps=0.0)
    np.testing.assert_allclose(w.data, [-0.1, 0.1, -0.1, 0.1], rtol=1e-15)


def test_eps_is_added_after_the_square_root_and_its_bias_correction():
    # t = 1, g = ε = 1e-8: the step is η·g/(|g| + ε) = η/2. With ε inside the root, or before
    # the bias correction, it would be far from η/2.
    w, _ = _run(optim.Adam, np.zeros(1), [np.array([1e-8])], lr=1.0, eps=1e-8)
    assert w.data[0] == pytest.approx(-0.5, rel=1e-12)


def test_bias_correction_on_the_second_step():
    # g = 1 then 1: m = 0.19, v = 0.001999; m̂ = 0.19/0.19 = 1, v̂ = 0.001999/0.001999 = 1.
    w, opt = _run(optim.Adam, np.zeros(1), [np.ones(1), np.ones(1)], lr=0.1, eps=0.0)
    np.testing.assert_allclose(w.data, [-0.2], rtol=1e-14)
    st = opt.state[w]
    assert st["step"] == 2
    np.testing.assert_allclose(st["exp_avg"], [0.19], rtol=1e-14)
    np.testing.assert_allclose(st["exp_avg_sq"], [0.001999], rtol=1e-14)


def test_steps_do_not_depend_on_the_gradient_scale():
    # m/√v is a ratio of running means: multiplying every gradient by 1000 changes nothing (ε = 0).
    grads = _grads(n=10)
    a, _ = _run(optim.Adam, np.ones((3, 2)), grads, lr=0.01, eps=0.0)
    b, _ = _run(optim.Adam, np.ones((3, 2)), [1000.0 * g for g in grads], lr=0.01, eps=0.0)
    np.testing.assert_allclose(a.data, b.data, rtol=1e-13)


def test_amsgrad_keeps_the_largest_second_moment():
    grads = [np.array([100.0]), np.array([0.01]), np.array([0.01]), np.array([0.01])]
    w, opt = _run(optim.Adam, np.zeros(1), grads, lr=0.1, amsgrad=True)
    plain, _ = _run(optim.Adam, np.zeros(1), grads, lr=0.1)
    st = opt.state[w]
    v = 0.0
    vmax = 0.0
    for g in grads:
        v = 0.999 * v + 0.001 * g[0] ** 2
        vmax = max(vmax, v)
    np.testing.assert_allclose(st["max_exp_avg_sq"], [vmax], rtol=1e-14)
    np.testing.assert_allclose(st["exp_avg_sq"], [v], rtol=1e-14)
    assert vmax > v  # the maximum is the first step's v, the current one has decayed
    assert not np.allclose(w.data, plain.data)  # the variant really is different


def test_amsgrad_switched_on_midway_starts_its_maximum_at_the_current_v():
    w = nn.Parameter([1.0])
    opt = optim.Adam([w], lr=0.1)
    w.grad = np.array([2.0])
    opt.step()
    opt.param_groups[0]["amsgrad"] = True
    w.grad = np.array([1.0])
    opt.step()
    np.testing.assert_array_equal(opt.state[w]["max_exp_avg_sq"], opt.state[w]["exp_avg_sq"])


def test_adamw_decay_is_decoupled_and_adam_decay_is_not():
    # Zero gradients: AdamW only shrinks the weight, by (1 − ηλ) per step, exactly.
    w, _ = _run(optim.AdamW, np.array([2.0, -4.0]), [np.zeros(2)] * 3, lr=0.1, weight_decay=0.5)
    np.testing.assert_array_equal(w.data, np.array([2.0, -4.0]) * 0.95 * 0.95 * 0.95)
    # Adam adds λ·p to the gradient, which its normalisation turns into steps of about η
    # whatever the weight's size: both weights move by about 3η.
    a, _ = _run(optim.Adam, np.array([2.0, -4.0]), [np.zeros(2)] * 3, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(a.data, [2.0 - 0.3, -4.0 + 0.3], atol=1e-3)


def test_adamw_default_weight_decay_is_pytorchs():
    assert optim.AdamW([nn.Parameter([1.0])]).defaults["weight_decay"] == 0.01
    assert optim.Adam([nn.Parameter([1.0])]).defaults == {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
    }


def test_params_without_grad_are_skipped_and_get_no_state():
    a, b = nn.Parameter([1.0]), nn.Parameter([5.0])
    opt = optim.AdamW([a, b], lr=0.1)
    a.grad = np.array([1.0])
    opt.step()
    assert b.data.tolist() == [5.0]  # not even decayed: PyTorch skips it entirely
    assert b not in opt.state and opt.state[a]["step"] == 1


def test_update_is_in_place_and_stays_a_leaf():
    w = nn.Parameter([1.0, 2.0])
    data = w.data
    opt = optim.Adam([w], lr=0.1, weight_decay=0.1, amsgrad=True)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w.data is data and w.op is None and w.requires_grad


def test_a_large_gradient_gives_a_finite_step():
    w, _ = _run(optim.Adam, np.zeros(2), [np.array([1e150, -1e-150])], lr=0.1)
    assert np.all(np.isfinite(w.data))


def test_float32_parameters_and_state_stay_float32():
    w = nn.Parameter(np.ones(3, dtype=np.float32))
    opt = optim.Adam([w], lr=0.1, weight_decay=0.01, amsgrad=True)
    for _ in range(2):
        w.grad = np.full(3, 0.5, dtype=np.float32)
        opt.step()
    assert w.data.dtype == np.float32
    assert all(opt.state[w][k].dtype == np.float32 for k in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"))


def test_state_follows_a_model_converted_with_to():
    net = nn.MLP(2, [3, 1], rng=0)
    opt = optim.Adam(net.parameters(), lr=0.01, amsgrad=True)
    x = mgx.Tensor(np.ones((4, 2)))
    net(x).sum().backward()
    opt.step()
    net.to("float32")
    opt.zero_grad()
    net(mgx.Tensor(np.ones((4, 2), np.float32))).sum().backward()
    opt.step()
    for p in net.parameters():
        assert p.data.dtype == np.float32
        assert {v.dtype for k, v in opt.state[p].items() if k != "step"} == {np.dtype(np.float32)}


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(lr=-0.1), r": learning rate lr must be >= 0, got -0.1"),
        (dict(lr=float("nan")), r"lr must be a finite real number, got nan"),
        (dict(lr="0.1"), r"got '0.1'"),
        (dict(betas=(1.0, 0.999)), r"betas\[0\] must be < 1, got 1.0"),
        (dict(betas=(0.9, 1.5)), r"betas\[1\] must be < 1, got 1.5"),
        (dict(betas=(-0.1, 0.999)), r"betas\[0\] must be >= 0, got -0.1"),
        (dict(betas=0.9), r"betas must be a pair \(beta1, beta2\), got 0.9"),
        (dict(betas=(0.9, 0.99, 0.999)), r"betas must be a pair"),
        (dict(eps=-1e-8), r"eps must be >= 0, got -1e-08"),
        (dict(weight_decay=-0.01), r"weight_decay must be >= 0, got -0.01"),
        (dict(weight_decay=True), r"weight_decay must be a finite real number, got True"),
        (dict(amsgrad="yes"), r"amsgrad must be True or False, got 'yes'"),
    ],
)
def test_bad_hyper_parameters_are_named(cls, kwargs, match):
    with pytest.raises(ValueError, match=match) as err:
        cls([nn.Parameter([1.0])], **kwargs)
    assert str(err.value).startswith(f"{cls.__name__}: ")


def test_boundary_hyper_parameters_are_accepted():
    optim.Adam([nn.Parameter([1.0])], lr=0.0, betas=(0.0, 0.0), eps=0.0, weight_decay=0.0)
    optim.AdamW([nn.Parameter([1.0])], betas=[0.999999, 0.999999])


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
def test_bad_params(cls):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: got an empty parameter list"):
        cls([])
    with pytest.raises(ValueError, match="parameter 1 is a ndarray"):
        cls([nn.Parameter([1.0]), np.ones(2)])
    with pytest.raises(ValueError, match="iterable of Tensors"):
        cls(nn.Parameter([1.0]))


def test_fit_trains_with_adam():
    X = np.linspace(-1, 1, 32)[:, None]
    net = nn.MLP(1, [16, 1], activation="tanh", rng=0)
    history = mgx.fit(
        net, X, np.sin(3 * X), optimizer=optim.Adam(net.parameters(), lr=0.02), epochs=200, progress=False
    )
    assert history[-1] < 0.1 * history[0]

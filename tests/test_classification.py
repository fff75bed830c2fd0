"""Classification: `nn.Softmax`, `nn.CrossEntropyLoss` (against the functional and PyTorch), `fit`
with class-index targets, and `microgradx.classification` (predict, accuracy, the training run)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from oracles import central_diff

import microgradx as mgx
from microgradx import classification, data, nn

# ---------------------------------------------------------------------------- nn.Softmax


@pytest.mark.parametrize(("shape", "axis"), [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)])
def test_softmax_module_is_the_functional(shape, axis):
    x = np.random.default_rng(0).normal(size=shape)
    w = np.random.default_rng(1).normal(size=shape)
    a, b = mgx.Tensor(x, requires_grad=True), mgx.Tensor(x, requires_grad=True)
    out = nn.Softmax(axis)(a)
    (out * w).sum().backward()
    (mgx.softmax(b, axis=axis) * w).sum().backward()
    np.testing.assert_array_equal(out.data, mgx.softmax(x, axis=axis).data)
    np.testing.assert_array_equal(a.grad, b.grad)
    np.testing.assert_allclose(out.data.sum(axis=axis), 1.0)
    # the chain rule against central differences, not against the code
    e = lambda v: np.exp(v - v.max(axis=axis, keepdims=True))  # noqa: E731
    numeric = central_diff(lambda v: e(v) / e(v).sum(axis=axis, keepdims=True), [x], 0, w)
    np.testing.assert_allclose(a.grad, numeric, atol=1e-8)


def test_softmax_module_defaults_repr_and_errors():
    assert nn.Softmax().axis == -1
    assert repr(nn.Softmax(0)) == "Softmax(axis=0)"
    assert list(nn.Softmax().parameters()) == []
    with pytest.raises(ValueError, match=r"Softmax: axis must be an int, got 1.5"):
        nn.Softmax(1.5)
    with pytest.raises(ValueError, match=r"Softmax: axis must be an int, got None"):
        nn.Softmax(None)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        nn.Softmax(2)(np.zeros((2, 2)))
    assert "softmax" not in nn.ACTIVATIONS  # acts on an axis, not element-wise: not a Layer name


def test_softmax_module_is_stable_at_1e3_and_works_in_sequential():
    x = np.array([[1e3, -1e3, 0.0], [-1e3, -1e3, -1e3]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # e^(−2000) underflows to 0: fine
        s = nn.Softmax()(x).data
    np.testing.assert_allclose(s, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    model = nn.Sequential(nn.Layer(2, 3, rng=0), nn.Softmax())
    p = model(np.ones((4, 2))).data
    assert p.shape == (4, 3) and np.allclose(p.sum(axis=1), 1.0)


@pytest.mark.torch
@pytest.mark.parametrize(("shape", "axis"), [((5,), 0), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)])
def test_softmax_module_equals_pytorch(shape, axis):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).normal(scale=3.0, size=shape)
    x.flat[0] = 1e3  # a large logit: no overflow in either
    w = np.random.default_rng(3).normal(size=shape)
    a = mgx.Tensor(x, requires_grad=True)
    (nn.Softmax(axis)(a) * w).sum().backward()
    t = torch.tensor(x, requires_grad=True)
    ts = torch.nn.Softmax(dim=axis)(t)
    (ts * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(nn.Softmax(axis)(x).data, ts.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------- nn.CrossEntropyLoss


def _ce_by_hand(z: np.ndarray, y: np.ndarray) -> float:
    """−(1/N) Σₙ ln softmax(zₙ)[yₙ], straight from the definition (no log-softmax trick)."""
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))


def test_cross_entropy_loss_is_the_functional_and_the_formula():
    rng = np.random.default_rng(4)
    z, y = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    a, b = mgx.Tensor(z, requires_grad=True), mgx.Tensor(z, requires_grad=True)
    loss = nn.CrossEntropyLoss()(a, y)
    loss.backward()
    mgx.cross_entropy(b, y).backward()
    assert loss.item() == mgx.cross_entropy(z, y).item()
    np.testing.assert_array_equal(a.grad, b.grad)
    assert loss.item() == pytest.approx(_ce_by_hand(z, y), rel=1e-12)
    s = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(a.grad, (s - np.eye(3)[y]) / 6, atol=1e-15)  # (softmax − one-hot)/N
    np.testing.assert_allclose(a.grad, central_diff(lambda v: _ce_by_hand(v, y), [z], 0, 1.0), atol=1e-8)


def test_cross_entropy_loss_ignore_index_and_probabilities():
    z = np.random.default_rng(5).normal(size=(4, 3))
    y = np.array([0, 2, 7, 1])
    loss = nn.CrossEntropyLoss(ignore_index=7)(z, y)
    assert loss.item() == pytest.approx(_ce_by_hand(z[[0, 1, 3]], y[[0, 1, 3]]), rel=1e-12)
    onehot = np.eye(3)[[0, 2, 1, 1]]
    assert nn.CrossEntropyLoss()(z, onehot).item() == pytest.approx(_ce_by_hand(z, np.array([0, 2, 1, 1])))
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.CrossEntropyLoss(ignore_index=7)) == "CrossEntropyLoss(ignore_index=7)"


def test_cross_entropy_loss_errors():
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: ignore_index must be an int, got 0.5"):
        nn.CrossEntropyLoss(ignore_index=0.5)
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: ignore_index must be an int, got True"):
        nn.CrossEntropyLoss(ignore_index=True)
    with pytest.raises(ValueError, match=r"target class 3 is out of range for 3 classes"):
        nn.CrossEntropyLoss()(np.zeros((2, 3)), [0, 3])


def test_cross_entropy_loss_is_exact_at_1e3():
    z = np.array([[1e3, -1e3], [-1e3, 1e3]])
    a = mgx.Tensor(z, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = nn.CrossEntropyLoss()(a, [1, 1])
        loss.backward()
    assert loss.item() == pytest.approx(1e3)  # ln(1 + e^2000) − ... = 2000 for one, 0 for the other
    np.testing.assert_allclose(a.grad, [[0.5, -0.5], [0.0, 0.0]])


@pytest.mark.torch
@pytest.mark.parametrize(
    ("shape", "target"),
    [
        ((5, 3), "index"),
        ((5, 3), "probs"),
        ((3,), "index"),
        ((2, 3, 4), "index"),
        ((4, 3), "ignore"),
    ],
)
def test_cross_entropy_loss_equals_pytorch(shape, target):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    z = rng.normal(scale=3.0, size=shape)
    z.flat[1] = -1e3
    c = shape[0] if len(shape) == 1 else shape[1]
    target_shape = () if len(shape) == 1 else (shape[0], *shape[2:])
    ignore = -100
    if target == "probs":
        p = rng.uniform(size=shape)
        y = p / p.sum(axis=1, keepdims=True)
        ty = torch.tensor(y)
    else:
        y = rng.integers(0, c, size=target_shape)
        if target == "ignore":
            ignore = 2
            y[:2] = [2, 0]  # one ignored, one kept
        ty = torch.tensor(y)
    a = mgx.Tensor(z, requires_grad=True)
    loss = nn.CrossEntropyLoss(ignore_index=ignore)(a, y)
    loss.backward()
    tz = torch.tensor(z, requires_grad=True)
    tl = torch.nn.CrossEntropyLoss(ignore_index=ignore)(tz, ty)
    tl.backward()
    assert loss.item() == pytest.approx(tl.item(), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(a.grad, tz.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.torch
def test_cross_entropy_loss_with_every_target_ignored_equals_pytorch():
    torch = pytest.importorskip("torch")
    a = mgx.Tensor(np.zeros((2, 3)), requires_grad=True)
    loss = nn.CrossEntropyLoss(ignore_index=2)(a, [2, 2])
    loss.backward()
    tz = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    tl = torch.nn.CrossEntropyLoss(ignore_index=2)(tz, torch.tensor([2, 2]))
    tl.backward()
    assert math.isnan(loss.item()) and math.isnan(tl.item())  # 0/0, as PyTorch
    np.testing.assert_array_equal(a.grad, tz.grad.numpy())  # …but the gradient is 0, not nan


# ---------------------------------------------------------------------------- fit with class indices


@pytest.mark.parametrize("loss", ["cross_entropy", mgx.cross_entropy, nn.CrossEntropyLoss()])
def test_fit_takes_class_indices_with_a_cross_entropy_loss(loss):
    X, y = data.moons(n=64, rng=0)
    net = nn.MLP(2, [8, 2], activation="tanh", rng=0)
    first = mgx.cross_entropy(net(X), y).item()
    history = mgx.fit(net, X, y, loss=loss, lr=0.5, epochs=3, progress=False)
    assert history[0] == pytest.approx(first)  # the loss before the first update, on (n,) indices
    assert history[-1] < history[0]


def test_fit_cross_entropy_mini_batches_and_one_hot_targets_agree_with_indices():
    X, y = data.moons(n=40, rng=1)
    histories = []
    for target in (y, np.eye(2)[y], y.astype(np.float64)):
        net = nn.MLP(2, [8, 2], activation="tanh", rng=0)
        histories.append(
            mgx.fit(
                net, X, target, loss="cross_entropy", lr=0.5, epochs=4, batch_size=16, rng=3, progress=False
            )
        )
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-12)
    np.testing.assert_allclose(histories[2], histories[0], rtol=1e-12)


def test_fit_cross_entropy_bad_targets():
    X = np.zeros((4, 2))
    net = nn.MLP(2, [2], rng=0)
    with pytest.raises(ValueError, match="fit: y must hold class indices"):
        mgx.fit(net, X, np.array(["a", "b", "a", "b"]), loss="cross_entropy", epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"class-index targets must be whole numbers, got np.float64\(0.5\)"):
        mgx.fit(net, X, [0, 1, 0.5, 1], loss="cross_entropy", epochs=1, progress=False)
    with pytest.raises(ValueError, match="X and y hold different numbers of samples"):
        mgx.fit(net, X, [0, 1, 1], loss="cross_entropy", epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"unknown loss 'ce'.*cross_entropy"):
        mgx.fit(net, X, [0, 1, 1, 0], loss="ce", epochs=1, progress=False)


def test_fit_mse_still_reshapes_a_1d_target():
    X, y = data.sine(n=20, rng=0)
    net = nn.MLP(1, [4, 1], rng=0)
    history = mgx.fit(net, X, y[:, 0], lr=0.1, epochs=2, progress=False)
    assert history[0] == pytest.approx(mgx.mse_loss(nn.MLP(1, [4, 1], rng=0)(X), y).item())


# ---------------------------------------------------------------------------- predict, accuracy


class _Fixed(nn.Module):
    def __init__(self, out: np.ndarray) -> None:
        super().__init__()
        self.out = out

    def forward(self, x):
        return mgx.Tensor(self.out)


def test_predict_and_accuracy():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0], [0.1, 0.3, 0.2]])
    model = _Fixed(logits)
    assert classification.predict(model, np.zeros((3, 2))).tolist() == [0, 2, 1]
    assert classification.accuracy(model, np.zeros((3, 2)), [0, 2, 2]) == pytest.approx(2 / 3)
    one = _Fixed(np.array([[-0.1], [0.0], [0.3]]))
    assert classification.predict(one, np.zeros((3, 2))).tolist() == [0, 0, 1]  # logit > 0
    assert classification.predict(one, np.zeros((3, 2)), threshold=0.2).tolist() == [0, 0, 1]
    assert classification.predict(one, np.zeros((3, 2)), threshold=0.5).tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="3 predictions but 2 labels"):
        classification.accuracy(model, np.zeros((3, 2)), [0, 1])


def test_dataset_noise_reads_the_signature():
    assert classification.dataset_noise("moons") == 0.1
    assert classification.dataset_noise("sine") == 0.05


# ---------------------------------------------------------------------------- the training run


def test_train_classifier_default_moons_reaches_95_percent():
    run = classification.train_classifier(progress=False)
    assert run.data == "moons" and run.classes == 2 and run.noise == 0.1
    assert run.X.shape == (200, 2) and run.X_test.shape == (1000, 2)
    assert run.diverged_at is None and len(run.history) == 1000
    assert run.history[0] == pytest.approx(math.log(2), abs=0.05)  # near a uniform guess at the start
    assert run.train_accuracy >= 0.95 and run.test_accuracy >= 0.95
    # the held-out samples are fresh draws, not the training points
    assert not np.isin(run.X_test[:, 0], run.X[:, 0]).any()


def test_train_classifier_is_seeded_and_spirals_has_three_logits():
    a = classification.train_classifier("spirals", n=60, epochs=5, test_n=30, progress=False)
    b = classification.train_classifier("spirals", n=60, epochs=5, test_n=30, progress=False)
    assert a.history == b.history and a.classes == 3
    assert a.model.layers[-1].weight.shape == (32, 3)


def test_train_classifier_counts_the_classes_of_the_set_not_of_the_sample():
    run = classification.train_classifier("moons", n=1, epochs=2, test_n=5, progress=False)
    assert run.classes == 2 and set(run.y.tolist()) == {0}
    assert run.model.layers[-1].weight.shape == (32, 2)


def test_train_classifier_refuses_a_regression_set():
    with pytest.raises(ValueError, match=r"'sine' is not a classification data set.*moons, circles, spirals"):
        classification.train_classifier("sine")


def test_plot_decision_boundary(tmp_path):
    pytest.importorskip("matplotlib", reason="the plot needs matplotlib")
    run = classification.train_classifier("circles", n=60, epochs=50, test_n=10, progress=False)
    path = classification.plot_decision_boundary(
        run.model, run.X, run.y, tmp_path / "sub" / "b.png", resolution=40, dpi=100
    )
    assert path == tmp_path / "sub" / "b.png" and path.stat().st_size > 1000


def test_plot_decision_boundary_without_matplotlib(tmp_path, monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    net = nn.MLP(2, [2], rng=0)
    assert classification.plot_decision_boundary(net, np.zeros((2, 2)), [0, 1], tmp_path / "b.png") is None
    assert "matplotlib" in capsys.readouterr().out and not (tmp_path / "b.png").exists()

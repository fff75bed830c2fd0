"""save/load: .npz round trips, and hostile files refused without running anything."""

import io
import pickle
import zipfile

import numpy as np
import pytest

import microgradx as mgx


def test_round_trip_is_bit_exact(tmp_path):
    rng = np.random.default_rng(0)
    state = {
        "layers.0.weight": rng.normal(size=(3, 4)),
        "layers.0.bias": np.zeros(4, np.float32),
        "scalar": np.array(1.5),
    }
    path = tmp_path / "model.npz"
    mgx.save(state, path)
    back = mgx.load(path)
    assert set(back) == set(state)
    for k in state:
        assert back[k].dtype == state[k].dtype
        np.testing.assert_array_equal(back[k], state[k])


def test_save_accepts_tensors(tmp_path):
    mgx.save({"w": mgx.Tensor([1.0, 2.0])}, tmp_path / "t.npz")
    np.testing.assert_array_equal(mgx.load(tmp_path / "t.npz")["w"], [1.0, 2.0])


def test_save_refuses_object_arrays(tmp_path):
    with pytest.raises(ValueError, match=r"'bad'.*object"):
        mgx.save({"bad": np.array([{}], dtype=object)}, tmp_path / "x.npz")


class Boom:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


def test_pickled_object_array_is_refused_and_not_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.npz"
    buf = io.BytesIO()
    np.save(buf, np.array([Boom()], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("w.npy", buf.getvalue())
    with pytest.raises(ValueError, match=r"evil.npz"):
        mgx.load(path)
    assert not (tmp_path / "PWNED").exists()


def test_raw_pickle_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ValueError, match="not a valid"):
        mgx.load(path)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("content", [b"", b"not an archive at all", b"PK\x03\x04garbage"])
def test_garbage_is_refused(tmp_path, content):
    path = tmp_path / "junk.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"junk.npz"):
        mgx.load(path)


def test_truncated_archive_is_refused(tmp_path):
    path = tmp_path / "cut.npz"
    mgx.save({"w": np.arange(1000.0)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut.npz"):
        mgx.load(path)


def test_single_npy_is_refused(tmp_path):
    path = tmp_path / "one.npy"
    np.save(path, np.arange(3.0))
    with pytest.raises(ValueError, match=r"single .npy"):
        mgx.load(path)


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        mgx.load("/nonexistent/dir/model.npz")


# ---------------------------------------------------------------- keys, members, text, overflow
def test_every_key_round_trips_including_numpys_own_argument_names(tmp_path):
    state = {
        "allow_pickle": np.arange(3.0),
        "file": np.ones((2, 2)),
        "fix_imports": np.zeros(1),
        "layers.0.weight": np.eye(2),
        "a/b": np.array([1.5]),
    }
    mgx.save(state, tmp_path / "k.npz")
    back = mgx.load(tmp_path / "k.npz")
    assert sorted(back) == sorted(state)
    for key, value in state.items():
        np.testing.assert_array_equal(back[key], value)
        assert back[key].dtype == value.dtype


def test_an_archive_member_that_is_not_an_array_is_a_value_error(tmp_path):
    import zipfile

    path = tmp_path / "mixed.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", b"")  # replaced below by a real array
    mgx.save({"w": np.ones(2)}, path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("notes.txt", "not an array")
    with pytest.raises(ValueError, match=r"member 'notes.txt' that is not a NumPy array"):
        mgx.load(path)


def test_a_text_file_is_not_invited_to_be_unpickled(tmp_path):
    path = tmp_path / "model.npz"
    path.write_text("hello, this is text\n")
    with pytest.raises(ValueError, match=r"not a valid microgradx state file.*not an \.npz archive") as err:
        mgx.load(path)
    assert "allow_pickle" not in str(err.value) and "unsafe" not in str(err.value)


def test_load_state_dict_refuses_values_that_overflow_the_parameter_dtype():
    layer = mgx.nn.Layer(1, 1, rng=0)
    layer.weight.data = layer.weight.data.astype(np.float32)
    before = layer.weight.data.copy()
    state = {"weight": np.array([[1e300]]), "bias": np.zeros(1)}
    with pytest.raises(ValueError, match=r"key 'weight' holds 1e\+300, which overflows .* float32"):
        layer.load_state_dict(state)
    np.testing.assert_array_equal(layer.weight.data, before)
    layer.load_state_dict({"weight": np.array([[np.inf]]), "bias": np.zeros(1)})  # inf is inf
    assert np.isinf(layer.weight.data[0, 0])

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


# ---------------------------------------------------------------- nested state dicts (optimizers)
def _nested():
    return {
        "state": {
            0: {"step": 7, "exp_avg": np.arange(6.0).reshape(2, 3)},
            3: {"buf": np.ones(2, np.float32)},
        },
        "param_groups": [
            {
                "lr": 0.1,
                "betas": (0.9, 0.999),
                "eps": 1e-8,
                "amsgrad": True,
                "foreach": None,
                "params": [0, 3],
            }
        ],
        "floats": [0.1 + 0.2, -0.0, float("inf"), 5e-324, np.float64(2.5), np.float32(1.25)],
        "text": "héllo",
        "empty": {"list": [], "tuple": (), "dict": {}},
    }


def test_nested_round_trip_keeps_every_type_and_bit(tmp_path):
    mgx.save(_nested(), tmp_path / "opt.npz")
    back = mgx.load(tmp_path / "opt.npz")
    assert list(back) == ["state", "param_groups", "floats", "text", "empty"]
    assert list(back["state"]) == [0, 3]  # int keys stay ints
    assert back["state"][0]["step"] == 7 and type(back["state"][0]["step"]) is int
    np.testing.assert_array_equal(back["state"][0]["exp_avg"], np.arange(6.0).reshape(2, 3))
    assert back["state"][3]["buf"].dtype == np.float32
    assert back["param_groups"] == _nested()["param_groups"]
    assert type(back["param_groups"][0]["betas"]) is tuple
    floats = back["floats"]
    assert floats[:4] == [0.1 + 0.2, 0.0, float("inf"), 5e-324]
    assert str(floats[1]) == "-0.0"
    assert floats[4].dtype == np.float64 and floats[5].dtype == np.float32  # NumPy scalars: 0-d arrays
    assert back["text"] == "héllo" and back["empty"] == {"list": [], "tuple": (), "dict": {}}
    mgx.save({"x": {"v": float("nan")}}, tmp_path / "nan.npz")
    assert np.isnan(mgx.load(tmp_path / "nan.npz")["x"]["v"])


def test_a_nested_file_is_plain_numeric_npz_members(tmp_path):
    mgx.save(_nested(), tmp_path / "opt.npz")
    with np.load(tmp_path / "opt.npz", allow_pickle=False) as archive:
        assert all(archive[name].dtype.kind in "fiub" for name in archive.files)
        assert "__microgradx_tree__" in archive.files and "state/0/exp_avg" in archive.files


def test_zero_dimensional_arrays_keep_their_shape(tmp_path):
    # np.ascontiguousarray (used before) saved a 0-d array as shape (1,).
    mgx.save({"scalar": np.array(1.5), "flag": np.bool_(True)}, tmp_path / "s.npz")
    back = mgx.load(tmp_path / "s.npz")
    assert back["scalar"].shape == () and back["flag"].shape == ()
    fortran = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    mgx.save({"f": fortran}, tmp_path / "f.npz")
    np.testing.assert_array_equal(mgx.load(tmp_path / "f.npz")["f"], fortran)


def test_a_flat_dict_is_still_written_flat(tmp_path):
    mgx.save({"w": np.ones(2), "lr": 0.5, "sizes": [1, 2]}, tmp_path / "flat.npz")
    with np.load(tmp_path / "flat.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == ["lr", "sizes", "w"]
    back = mgx.load(tmp_path / "flat.npz")
    assert back["lr"].shape == () and back["sizes"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("state", "match"),
    [
        ({"a": {"b": {1, 2}}}, r"save: 'a/b' is a set"),
        ({"a": {"b": [np.array([{}], dtype=object)]}}, r"save: 'a/b/0' is a dtype object"),
        ({"a": {(1, 2): 3}}, r"dict keys must be strings or ints, got \(1, 2\) \(tuple\) at a"),
        ({"a": {True: 3}}, r"dict keys must be strings or ints, got True"),
        ({"a": {"f": print}}, r"'a/f' is a builtin_function_or_method"),
        ({"__microgradx_tree__": np.ones(1)}, r"reserved"),
    ],
)
def test_unsaveable_values_are_named(tmp_path, state, match):
    with pytest.raises(ValueError, match=match):
        mgx.save(state, tmp_path / "bad.npz")


def _write_tree(path, tree_bytes, **arrays):
    with zipfile.ZipFile(path, "w") as archive:
        for name, arr in {**arrays, "__microgradx_tree__": np.frombuffer(tree_bytes, np.uint8)}.items():
            buf = io.BytesIO()
            np.save(buf, arr, allow_pickle=False)
            archive.writestr(f"{name}.npy", buf.getvalue())


@pytest.mark.parametrize(
    ("tree", "arrays", "match"),
    [
        (b"{not json", {}, r"not JSON"),
        (b"\xff\xfe", {}, r"not JSON"),
        (b'{"set": [1]}', {}, r"unknown tag 'set'"),
        (
            b'{"dict": [["a", {"array": "w"}]]}',
            {},
            r"it refers to an array member 'w' that the archive does not hold",
        ),
        (
            b'{"dict": [["a", 1]]}',
            {"w": np.ones(1)},
            r"the archive holds arrays the structure does not use: 'w'",
        ),
        (b'{"list": [1]}', {}, r"the top level must be a dict, got list"),
        (b'{"dict": [[1.5, 2]]}', {}, r"a dict entry must be \[key, value\] with a string or int key"),
        (b'{"dict": [["a", [1, 2]]]}', {}, r"expected a tagged value"),
        (b'{"dict": [["a", ' * 5000 + b"1" + b"]]}" * 5000, {}, r"nested too deeply"),
    ],
)
def test_a_bad_tree_member_is_a_clear_value_error(tmp_path, tree, arrays, match):
    path = tmp_path / "tree.npz"
    _write_tree(path, tree, **arrays)
    with pytest.raises(
        ValueError, match=rf"load: '.*tree.npz' has an invalid '__microgradx_tree__' member: {match}"
    ):
        mgx.load(path)


def test_a_tree_member_that_is_not_bytes_is_refused(tmp_path):
    path = tmp_path / "tree.npz"
    mgx.save({"__x": np.ones(1)}, path)
    with zipfile.ZipFile(path, "a") as archive:
        buf = io.BytesIO()
        np.save(buf, np.ones(3))
        archive.writestr("__microgradx_tree__.npy", buf.getvalue())
    with pytest.raises(ValueError, match=r"expected UTF-8 bytes \(a 1-d uint8 array\), got a float64 array"):
        mgx.load(path)

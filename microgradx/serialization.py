"""`save` / `load`: state dicts (a model's, an optimizer's) as NumPy ``.npz`` archives, never pickle.

Two shapes of file, both plain ``.npz`` archives of numeric ``.npy`` members:

- *flat*: ``{name: array}`` (``model.state_dict()``): one member per name, nothing else, so
  ``numpy.load`` reads it as it is;
- *tree*: anything with nested dicts, lists, tuples, ``None``, bools, strings or Python numbers
  (``optimizer.state_dict()``): every array is a member, and the structure around them is one
  more member, ``__microgradx_tree__``, holding UTF-8 JSON as bytes (a ``uint8`` array). JSON
  can describe data but not run code, so loading stays as safe as for flat files.
"""

from __future__ import annotations

import json
import numbers
import os
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["load", "save"]

TREE_MEMBER = "__microgradx_tree__"  # the member holding the JSON structure of a tree file
_NUMERIC = "fiub"


def _as_numeric_array(value: Any) -> np.ndarray | None:
    """``value`` as a numeric ndarray (Tensors give their data), or None if it is not one."""
    if isinstance(value, (Mapping, str, bytes)) or value is None:
        return None
    try:
        arr = value if isinstance(value, np.ndarray) else np.asarray(getattr(value, "data", value))
    except (ValueError, TypeError):  # ragged lists
        return None
    return arr if arr.dtype.kind in _NUMERIC else None


def save(state_dict: Mapping[Any, Any], path: str | os.PathLike) -> None:
    """Write a state dict to ``path`` as an uncompressed ``.npz``, loadable without pickle.

    ``{name: array}`` (e.g. ``model.state_dict()``) is written flat, one ``.npy`` member per name.
    A dict holding nested dicts, lists, tuples, ``None``, bools, strings or Python numbers (e.g.
    ``optimizer.state_dict()``, whose keys include ints) is written as a tree: its arrays as
    members and its structure as JSON (see the module docstring); `load` gives it back with the
    same types (ints stay ints, tuples tuples, floats bit for bit). Tensors are saved as their data.

    Raises:
        TypeError: ``state_dict`` is not a mapping.
        ValueError: an empty or non-string key in a flat dict, a dict key that is neither a
            string nor an int, the reserved key ``"__microgradx_tree__"``, or a value that is
            not numeric data (an object array, a set, a function ...); the message names where.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"save: expected a mapping of name -> array, got {type(state_dict).__name__}")
    arrays: dict[str, np.ndarray] = {}
    flat = all(isinstance(k, str) for k in state_dict) and all(
        _as_numeric_array(v) is not None for v in state_dict.values()
    )
    if flat:
        for key, value in state_dict.items():
            if not key:
                raise ValueError(f"save: keys must be non-empty strings, got {key!r}")
            if key == TREE_MEMBER:
                raise ValueError(f"save: the key {key!r} is reserved for the structure of nested state dicts")
            arrays[key] = _as_numeric_array(value)  # type: ignore[assignment]
    else:
        tree = _encode(state_dict, "", arrays)
        arrays[TREE_MEMBER] = np.frombuffer(json.dumps(tree).encode("utf-8"), dtype=np.uint8)
    # One .npy member per key, written directly: np.savez(**arrays) would take a key named
    # "file" or "allow_pickle" for its own argument. (Not np.ascontiguousarray: it turns a 0-d
    # array into shape (1,).)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key, arr in arrays.items():
            with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(arr, order="C"), allow_pickle=False)


def _encode(value: Any, where: str, arrays: dict[str, np.ndarray]) -> Any:
    """A JSON value for ``value``; arrays go to ``arrays`` under a member name made from ``where``.

    Containers are tagged (``{"dict": [[key, value], ...]}``, ``{"list": [...]}``,
    ``{"tuple": [...]}``, ``{"array": member}``) so int keys and tuples survive JSON.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float) and not isinstance(value, np.floating):
        return float(value)  # json writes repr(float): the exact double, inf and nan included
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if isinstance(key, np.integer):
                key = int(key)
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise ValueError(
                    f"save: dict keys must be strings or ints, got {key!r} ({type(key).__name__}) "
                    f"at {where or 'the top level'}"
                )
            items.append([key, _encode(item, f"{where}/{key}" if where else str(key), arrays)])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        tag = "tuple" if isinstance(value, tuple) else "list"
        return {tag: [_encode(item, f"{where}/{i}", arrays) for i, item in enumerate(value)]}
    arr = (
        _as_numeric_array(value)
        if isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "data")
        else None
    )
    if arr is None:
        kind = f"dtype {value.dtype}" if isinstance(value, (np.ndarray, np.generic)) else type(value).__name__
        raise ValueError(
            f"save: {where or 'the value'!r} is a {kind}; only numeric arrays, numbers, strings, "
            "bools, None and dicts, lists and tuples of them can be saved"
        )
    name = where or "value"
    while name in arrays or name == TREE_MEMBER:
        name += "~"
    arrays[name] = arr
    return {"array": name}


def load(path: str | os.PathLike) -> dict[Any, Any]:
    """Read a file written by `save`: ``{name: ndarray}``, or the nested dict that was saved.

    Nothing in the file is executed: arrays are read with ``allow_pickle=False`` and a tree's
    structure is JSON.

    Raises:
        ValueError: the file is not a valid ``.npz`` archive, is truncated or corrupt, holds
            object arrays / pickles (``allow_pickle=False``: refused, never run), or holds a
            structure member that is not valid (bad JSON, an unknown tag, a missing array).
        FileNotFoundError: no such file.
    """
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError(
                f"load: {os.fspath(path)!r} holds a single .npy array, not an .npz archive of named arrays"
            )
        with archive:
            out = {}
            for key in archive.files:
                arr = archive[key]
                if not isinstance(arr, np.ndarray):  # a member that is not an .npy file
                    raise ValueError(
                        f"load: {os.fspath(path)!r} holds a member {key!r} that is not a NumPy array"
                    )
                if arr.dtype.kind not in _NUMERIC:
                    raise ValueError(
                        f"load: {key!r} in {os.fspath(path)!r} has dtype {arr.dtype}, expected numbers"
                    )
                out[key] = arr
    except FileNotFoundError:
        raise
    except ValueError as err:
        if str(err).startswith("load:"):
            raise
        # NumPy's own message would suggest allow_pickle=True: never, for a file of unknown origin.
        reason = "it holds pickled objects" if "pickle" in str(err) else str(err)
        if not zipfile.is_zipfile(path):
            with open(path, "rb") as fh:
                reason = f"it is not an .npz archive (it starts with {fh.read(12)!r})"
        raise ValueError(
            f"load: {os.fspath(path)!r} is not a valid microgradx state file (an .npz archive of "
            f"numeric arrays, as written by microgradx.save): {reason}"
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise ValueError(
            f"load: {os.fspath(path)!r} is not a valid .npz archive ({type(err).__name__}: {err})"
        ) from None
    if TREE_MEMBER not in out:
        return out
    return _load_tree(out, os.fspath(path))


def _load_tree(members: dict[str, np.ndarray], path: str) -> dict[Any, Any]:
    raw = members.pop(TREE_MEMBER)

    def bad(reason: str) -> ValueError:
        return ValueError(f"load: {path!r} has an invalid {TREE_MEMBER!r} member: {reason}")

    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise bad(f"expected UTF-8 bytes (a 1-d uint8 array), got a {raw.dtype} array of shape {raw.shape}")
    try:
        tree = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise bad(f"not JSON ({err})") from None
    except RecursionError:
        raise bad("nested too deeply") from None
    used: set[str] = set()

    def decode(node: Any) -> Any:
        if node is None or isinstance(node, (bool, str, int, float)):
            return node
        if not isinstance(node, dict) or len(node) != 1:
            raise bad(f"expected a tagged value such as {{'dict': ...}}, got {node!r:.80}")
        ((tag, body),) = node.items()
        if tag == "array":
            if not isinstance(body, str) or body not in members:
                raise bad(f"it refers to an array member {body!r:.80} that the archive does not hold")
            used.add(body)
            return members[body]
        if tag in ("list", "tuple") and isinstance(body, list):
            items = [decode(item) for item in body]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict" and isinstance(body, list):
            out = {}
            for pair in body:
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))):
                    raise bad(f"a dict entry must be [key, value] with a string or int key, got {pair!r:.80}")
                if isinstance(pair[0], bool):
                    raise bad(f"a dict key must be a string or an int, got {pair[0]!r}")
                out[pair[0]] = decode(pair[1])
            return out
        raise bad(f"unknown tag {tag!r:.40} (expected dict, list, tuple or array)")

    try:
        result = decode(tree)
    except RecursionError:
        raise bad("nested too deeply") from None
    if not isinstance(result, dict):
        raise bad(f"the top level must be a dict, got {type(result).__name__}")
    unused = sorted(set(members) - used)
    if unused:
        raise bad(f"the archive holds arrays the structure does not use: {', '.join(map(repr, unused[:5]))}")
    return result

"""`save` / `load`: state dicts as NumPy ``.npz`` archives, never pickle."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping

import numpy as np

__all__ = ["load", "save"]


def save(state_dict: Mapping[str, np.ndarray], path: str | os.PathLike) -> None:
    """Write ``{name: array}`` (e.g. ``model.state_dict()``) to ``path`` as an uncompressed ``.npz``.

    Arrays are stored as plain numeric arrays; object arrays are refused, so the file can be
    loaded without pickle. Tensors are accepted and saved as their data.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"save: expected a mapping of name -> array, got {type(state_dict).__name__}")
    arrays = {}
    for key, value in state_dict.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"save: keys must be non-empty strings, got {key!r}")
        arr = np.asarray(getattr(value, "data", value))
        if arr.dtype.kind not in "fiub":
            raise ValueError(f"save: {key!r} has dtype {arr.dtype}; only numeric arrays can be saved")
        arrays[key] = arr
    # One .npy member per key, written directly: np.savez(**arrays) would take a key named
    # "file" or "allow_pickle" for its own argument.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key, arr in arrays.items():
            with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(arr), allow_pickle=False)


def load(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a file written by `save`: ``{name: ndarray}``. Nothing in the file is executed.

    Raises:
        ValueError: the file is not a valid ``.npz`` archive, is truncated or corrupt, or holds
            object arrays / pickles (``allow_pickle=False``: refused, never run).
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
                if arr.dtype.kind not in "fiub":
                    raise ValueError(
                        f"load: {key!r} in {os.fspath(path)!r} has dtype {arr.dtype}, expected numbers"
                    )
                out[key] = arr
            return out
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

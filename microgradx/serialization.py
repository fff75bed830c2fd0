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
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


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
        raise ValueError(
            f"load: {os.fspath(path)!r} is not a valid microgradx state file "
            f"(an .npz archive of numeric arrays without pickle): {err}"
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise ValueError(
            f"load: {os.fspath(path)!r} is not a valid .npz archive ({type(err).__name__}: {err})"
        ) from None

"""Rendering DOT text to files: picks the Graphviz executable and is the only code that runs one.

Two renderers are supported, tried in this order:

1. the system Graphviz ``dot`` (found on ``PATH``): every format it was built with, PDF included;
2. ``graphviz-pure``, a self-contained port of ``dot`` installed as a dependency of microgradx, so
   ``pip install microgradx`` alone is enough to draw graphs. It takes the same flags
   (``graphviz-pure -Tsvg in.gv -o out.svg``) and writes SVG and PNG, not PDF. It is looked up on
   ``PATH`` and, in case ``PATH`` lacks the environment's script folder, next to the running Python
   (``sys.executable``'s ``bin``/``Scripts`` folder).

The output format comes from the file suffix (`format_for_path`): ``.svg``, ``.png``, ``.pdf``
and ``.dot``/``.gv``, which is the DOT text itself and needs no renderer at all. Every renderer
call has a timeout, so a huge graph fails with an error instead of hanging.

Examples:
    >>> svg = pipe_dot('digraph { a -> b }', 'svg')     # doctest: +SKIP
    >>> render_dot('digraph { a -> b }', 'graph.png')   # doctest: +SKIP
    PosixPath('graph.png')
"""

from __future__ import annotations

import math
import numbers
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import validation

__all__ = [
    "DEFAULT_TIMEOUT",
    "FORMATS",
    "SUFFIX_FORMATS",
    "Renderer",
    "RendererError",
    "available_renderers",
    "check_format",
    "check_timeout",
    "find_renderer",
    "format_for_path",
    "pipe_dot",
    "render_dot",
]

#: File suffix -> Graphviz output format (``-T`` flag). ``dot`` means "write the DOT text".
SUFFIX_FORMATS = {
    ".svg": "svg",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
}

#: Seconds a renderer may run before `RendererError` is raised.
DEFAULT_TIMEOUT = 60.0

_INSTALL_HINT = (
    "install the system Graphviz (e.g. `apt install graphviz`, `brew install graphviz`,"
    " `conda install graphviz`)"
)


class RendererError(RuntimeError):
    """No renderer can produce the requested format, or the renderer failed or timed out."""


@dataclass(frozen=True)
class Renderer:
    """A Graphviz-compatible executable.

    Attributes:
        name: ``"dot"`` (system Graphviz) or ``"graphviz-pure"``.
        path: absolute path of the executable.
        formats: output formats it can write (``None``: whatever the installation supports,
            which cannot be known without running it — the system ``dot``).
    """

    name: str
    path: str
    formats: frozenset[str] | None

    def supports(self, fmt: str) -> bool:
        return self.formats is None or fmt in self.formats


#: What graphviz-pure writes (it has no PDF backend).
GRAPHVIZ_PURE_FORMATS = frozenset({"svg", "png", "jpg", "jpeg", "json", "dot", "gv", "plain", "xdot"})
#: Every output format microgradx asks a renderer for (``pipe`` and ``render_graph`` alike).
FORMATS = GRAPHVIZ_PURE_FORMATS | {"pdf"}


def check_format(fmt: Any) -> str:
    """``fmt`` if it is one of `FORMATS`; else `ValueError` naming it and listing the known ones."""
    return validation.choice(fmt, sorted(FORMATS), "output format")


def check_timeout(timeout: Any) -> float:
    """``timeout`` as a float if it is a positive, finite number of seconds; else `ValueError`."""
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, numbers.Real)
        or not 0 < float(timeout) < math.inf
    ):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return float(timeout)


def _graphviz_pure_path() -> str | None:
    """``graphviz-pure`` on PATH, else next to the running interpreter (a venv's bin folder)."""
    found = shutil.which("graphviz-pure")
    if found:
        return found
    names = ["graphviz-pure.exe", "graphviz-pure"] if os.name == "nt" else ["graphviz-pure"]
    exe = Path(sys.executable)
    # Not resolved first: a venv's python is a symlink to the base interpreter, and the script
    # sits next to the symlink. The resolved location is a second guess (a plain install).
    folders = [exe.parent, exe.parent / "Scripts", exe.resolve().parent]
    for folder in folders:
        for name in names:
            candidate = folder / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def available_renderers() -> list[Renderer]:
    """Every renderer found on this machine, preferred first (system ``dot``, then graphviz-pure)."""
    found = []
    dot = shutil.which("dot")
    if dot:
        found.append(Renderer("dot", dot, None))
    pure = _graphviz_pure_path()
    if pure:
        found.append(Renderer("graphviz-pure", pure, GRAPHVIZ_PURE_FORMATS))
    return found


def find_renderer(fmt: str = "svg") -> Renderer:
    """The preferred renderer that can write ``fmt``.

    Raises:
        RendererError: when none is installed, or none of those installed writes ``fmt``
            (PDF without the system Graphviz); the message says what to install.
    """
    renderers = available_renderers()
    for renderer in renderers:
        if renderer.supports(fmt):
            return renderer
    if not renderers:
        raise RendererError(
            "no Graphviz renderer found: neither the system `dot` nor `graphviz-pure` is on PATH "
            f"or next to {sys.executable}. Fix: `pip install graphviz-pure` (a dependency of "
            f"microgradx) or {_INSTALL_HINT}; meanwhile save the DOT text with a .dot suffix."
        )
    names = ", ".join(f"{r.name} ({r.path})" for r in renderers)
    writable = sorted({"svg", "png", "dot"} if fmt == "pdf" else GRAPHVIZ_PURE_FORMATS)
    raise RendererError(
        f"cannot write {fmt!r}: the renderers found ({names}) do not support it; "
        f"graphviz-pure writes {', '.join(writable)}. Fix: {_INSTALL_HINT} to get {fmt.upper()}, "
        "or choose a .svg or .png path."
    )


def format_for_path(path: str | os.PathLike[str]) -> str:
    """The output format for ``path``'s suffix (``.svg`` -> ``"svg"``).

    Raises:
        ValueError: for a suffix that is not one of `SUFFIX_FORMATS`.
    """
    suffix = Path(path).suffix.lower()
    try:
        return SUFFIX_FORMATS[suffix]
    except KeyError:
        allowed = ", ".join(SUFFIX_FORMATS)
        raise ValueError(
            f"cannot tell the output format from the suffix {suffix or '(none)'!r} of "
            f"{str(path)!r}; expected one of {allowed}"
        ) from None


def pipe_dot(
    source: str, fmt: str = "svg", *, timeout: float = DEFAULT_TIMEOUT, renderer: Renderer | None = None
) -> bytes:
    """Run DOT ``source`` through a renderer and return the output bytes (``-T{fmt}``).

    Args:
        source: DOT text.
        fmt: Graphviz output format (``"svg"``, ``"png"``, ``"pdf"`` …).
        timeout: seconds before giving up (`RendererError`).
        renderer: a specific `Renderer`; default `find_renderer(fmt)`.

    Raises:
        ValueError: ``fmt`` is not one of `FORMATS`, or ``timeout`` is not a positive number.
        RendererError: no renderer for ``fmt``, the renderer failed (its message included) or
            timed out.
    """
    check_format(fmt)
    timeout = check_timeout(timeout)
    if fmt == "dot" and renderer is None:
        return source.encode("utf-8")
    renderer = renderer or find_renderer(fmt)
    cmd = [renderer.path, f"-T{fmt}"]
    try:
        done = subprocess.run(
            cmd, input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise RendererError(
            f"{renderer.name} took longer than {timeout:g} s to lay out the graph; draw a smaller "
            "graph (draw_graph(..., max_nodes=...)), pass a larger timeout=, or save a .dot "
            "file instead"
        ) from None
    except OSError as err:
        raise RendererError(f"could not run {renderer.name} ({renderer.path}): {err}") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip() or "no output"
        raise RendererError(f"{renderer.name} -T{fmt} failed (exit code {done.returncode}): {message}")
    return done.stdout


def render_dot(source: str, path: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Write DOT ``source`` to ``path`` in the format its suffix names; returns the path.

    ``.dot``/``.gv`` files get the DOT text itself (no renderer needed). The parent folder is
    created if missing. Nothing is written if rendering fails.
    """
    out = Path(path)
    fmt = format_for_path(out)
    check_timeout(timeout)
    data = pipe_dot(source, fmt, timeout=timeout)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out

"""Find the non-Python files frore ships: the CMake package and the MSBuild files.

In a checkout (editable install) they are the repository's own folders; a
wheel installs them as data files, which the distribution's RECORD locates
whatever the install scheme (venv, --user, --prefix).
"""

from __future__ import annotations

from pathlib import Path

from .errors import FroreError

REPO = Path(__file__).resolve().parents[2]


def shipped_dir(folder: str, marker: str) -> Path:
    """The folder holding *marker*: ``<repo>/<folder>`` or its installed copy."""
    checkout = REPO / folder
    if (checkout / marker).is_file():
        return checkout
    try:
        from importlib.metadata import PackageNotFoundError, distribution
        files = distribution("frore").files or []
    except PackageNotFoundError:
        files = []
    for f in files:
        if f.name == marker and folder in f.parts:
            return Path(f.locate()).resolve().parent
    raise FroreError(f"frore's {folder} files are missing: no {marker} in {checkout} "
                     f"nor among the installed distribution's files")

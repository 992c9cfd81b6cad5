"""frore's SCons tool lives in this folder as ``frore.py``; TOOLPATH is the folder.

    from frore.scons import TOOLPATH
    env = Environment(tools=["default", "frore"], toolpath=[TOOLPATH])

Or print it without importing frore into SCons: ``python -m frore.scons``.
"""

from pathlib import Path

TOOLPATH = str(Path(__file__).resolve().parent)

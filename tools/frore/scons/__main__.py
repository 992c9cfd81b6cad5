"""``python -m frore.scons``: print the folder to put in SCons's ``toolpath``."""

from . import TOOLPATH

print(TOOLPATH)

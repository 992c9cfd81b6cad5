"""Kept separate so tests can edit one module and watch one header change."""

import sys


def message():
    return f"hello from frozen app on Python {sys.version_info[0]}.{sys.version_info[1]}"

"""A tiny application frozen into the example program."""

import importlib

from . import greet


def report(names):
    """Import every module the table declares and say where it came from."""
    frozen = 0
    for name in names:
        module = importlib.import_module(name)
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        is_frozen = origin == "frozen"
        frozen += is_frozen
        print(f"{name}: {'frozen' if is_frozen else 'source ' + str(origin)}")
    print(f"{frozen}/{len(names)} modules frozen")
    return frozen


def main(names):
    print(greet.message())
    report(names)
    return 0

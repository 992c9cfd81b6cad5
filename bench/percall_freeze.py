"""Freeze ONE module, the way CPython's build does: one process per module.

Usage: python percall_freeze.py NAME SOURCE OUTPUT

Standard library only, like ``Programs/_freeze_module``: compile with
``<frozen NAME>``, marshal, write a C header with a plain byte array.  The
throughput benchmark runs this once per module as the baseline frore's single
batched ``regen`` is compared with.
"""

import marshal
import sys


def main(argv):
    name, source, output = argv[1:4]
    with open(source, "rb") as f:
        code = compile(f.read(), f"<frozen {name}>", "exec", dont_inherit=True, optimize=0)
    data = marshal.dumps(code)
    dec = [f"{b}," for b in range(256)].__getitem__   # as cheap as frore's writer
    lines = ["static const unsigned char _Py_M__{}[] = {{".format(name.replace(".", "_"))]
    for i in range(0, len(data), 16):
        lines.append("    " + "".join(map(dec, data[i:i + 16])))
    lines.append("};\n")
    with open(output, "w") as f:
        f.write("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""File names of generated headers (kept free of imports: `frore freeze` runs
once per header in build rules, so its start-up cost is paid hundreds of times)."""

HEADER_SUFFIX = ".frozen.h"


def header_name(source_id: str) -> str:
    """File name of a module's header.

    Not ``<module>.h``: build systems put the headers folder on the include
    path, and modules such as ``string``, ``signal`` or ``datetime`` would then
    shadow the C library's and Python's own headers.
    """
    return source_id + HEADER_SUFFIX

"""frore: declare frozen Python modules once; get C sources and build rules for every backend."""

__version__ = "0.1.0"

# The version of frore's C output, part of every header's key (see _worker.py,
# which needs it before it may import anything).
from ._worker import FORMAT_VERSION  # noqa: E402

__all__ = ["FORMAT_VERSION", "__version__"]

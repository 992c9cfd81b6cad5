"""frore: declare frozen Python modules once; get C sources and build rules for every backend."""

__version__ = "0.1.0"

# Bumped whenever the bytes frore writes into a header change for the same
# source and interpreter; it is part of each header's key, so a new format
# re-freezes everything instead of mixing old and new headers.
FORMAT_VERSION = 4

"""``python -m frore``: same as the ``frore`` console script."""

import sys

from .cli import main

sys.exit(main())

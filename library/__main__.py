"""``python -m library``: the batch commands of :mod:`library.cli`."""

import sys

from library.cli import main

if __name__ == "__main__":
    sys.exit(main())

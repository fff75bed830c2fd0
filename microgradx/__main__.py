"""``python -m microgradx``: the same command line as the ``microgradx`` script (see cli.py)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())

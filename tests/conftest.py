import os
import sys

# The oracle helpers (tests/oracles.py) are imported as a plain module.
sys.path.insert(0, os.path.dirname(__file__))

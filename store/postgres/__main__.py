"""``python -m store.postgres URL``: write the schema snapshot shipped for the major version
of URL's server (``snapshots/pgNN.json``), from a fresh init made there and rolled back."""

import sys

from workflow.policies import CATALOGUE

from .catalog import write_snapshot
from .roles import DEFAULT_CLERK

if __name__ == "__main__":
    print(write_snapshot(sys.argv[1], CATALOGUE, DEFAULT_CLERK))

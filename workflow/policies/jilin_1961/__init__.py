"""The Jilin Provincial Committee cable of 25 November 1961, as a policy table.

The only place the cable's words live: its clauses (``clauses``), facts (``facts``),
guards, effects, phrases, and the tables that tie them together: version 2 (``table``)
and version 3, the rulings (``version3``, ``rulings``). Each is checked when it loads.
"""

from workflow.validation import validate

from .table import POLICY as VERSION_2
from .version3 import POLICY as VERSION_3

validate(VERSION_2)
validate(VERSION_3)
POLICY = VERSION_2  # the version the package was first published as

__all__ = ["POLICY", "VERSION_2", "VERSION_3"]

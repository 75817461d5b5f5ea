"""The Jilin Provincial Committee cable of 25 November 1961, as a policy table.

The only place the cable's words live: its clauses (``clauses``), facts (``facts``),
guards, effects, phrases, and the table that ties them together (``table``). Checked when
it loads.
"""

from workflow.validation import validate

from .table import POLICY

validate(POLICY)

__all__ = ["POLICY"]

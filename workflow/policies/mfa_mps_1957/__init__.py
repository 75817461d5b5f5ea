"""The views of 17 December 1957 on ethnic Koreans crossing the border, as a policy table.

The rule the Jilin cable of 1961 narrowed, read from a summary of its second point (the
full text is not at hand): every reading it adopts is an assumption, stated as such in
``table.py`` and in docs/policies/mfa-mps-1957-12-17.md. Its trigger names are the
cable's wherever the step is the same step, so that one recorded trail can be replayed
under either policy (``crossings whatif``).
"""

from workflow.validation import validate

from .table import POLICY

validate(POLICY)

__all__ = ["POLICY"]

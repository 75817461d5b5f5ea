"""The views of 17 December 1957 on ethnic Koreans crossing the border, as a policy table.

The rule the Jilin cable of 1961 narrowed, read from a summary of its second point (the
full text is not at hand): every reading it adopts is an assumption, stated as such in
``table.py`` and in docs/policies/mfa-mps-1957-12-17.md. Its trigger names are the
cable's wherever the step is the same step, so that one recorded trail can be replayed
under either policy (``crossings whatif``). Where its step is the cable's step, it takes
the cable's facts, checks and records from ``workflow.policies.jilin_1961`` rather than
writing them twice (its reading 1: the same people and facts); its own words are V1-V4's.
"""

from workflow.validation import validate

from .table import POLICY

validate(POLICY)

__all__ = ["POLICY"]

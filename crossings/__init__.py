"""crossings: the 1961 Jilin cable as a persisted, audited case workflow.

``crossings.service.Service`` is the Python API; ``crossings.cli`` the command line.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"

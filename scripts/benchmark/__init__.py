"""scripts/bench: crossings measured against raw sqlite3, side by side in one run.

Not part of the installed package (setup.cfg ships workflow, store and crossings only):
run it as ``scripts/bench`` (or ``python -m bench`` from the repository root). Every
workload runs in a child process of its own (``benchmark.child``), so the peak RSS reported
is that workload's alone, and the engine and its baseline are the same kind of process.
"""

"""Deterministic fault injection, for the tests that kill a run at an exact instant.

Every write, fsync, rename and unlink of a checkpoint, a log row or a result calls ``io_point``
right after it. Environment variables (unset in normal use, so these are no-ops):
  SYMLA_KILL_AT_IO=N            SIGKILL this process right after its N-th I/O point
  SYMLA_TRACE_IO=path           append one line per I/O point (its label) to path
  SYMLA_PAUSE_AT_GENERATION=G   after the checkpoint of generation G is complete, write
                                ``<run>/.paused-at-G`` and wait to be killed (scancel tests)
Tests that run in-process replace ``io_point`` with a function that raises instead.
"""

import os
import signal
import time
from pathlib import Path

_count = 0


def io_point(label: str):
    global _count
    _count += 1
    if trace := os.environ.get("SYMLA_TRACE_IO"):
        with open(trace, "a") as f:
            f.write(f"{_count} {label}\n")
    if os.environ.get("SYMLA_KILL_AT_IO") == str(_count):
        os.kill(os.getpid(), signal.SIGKILL)


def pause_point(generation: int, run_dir):
    if os.environ.get("SYMLA_PAUSE_AT_GENERATION") == str(generation):
        Path(run_dir, f".paused-at-{generation}").write_text(f"{os.getpid()}\n")
        while True:
            time.sleep(1)

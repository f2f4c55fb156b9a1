"""The workflow runs every job with XLA single-threaded (workflow/rules/common.smk). That may make
jobs faster, but it must never change a result: the committed reference was trained with XLA's
default thread pool, and a fresh run must reproduce it bit for bit."""

import importlib.util
import json
import os
import subprocess
import sys

from conftest import REPO

spec = importlib.util.spec_from_file_location("job_threads", REPO / "benchmarks/job_threads.py")
job_threads = importlib.util.module_from_spec(spec)
spec.loader.exec_module(job_threads)


def es_state_digests(*xla_flags):
    """One compiled and one timed quick-scale grid-world SymLA generation (the quad7r stage) in a
    fresh process per entry of ``xla_flags`` (None: XLA's defaults), run side by side as the
    workflow's jobs are; the digest of each process's ES state."""
    procs = []
    for flags in xla_flags:
        env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
        if flags:
            env["XLA_FLAGS"] = flags
        procs.append(subprocess.Popen([sys.executable, str(REPO / "benchmarks/job_threads.py"), "--job",
                                       "--generations", "1"], env=env, cwd=REPO, stdout=subprocess.PIPE, text=True))
    outs = [p.communicate()[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    return [json.loads(out.strip().splitlines()[-1])["state"] for out in outs]


def test_the_workflow_sets_the_flags_this_test_checks():
    assert f'_ONE_THREAD = "{job_threads.ONE_THREAD}"' in (REPO / "workflow/rules/common.smk").read_text()


def test_one_xla_thread_per_job_gives_bit_identical_training():
    one_thread, default = es_state_digests(job_threads.ONE_THREAD, None)
    assert one_thread == default

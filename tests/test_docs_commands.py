"""Every command that README.md and docs/ show runs, and writes what the text says it writes.

The documents are the one list: every line of a ```sh block in README.md or docs/**/*.md is a
command this file runs (a trailing backslash continues it), in document order, block by block.
They run as a user runs them after taking the committed results: in a fresh clone of this
repository, after `symla pull`, at scale quick, with `uv run` meaning this test's environment.
The few that cannot run as written there are translated by the rules below, each with its
reason; a command no rule covers runs as written, and a new kind of command that cannot must get
a rule here (the test fails until it does). Commands that only illustrate (SLURM submission, CI)
are in ```text blocks and are not run.
"""

import re
import shlex
import subprocess

import pytest
from conftest import REPO, env_with_venv, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("docs-commands")]

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
# The README's set-up steps must be .ci/run's (the same install as CI's); the environment this
# test runs in is the one they made, so they are checked, not repeated.
CI_TEST_COMMAND = next(line for line in (REPO / ".ci/run").read_text().splitlines() if "pytest" in line)
SETUP = CI_TEST_COMMAND[: CI_TEST_COMMAND.index("python3 -m uv run pytest")]
# Benchmarks run at sizes that take seconds (their figures are then meaningless; what is tested is
# that the documented command runs): the arguments appended to each.
SHRUNK = {
    "benchmarks/throughput.py": "--smoke",
    "benchmarks/job_threads.py": "--experiment bandits --generations 1 --repeats 1",
    "benchmarks/paper_generation.py": "--repeats 1",
}
# Commands that read what only a local run writes (Snakemake's per-job benchmark files are in
# neither git nor DVC): they run on the results of the smoke run (tests/conftest.py), at smoke.
ON_THE_SMOKE_RUN = ("benchmarks/job_times.py",)
# Whole-DAG runs at another scale: the smoke run fixture is exactly this run, from scratch.
THE_SMOKE_RUN = ("snakemake --config scale=smoke",)


def documented_blocks():
    """(document:line, [commands]) for every ```sh block of the documents."""
    blocks = []
    for path in DOCUMENTS:
        lines, block, start = path.read_text().splitlines(), None, 0
        for number, line in enumerate(lines, start=1):
            if line.strip() == "```sh":
                block, start = [], number
            elif line.strip().startswith("```") and block is not None:
                commands = []
                for text in block:
                    if commands and commands[-1].endswith("\\"):
                        commands[-1] = commands[-1][:-1].rstrip() + " " + text.strip()
                    elif text.strip():
                        commands.append(text.strip())
                blocks.append((f"{path.relative_to(REPO)}:{start}", commands))
                block = None
            elif block is not None:
                block.append(line)
    return blocks


BLOCKS = documented_blocks()


def outputs_named(command: str) -> list[str]:
    """The files or folders a command says it writes: --out-dir, --report, a redirect, a target."""
    words = shlex.split(command.replace(">", " > "))
    named = [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("--out-dir", "--report", ">")]
    if words[:1] == ["snakemake"]:
        named += [w for w in words[1:] if w.startswith("results/")]
    return named


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A fresh clone with the committed results taken (`symla pull`, as the README says)."""
    path = tmp_path_factory.mktemp("docs") / "clone"
    run(["git", "clone", "-q", str(REPO), str(path)], path.parent)
    pulled = run(["symla", "pull"], path, timeout=900)
    assert "nothing to do" in pulled.stdout, pulled.stdout + pulled.stderr
    return path


def test_the_documents_show_commands():
    assert len(BLOCKS) >= 8 and any(path.startswith("README.md") for path, _ in BLOCKS)


@pytest.mark.parametrize("where,commands", BLOCKS, ids=[w for w, _ in BLOCKS])
def test_a_documented_command_block_runs_and_writes_what_it_says(where, commands, clone, smoke_run):
    for command in commands:
        cwd, shell = clone, command
        if command.startswith(SETUP):  # the README's two commands
            rest = command[len(SETUP):]
            assert rest in ("python3 -m uv run snakemake", "python3 -m uv run pytest -q"), command
            if rest.endswith("pytest -q"):
                assert command == CI_TEST_COMMAND  # this test session is that command
                continue
            shell = rest
        elif command.startswith(("python3 -m pip", "pip ", "python3 -m uv sync", "uv sync")):
            pytest.fail(f"{where}: an install step other than the README's ({command}): give it a rule here")
        shell = re.sub(r"(^|&& |; )(python3 -m )?uv run ", r"\1", shell)
        if shell in THE_SMOKE_RUN:
            root, log = smoke_run
            assert "steps (100%) done" in log
            continue
        for script, extra in SHRUNK.items():
            if script in shell:
                shell = f"{shell} {extra}"
        for script in ON_THE_SMOKE_RUN:  # the smoke run's folder holds the workflow, not the scripts
            if script in shell:
                cwd = smoke_run[0]
                shell = shell.replace(script, str(REPO / script)).replace("results/quick", "results/smoke")
        result = subprocess.run(["bash", "-c", shell], cwd=cwd, env=env_with_venv(), capture_output=True,
                                text=True, timeout=900)
        assert result.returncode == 0, f"{where}: `{command}` failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        assert "Traceback" not in result.stderr, f"{where}: `{command}`:\n{result.stderr[-3000:]}"
        for name in outputs_named(shell):
            out = cwd / name
            assert out.exists(), f"{where}: `{command}` did not write {name}"
            assert (any(out.iterdir()) if out.is_dir() else out.stat().st_size > 0), f"{name} is empty"
    # what the documents tell a user to run changes no committed file (e.g. `symla dvc-yaml >
    # dvc.yaml` rewrites the same dvc.yaml; `symla pull` only records the state)
    changed = run(["git", "status", "--porcelain", "--untracked-files=no"], clone).stdout
    assert not changed.strip(), f"{where} changed committed files:\n{changed}"



def test_editing_the_workbench_or_a_benchmark_reruns_no_stage(clone):
    """research/ and benchmarks/ are outside the product: no stage depends on them, in Snakemake
    (code hashes cover src/symla only) or DVC (dvc.yaml's deps); that includes the research
    worlds (research/layouts.py), which register themselves only where a research script runs."""
    edited = [clone / "research/harness.py", clone / "research/layouts.py", clone / "benchmarks/throughput.py"]
    try:
        for path in edited:
            path.write_text(path.read_text() + "\n# an edit\n")
        dry = run(["snakemake", "-n"], clone)
        assert "Nothing to be done" in dry.stdout + dry.stderr, dry.stdout + dry.stderr
        run(["dvc", "status", "-q"], clone)  # exit 0: every stage up to date
    finally:
        run(["git", "checkout", "--", *map(str, edited)], clone)

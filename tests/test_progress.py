"""Progress fits the terminal: every frame of the bar fits the width; elsewhere, plain lines."""

import io
import re

from symla.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_terminal_bar_frames_fit_an_80_column_terminal():
    term = FakeTerminal()
    progress = Progress(300, 0, label="gridworld/symla/seed0", stream=term, width=80)
    for gen in range(1, 301):
        progress.update(gen, fitness=-6.123456, centre=-5.5, steps_per_s="1.39e+05")
    frames = [f for f in re.split(r"[\r\n]", term.getvalue()) if f.strip()]
    frames = [re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", f) for f in frames]
    assert frames and all(len(f) <= 80 for f in frames), max(frames, key=len)
    assert "300/300" in frames[-1]


def test_plain_lines_elsewhere_name_generation_fields_and_eta():
    log = io.StringIO()
    progress = Progress(3, 0, label="bandits/symla/seed0", stream=log, every_s=0)
    for gen in (1, 2, 3):
        progress.update(gen, fitness=9.25)
    lines = log.getvalue().splitlines()
    assert len(lines) == 3 and lines[-1].startswith("bandits/symla/seed0 gen 3/3 | fitness 9.25 | ETA ")


def test_the_console_monitor_shows_each_running_jobs_newest_progress_line(tmp_path):
    """What `snakemake` prints once a minute: the newest progress line of every job log written
    to lately (an old log, a finished loop and a log without progress lines print nothing)."""
    import os

    from symla.progress import ConsoleMonitor, latest_progress

    logs = tmp_path / "logs"
    running = logs / "train/gridworld/symla/seed0.log"
    running.parent.mkdir(parents=True)
    writer = Progress(500, 0, label="gridworld/symla/seed0", stream=running.open("w"), every_s=0)
    for gen in (1, 2, 3):
        writer.update(gen, fitness=3.5, centre=4.0)
    writer.stream.close()
    finished = logs / "train/bandits/symla/seed0.log"
    finished.parent.mkdir(parents=True)
    finished.write_text("bandits/symla/seed0 gen 300/300 | fitness 9 | ETA 0h00m00s\n")
    os.utime(finished, (1e9, 1e9))  # last written long ago
    (logs / "curve.log").write_text("no progress here\n")
    done = logs / "train/control/symla/seed0.log"  # written just now, at its last generation
    done.parent.mkdir(parents=True)
    done.write_text("control/symla/seed0 gen 3/3 | fitness 1 | ETA 0h00m00s\n")
    assert latest_progress(logs, active_within_s=120) == [running.read_text().splitlines()[-1]]
    out = io.StringIO()
    ConsoleMonitor(logs, every_s=60, stream=out).report()
    assert out.getvalue().startswith("[progress] gridworld/symla/seed0 gen 3/500 | fitness 3.5 | centre 4 | ETA ")
    assert out.getvalue().count("\n") == 1


def test_the_meta_test_reports_its_chunks_in_the_same_line_format(capsys):
    """An evaluation job's progress: chunks over every split, in the line the console monitor reads."""
    import dataclasses

    from conftest import REPO

    from symla.config import load_params, resolve_experiment
    from symla.evaluate import evaluate_learner
    from symla.learners import RandomPolicy
    from symla.progress import PROGRESS_LINE

    exp = resolve_experiment(load_params(REPO / "params.yaml", "smoke"), "bandits", "smoke")
    exp = dataclasses.replace(exp, evaluation=dataclasses.replace(exp.meta_test, lifetimes=8, chunk=4))
    evaluate_learner(exp, RandomPolicy(), {}, {"learner": "random", "seed": 0}, None)
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith(f"bandits/random/seed0 chunk {2 * len(exp.eval_splits)}/{2 * len(exp.eval_splits)} "
                                f"| split {exp.eval_splits[-1]} | ETA "), lines
    assert all(PROGRESS_LINE.match(line) for line in lines), lines

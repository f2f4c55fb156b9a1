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

"""Progress for long jobs: a tqdm bar that fits the terminal's width on a terminal, and plain
periodic lines (generation, fields, ETA) everywhere else (Snakemake logs, SLURM output files).
ConsoleMonitor brings the newest of those lines to the Snakemake console, which otherwise shows
only "N of M steps"."""

import re
import sys
import threading
import time
from pathlib import Path

from tqdm import tqdm


class Progress:
    def __init__(self, total: int, start: int = 0, label: str = "", every_s: float = 10.0, stream=None,
                 width: int | None = None, unit: str = "gen"):
        self.total, self.start, self.label, self.unit = total, start, label, unit
        self.stream = stream or sys.stderr
        self.every_s = every_s
        self.t0 = time.monotonic()
        self.last_print = -1e9
        self.bar = None
        if getattr(self.stream, "isatty", lambda: False)():
            # dynamic_ncols follows the terminal's width as it changes; ``width`` pins it (tests)
            self.bar = tqdm(total=total, initial=start, desc=label, file=self.stream, unit=unit,
                            dynamic_ncols=width is None, ncols=width, leave=True, mininterval=0.5)

    def update(self, done: int, **fields):
        if self.bar is not None:
            self.bar.set_postfix({k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in fields.items()},
                                 refresh=False)
            self.bar.update(done - self.bar.n)
            if done >= self.total:
                self.bar.close()
            return
        now = time.monotonic()
        if now - self.last_print < self.every_s and done < self.total:
            return
        rate = (done - self.start) / max(now - self.t0, 1e-9)
        eta = (self.total - done) / rate if rate > 0 else float("nan")
        parts = [f"{self.label} {self.unit} {done}/{self.total}"]
        parts += [f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in fields.items()]
        parts.append(f"ETA {_fmt(eta)}")
        self.stream.write(" | ".join(parts) + "\n")
        self.stream.flush()
        self.last_print = now


def _fmt(seconds: float) -> str:
    if seconds != seconds:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m{seconds % 60:02d}s"


PROGRESS_LINE = re.compile(r"^\S+ (?:gen|chunk) (\d+)/(\d+) \|.*\| ETA \S+$")


def latest_progress(log_dir, active_within_s: float, now: float | None = None) -> list[str]:
    """The newest progress line of every job log under ``log_dir`` written to in the last
    ``active_within_s`` seconds (running jobs write one every 10 s), sorted by log path; a job whose
    newest line is its last generation has finished its loop and is left out."""
    now = time.time() if now is None else now
    lines = []
    for log in sorted(Path(log_dir).rglob("*.log")):
        try:
            if now - log.stat().st_mtime > active_within_s:
                continue
            with log.open("rb") as f:
                f.seek(max(0, log.stat().st_size - 4096))
                tail = f.read().decode("utf-8", "replace").splitlines()
        except OSError:  # a log that moved or vanished between listing and reading
            continue
        found = [match for line in tail if (match := PROGRESS_LINE.match(line))]
        if found and found[-1][1] != found[-1][2]:
            lines.append(found[-1][0])
    return lines


class ConsoleMonitor:
    """A daemon thread that prints the running jobs' newest progress lines every ``every_s``
    seconds to ``stream`` (the workflow starts it in ``onstart``; logs stay where they are:
    results/<scale>/logs/<rule>/...). Works alike for local jobs and SLURM jobs on a shared
    file system; prints nothing while no job reports progress."""

    def __init__(self, log_dir, every_s: float = 60.0, stream=None):
        self.log_dir, self.every_s, self.stream = Path(log_dir), every_s, stream or sys.stderr
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="symla-progress", daemon=True)

    def start(self) -> "ConsoleMonitor":
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()

    def report(self):
        lines = latest_progress(self.log_dir, active_within_s=max(2 * self.every_s, 30.0))
        if lines:
            self.stream.write("".join(f"[progress] {line}\n" for line in lines))
            self.stream.flush()

    def _run(self):
        while not self._stop.wait(self.every_s):
            self.report()

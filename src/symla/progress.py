"""Progress for long jobs: a tqdm bar that fits the terminal's width on a terminal, and plain
periodic lines (generation, fields, ETA) everywhere else (Snakemake logs, SLURM output files)."""

import sys
import time

from tqdm import tqdm


class Progress:
    def __init__(self, total: int, start: int = 0, label: str = "", every_s: float = 10.0, stream=None,
                 width: int | None = None):
        self.total, self.start, self.label = total, start, label
        self.stream = stream or sys.stderr
        self.every_s = every_s
        self.t0 = time.monotonic()
        self.last_print = -1e9
        self.bar = None
        if getattr(self.stream, "isatty", lambda: False)():
            # dynamic_ncols follows the terminal's width as it changes; ``width`` pins it (tests)
            self.bar = tqdm(total=total, initial=start, desc=label, file=self.stream, unit="gen",
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
        parts = [f"{self.label} gen {done}/{self.total}"]
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

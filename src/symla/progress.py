"""Progress for long jobs: a live line with ETA on a terminal, plain periodic lines otherwise."""

import sys
import time


class Progress:
    def __init__(self, total: int, start: int = 0, label: str = "", every_s: float = 10.0, stream=None):
        self.total, self.start, self.label = total, start, label
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.every_s = every_s
        self.t0 = time.monotonic()
        self.last_print = -1e9

    def update(self, done: int, **fields):
        now = time.monotonic()
        rate = (done - self.start) / max(now - self.t0, 1e-9)
        eta = (self.total - done) / rate if rate > 0 else float("nan")
        parts = [f"{self.label} gen {done}/{self.total}"]
        parts += [f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in fields.items()]
        parts.append(f"ETA {_fmt(eta)}")
        line = " | ".join(parts)
        if self.interactive:
            self.stream.write("\r\033[K" + line + ("\n" if done >= self.total else ""))
            self.stream.flush()
        elif now - self.last_print >= self.every_s or done >= self.total:
            self.stream.write(line + "\n")
            self.stream.flush()
            self.last_print = now


def _fmt(seconds: float) -> str:
    if seconds != seconds:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m{seconds % 60:02d}s"

"""Measured job times of a finished scale, per experiment and rule, from Snakemake's benchmark files.

    uv run python benchmarks/job_times.py [results/quick]

Every rule writes `benchmarks/<rule>/...tsv` (Snakemake's `benchmark:` directive: wall seconds,
memory). This sums them per experiment and rule, which is the number behind README's table of
time per claim. Jobs ran two at a time on the 2-core machine, so the wall time of a whole run is
about half the summed job time (the total is printed with the longest job). The median seconds
per job of each rule follow; on a smoke run, where compute is negligible, they are the start-up
and compilation time per job that symla.cost.COMPILE_SECONDS holds (cold and warm cache).
"""

import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def job_seconds(results: Path):
    """(rule, experiment or '-', job name, seconds) for every benchmark file under results."""
    for tsv in sorted((results / "benchmarks").rglob("*.tsv")):
        parts = tsv.relative_to(results / "benchmarks").with_suffix("").parts
        rule = parts[0]
        experiment = parts[1] if rule in ("train", "evaluate", "baselines", "aggregate") and len(parts) > 1 else "-"
        with open(tsv) as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        yield rule, experiment, "/".join(parts[1:]), float(rows[-1]["s"])


def main():
    results = Path(sys.argv[1] if len(sys.argv) > 1 else "results/quick")
    if not (results / "benchmarks").is_dir():
        sys.exit(f"error: no {results}/benchmarks; run the pipeline at that scale first")
    table = defaultdict(float)
    longest = ("", 0.0)
    total = 0.0
    per_rule = defaultdict(list)
    for rule, experiment, name, seconds in job_seconds(results):
        table[(experiment, rule)] += seconds
        per_rule[rule].append(seconds)
        total += seconds
        if seconds > longest[1]:
            longest = (f"{rule}/{name}", seconds)
    print(f"{'experiment':12s} {'rule':10s} {'job-minutes':>11s}")
    for experiment in sorted({e for e, _ in table}):
        rules = {r: s for (e, r), s in table.items() if e == experiment}
        for rule, seconds in sorted(rules.items()):
            print(f"{experiment:12s} {rule:10s} {seconds / 60:11.1f}")
        if experiment != "-":
            print(f"{experiment:12s} {'all':10s} {sum(rules.values()) / 60:11.1f}")
    print(f"total job-minutes {total / 60:.1f}; longest job {longest[0]} {longest[1] / 60:.1f} min")
    print("median seconds per job: " + ", ".join(f"{rule} {statistics.median(seconds):.1f}"
                                                   for rule, seconds in sorted(per_rule.items())))


if __name__ == "__main__":
    main()

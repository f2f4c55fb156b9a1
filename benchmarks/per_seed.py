"""Per-seed means of one experiment's meta-test lifetimes: the numbers behind README's per-seed
tables (the claims themselves pool seeds in a hierarchical bootstrap, which hides which seed did what).

    uv run python benchmarks/per_seed.py [results/quick/aggregate/gridworld/lifetimes.csv]

Prints one row per (split, learner, seed): the mean over lifetimes of each per-lifetime metric
(blank where a metric does not apply to the split, e.g. episode returns on a grid world).
"""

import csv
import sys
from collections import defaultdict

import numpy as np

METRICS = ["fitness", "reward_rise", "episode_return_late", "episode_return_rise"]


def per_seed_means(path):
    """{(split, learner, seed): {metric: mean or nan}} over the lifetimes in ``path``."""
    groups = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            groups[(row["split"], row["learner"], row["seed"])].append(row)
    means = {}
    for key, rows in groups.items():
        means[key] = {m: float(np.mean([float(r[m]) for r in rows if r[m] != ""])) if any(r[m] != "" for r in rows)
                      else float("nan") for m in METRICS}
    return means


def main(argv):
    path = argv[1] if len(argv) > 1 else "results/quick/aggregate/gridworld/lifetimes.csv"
    means = per_seed_means(path)
    print(f"{'split':<28} {'learner':<10} {'seed':>4} " + " ".join(f"{m:>20}" for m in METRICS))
    for (split, learner, seed), m in sorted(means.items()):
        print(f"{split:<28} {learner:<10} {seed:>4} " + " ".join(f"{m[k]:>20.2f}" for k in METRICS))


if __name__ == "__main__":
    main(sys.argv)

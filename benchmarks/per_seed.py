"""Per-seed means of one experiment's meta-test lifetimes: the numbers behind README's per-seed
tables (the claims themselves pool seeds in a hierarchical bootstrap, which hides which seed did what).

    uv run python benchmarks/per_seed.py [results/quick/aggregate/gridworld/lifetimes.csv]

Prints one row per (split, learner, seed): the mean over lifetimes of each per-lifetime metric of
`symla.analysis.METRICS` (NaN where a metric does not apply to the split, e.g. episode returns on
a grid world).
"""

import sys

import pandas as pd

from symla.analysis import METRICS


def per_seed_means(path) -> pd.DataFrame:
    """Mean of every metric per (split, learner, seed); empty cells are skipped, as pandas does."""
    return pd.read_csv(path).groupby(["split", "learner", "seed"])[list(METRICS)].mean()


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "results/quick/aggregate/gridworld/lifetimes.csv"
    print(per_seed_means(path).round(2).reset_index().to_string(index=False))

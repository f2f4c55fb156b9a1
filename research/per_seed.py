"""Per-seed means of one experiment's meta-test lifetimes: the numbers behind README's per-seed
tables (the claims themselves pool seeds in a hierarchical bootstrap, which hides which seed did what).

    uv run python research/per_seed.py [results/quick/aggregate/gridworld/lifetimes.csv]

Prints one row per (split, learner, seed): the mean over lifetimes of each per-lifetime metric of
`symla.analysis.METRICS` (NaN where a metric does not apply to the split, e.g. episode returns on
a grid world). Where the experiment's runs were early-stopped (es.select), it also prints each
run's validation scores and the generation it published, from meta_params.msgpack's metadata.
"""

import sys
from pathlib import Path

import pandas as pd

from symla.analysis import METRICS


def per_seed_means(path) -> pd.DataFrame:
    """Mean of every metric per (split, learner, seed); empty cells are skipped, as pandas does."""
    return pd.read_csv(path).groupby(["split", "learner", "seed"])[list(METRICS)].mean()


def selections(lifetimes_path) -> list[str]:
    """One line per early-stopped run of the experiment (results/<scale>/runs/<experiment>/...)."""
    from symla.checkpoint import load_raw

    aggregate = Path(lifetimes_path).resolve().parent
    runs = aggregate.parent.parent / "runs" / aggregate.name
    lines = []
    for path in sorted(runs.glob("*/seed*/meta_params.msgpack")):
        record = load_raw(path)[1].get("selection")
        if record:
            scores = " ".join(f"{s['generation']}:{s['mean']:+.2f}" for s in record["scores"])
            lines.append(f"{path.parent.parent.name} {path.parent.name}: published generation "
                         f"{record['selected_generation']} ({record['statistic']}; {scores})")
    return lines


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "results/quick/aggregate/gridworld/lifetimes.csv"
    print(per_seed_means(path).round(2).reset_index().to_string(index=False))
    for line in selections(path):
        print(line)

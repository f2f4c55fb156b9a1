"""Aggregation of meta-test tables and the statistics behind every claim.

Confidence intervals are 95% hierarchical bootstrap intervals over meta-training seeds and, within
each seed, meta-test lifetimes: a claim must hold across seeds, not for one lucky run. The
bootstrap's own seed is fixed, so the same tables give the same intervals bit for bit.
"""

import warnings

import numpy as np
import pandas as pd

from symla.errors import SymlaError

BOOTSTRAP_SEED = 0
BOOTSTRAP_SAMPLES = 2000
METRICS = ("fitness", "env_return", "mean_episode_return", "reward_rise", "episode_return_rise",
           "episode_return_late")


def add_within_lifetime_metrics(lifetimes: pd.DataFrame, bins: pd.DataFrame) -> pd.DataFrame:
    """Per lifetime: the change from the first third of the lifetime to the last third.

    The episode return of a part of the lifetime is the reward collected in it per episode that
    ended in it (for CartPole: steps per fall), the renewal estimate of the mean episode return.
    The mean return of the episodes that end in a part would be biased: an episode ending early in
    the lifetime is short by construction, so even a policy that learns nothing (one that pushes
    left and right in turn, tests/test_claims.py) would "rise" by more than random does."""
    num_bins = int(bins["bin"].max()) + 1
    third = max(1, num_bins // 3)
    keys = ["experiment", "split", "learner", "seed", "lifetime_index"]
    part = np.where(bins["bin"] < third, "early", np.where(bins["bin"] >= num_bins - third, "late", "mid"))
    grouped = bins.assign(part=part).groupby(keys + ["part"])[["reward", "episodes", "episode_return_sum"]].sum()
    wide = grouped.unstack("part")
    reward_rise = (wide[("reward", "late")] - wide[("reward", "early")]) / third
    ep_late = wide[("reward", "late")] / wide[("episodes", "late")].replace(0, np.nan)
    ep_early = wide[("reward", "early")] / wide[("episodes", "early")].replace(0, np.nan)
    extra = pd.DataFrame({"reward_rise": reward_rise, "episode_return_late": ep_late,
                          "episode_return_rise": ep_late - ep_early}).reset_index()
    return lifetimes.merge(extra, on=keys, how="left")


def hierarchical_bootstrap(values: np.ndarray, samples=BOOTSTRAP_SAMPLES, seed=BOOTSTRAP_SEED):
    """values: [seeds, lifetimes] (NaN = undefined). Returns (mean, ci_low, ci_high)."""
    values = np.asarray(values, np.float64)
    rng = np.random.default_rng(seed)
    S, N = values.shape
    seed_idx = rng.integers(0, S, (samples, S))
    life_idx = rng.integers(0, N, (samples, S, N))
    resampled = values[seed_idx[..., None], life_idx]
    with warnings.catch_warnings():  # all-NaN resamples (no episode ended) are expected: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(resampled.reshape(samples, -1), axis=1)
    mean = _nanmean(values)
    if not np.isfinite(means).any():
        return mean, float("nan"), float("nan")
    low, high = np.nanpercentile(means, [2.5, 97.5])
    return mean, float(low), float(high)


def curve_summary(bins: pd.DataFrame, metric="reward", samples=1000, seed=BOOTSTRAP_SEED) -> pd.DataFrame:
    """Within-lifetime curve per split x learner x bin: mean and the same 95% hierarchical
    bootstrap as the claims (seeds, then lifetimes within each seed). metric "reward": reward per
    part of the lifetime; "episode_return": reward per episode ended in the part, the estimate the
    claims use (add_within_lifetime_metrics; a ratio of resampled sums; NaN where none ended)."""
    num_col, den_col = ("reward", "episodes") if metric == "episode_return" else ("reward", None)
    rows = []
    for (split, learner), group in bins.groupby(["split", "learner"], sort=True):
        seeds, lifetimes = np.unique(group["seed"]), np.unique(group["lifetime_index"])
        bin_ids = np.unique(group["bin"])
        cube = group.set_index(["seed", "lifetime_index", "bin"]).reindex(
            pd.MultiIndex.from_product([seeds, lifetimes, bin_ids]))
        shape = (len(seeds), len(lifetimes), len(bin_ids))
        num = cube[num_col].to_numpy(np.float64).reshape(shape)
        den = np.ones(shape) if den_col is None else cube[den_col].to_numpy(np.float64).reshape(shape)
        rng = np.random.default_rng(seed)
        sums = []
        for start in range(0, samples, 100):  # chunks keep the gathered [c, S, N, B] small
            c = min(100, samples - start)
            si = rng.integers(0, shape[0], (c, shape[0]))[..., None]
            li = rng.integers(0, shape[1], (c, shape[0], shape[1]))
            sums.append((num[si, li].sum((1, 2)), den[si, li].sum((1, 2))))
        n, d = (np.concatenate(x) for x in zip(*sums, strict=True))
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            boot = n / np.where(d > 0, d, np.nan)
            low, high = np.nanpercentile(boot, [2.5, 97.5], axis=0)
            total = den.sum((0, 1))
            mean = num.sum((0, 1)) / np.where(total > 0, total, np.nan)
        for b, m, lo, hi in zip(bin_ids, mean, low, high, strict=True):
            rows.append({"split": split, "learner": learner, "bin": int(b), "mean": m, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["split", "learner", "bin", "mean", "ci_low", "ci_high"])


def _nanmean(x) -> float:
    x = np.asarray(x, np.float64)
    return float(np.nanmean(x)) if np.isfinite(x).any() else float("nan")


def side_values(table: pd.DataFrame, side: dict, metric: str, seeds=None) -> pd.DataFrame:
    """[seed x lifetime] values of one learner on one split; baselines (seed -1) cover every seed."""
    rows = table[(table["learner"] == side["learner"]) & (table["split"] == side["split"])]
    if rows.empty:
        raise SymlaError(f"no meta-test results for learner {side['learner']!r} on split {side['split']!r}; "
                         "check the claim's experiment, learner and split names in params.yaml")
    wide = rows.pivot(index="seed", columns="lifetime_index", values=metric)
    if list(wide.index) == [-1] and seeds is not None:
        wide = pd.DataFrame(np.repeat(wide.values, len(seeds), 0), index=seeds, columns=wide.columns)
    return wide


def claim_statistic(table: pd.DataFrame, claim: dict) -> dict:
    """The paired difference a - b (or a alone) of a claim, with its 95% CI and verdict."""
    metric = claim.get("metric", "fitness")
    a = side_values(table, claim["a"], metric)
    seeds = list(a.index)
    if "b" in claim:
        b = side_values(table, claim["b"], metric, seeds).reindex(index=a.index, columns=a.columns)
        diff = a.values - b.values
        b_mean = _nanmean(b.values)
    else:
        diff, b_mean = a.values, 0.0
    mean, low, high = hierarchical_bootstrap(diff)
    threshold = float(claim["threshold"])
    test = claim["test"]
    if test == "greater":
        passed = low > threshold
    elif test == "less":
        passed = high < -threshold
    elif test == "within":
        passed = -threshold < low and high < threshold
    else:
        raise SymlaError(f"claim test {test!r} unknown; use greater, less or within")
    return {"a_mean": _nanmean(a.values), "b_mean": b_mean, "difference": mean,
            "ci_low": low, "ci_high": high, "threshold": threshold, "test": test,
            "passed": bool(passed), "seeds": len(seeds), "lifetimes": int(a.shape[1]), "metric": metric}


def summary_table(lifetimes: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% CI of every metric for every learner x split."""
    rows = []
    for (split, learner), group in lifetimes.groupby(["split", "learner"], sort=True):
        for metric in METRICS:
            if metric not in group:
                continue
            wide = group.pivot(index="seed", columns="lifetime_index", values=metric)
            mean, low, high = hierarchical_bootstrap(wide.values)
            rows.append({"split": split, "learner": learner, "metric": metric, "mean": mean,
                         "ci_low": low, "ci_high": high, "seeds": wide.shape[0], "lifetimes": wide.shape[1]})
    return pd.DataFrame(rows)


LIFETIME_COLUMNS = ("experiment", "split", "learner", "seed", "lifetime_index", "fitness", "env_return", "episodes",
                    "mean_episode_return")
BIN_COLUMNS = ("experiment", "split", "learner", "seed", "lifetime_index", "bin", "reward", "episodes",
               "episode_return_sum")
MAY_BE_NAN = ("mean_episode_return",)  # undefined where no episode ended


def read_table(path, columns, may_be_nan=MAY_BE_NAN):
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        raise SymlaError(f"{path} is missing; run the evaluation that writes it first")
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as err:
        raise SymlaError(f"{path} is not a readable table ({str(err).splitlines()[0][:120]}); "
                         "rerun the step that writes it") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SymlaError(f"{path} lacks column(s) {', '.join(missing)}; rerun the step that writes it")
    if table.empty:
        raise SymlaError(f"{path} has a header but no rows (a cut or damaged file?); rerun the step that writes it")
    bad = [c for c in columns if c not in may_be_nan and table[c].isna().any()]
    if bad:
        rows = int(table[bad].isna().any(axis=1).sum())
        raise SymlaError(f"{path} has {rows} row(s) with missing values in {', '.join(bad)} (a cut or "
                         "damaged file?); rerun the step that writes it")
    return table


def read_meta_test_tables(dirs):
    """lifetimes.csv and bins.csv of evaluate/baselines output directories, checked: the expected
    columns, no missing values where none can be, every (split, learner, seed) with the same
    lifetimes 0..n-1 and every lifetime with the same bins 0..k-1. A bad file is named."""
    from pathlib import Path

    seen = {}
    for d in dirs:
        if (real := Path(d).resolve()) in seen:
            raise SymlaError(f"{d} is given twice (also as {seen[real]}); give each evaluation directory once")
        seen[real] = d
    lifetimes, bins = [], []
    for d in dirs:
        lt = read_table(Path(d) / "lifetimes.csv", LIFETIME_COLUMNS)
        bn = read_table(Path(d) / "bins.csv", BIN_COLUMNS)
        lifetimes.append((Path(d) / "lifetimes.csv", lt))
        bins.append((Path(d) / "bins.csv", bn))
    experiments = {e for _, t in lifetimes for e in t["experiment"].unique()}
    if len(experiments) > 1:
        raise SymlaError(f"the inputs mix experiments {', '.join(sorted(map(str, experiments)))}; "
                         "aggregate one experiment at a time")
    group = ["split", "learner", "seed"]
    owner = {}
    for path, t in lifetimes:
        for key in t[group].drop_duplicates().itertuples(index=False):
            if tuple(key) in owner:
                raise SymlaError(f"{path} and {owner[tuple(key)]} both hold {dict(zip(group, key))}; give each "
                                 "evaluation directory once")
            owner[tuple(key)] = path
    n = {len(g) for _, t in lifetimes for _, g in t.groupby(group)}
    k = {int(t["bin"].max()) + 1 for _, t in bins if len(t)}
    for path, t in lifetimes:
        for key, g in t.groupby(group):
            if len(n) > 1 or not np.array_equal(np.sort(g["lifetime_index"].to_numpy()), np.arange(len(g))):
                raise SymlaError(f"{path}: {dict(zip(group, key))} has {len(g)} lifetimes, others "
                                 f"{sorted(n)}; rerun the evaluation that writes it")
    for path, t in bins:
        counts = t.groupby(group + ["lifetime_index"])["bin"].agg(["count", "min", "max"])
        if len(k) > 1 or not ((counts["count"] == max(k)) & (counts["min"] == 0) & (counts["max"] == max(k) - 1)).all():
            raise SymlaError(f"{path}: not every lifetime has bins 0..{max(k) - 1}; "
                             "rerun the evaluation that writes it")
        per_group = counts.groupby(level=group).size()
        if len(per_group) and (per_group != max(n)).any():
            raise SymlaError(f"{path} covers {int(per_group.min())} lifetimes of some split and learner, "
                             f"not {max(n)}; rerun the evaluation that writes it")
    return (pd.concat([t for _, t in lifetimes], ignore_index=True),
            pd.concat([t for _, t in bins], ignore_index=True))

"""Seaborn figures, written deterministically (no timestamps) as PNG and PDF."""

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from symla.checkpoint import atomic_write_bytes  # noqa: E402

PNG_METADATA = {"Software": None}
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}


def save(fig, stem):
    """Write stem.png and stem.pdf with no timestamps, so equal figures have equal hashes."""
    stem = Path(stem)
    for suffix, kw in ((".png", {"dpi": 120, "metadata": PNG_METADATA}), (".pdf", {"metadata": PDF_METADATA})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=suffix[1:], **kw)
        atomic_write_bytes(stem.parent / (stem.name + suffix), buffer.getvalue())  # never half a figure
    plt.close(fig)


def training_curve(log_csv, stem, title=""):
    """Population mean / best / worst and centre fitness over generations (no wall times)."""
    log = pd.read_csv(log_csv)
    tidy = log.melt(id_vars="generation",
                    value_vars=["fitness_mean", "fitness_best", "fitness_worst", "fitness_centre"],
                    var_name="statistic", value_name="lifetime reward")
    sns.set_theme(style="whitegrid")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    sns.lineplot(tidy, x="generation", y="lifetime reward", hue="statistic", ax=ax)
    ax.set_title(title)
    fig.tight_layout()
    save(fig, stem)


def lifetime_reward_figure(lifetimes: pd.DataFrame, stem, title, splits=None):
    """Mean lifetime reward per split and learner, 95% bootstrap CI, baselines included."""
    data = lifetimes if not splits else lifetimes[lifetimes["split"].isin(splits)]
    sns.set_theme(style="whitegrid")
    fig, ax = plt.subplots(figsize=(8, 3.8))
    order = list(dict.fromkeys(data["split"]))
    hue_order = [h for h in ("symla", "metarnn", "reinforce", "random", "reference", "best_arm") if h in set(data["learner"])]
    sns.barplot(data, x="split", y="fitness", hue="learner", order=order, hue_order=hue_order,
                errorbar=("ci", 95), n_boot=1000, seed=0, ax=ax)
    for bars in ax.containers:  # values on the bars: a bar at 0 (e.g. no failures) is otherwise invisible
        ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=2)
    low, high = ax.get_ylim()  # room for the labels at both ends (bars stick to 0 otherwise)
    ax.set_ylim(low - 0.08 * (high - low) * (low < 0), high + 0.08 * (high - low))
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_ylabel("lifetime reward (mean, 95% CI)")
    ax.set_title(title)
    fig.tight_layout()
    save(fig, stem)


def within_lifetime_figure(bins: pd.DataFrame, stem, title, metric="reward", splits=None):
    """How reward (or episode return) changes over the lifetime: learning inside a lifetime."""
    data = bins if not splits else bins[bins["split"].isin(splits)]
    if metric == "episode_return":
        grouped = data.groupby(["learner", "split", "seed", "bin"], as_index=False)[["episode_return_sum", "episodes"]].sum()
        grouped["value"] = grouped["episode_return_sum"] / grouped["episodes"].where(grouped["episodes"] > 0)
        ylabel = "mean episode return"
    else:
        grouped = data.groupby(["learner", "split", "seed", "bin"], as_index=False)["reward"].mean()
        grouped["value"] = grouped["reward"]
        ylabel = "reward per lifetime part"
    sns.set_theme(style="whitegrid")
    splits_present = list(dict.fromkeys(grouped["split"]))
    fig, axes = plt.subplots(1, len(splits_present), figsize=(4.2 * len(splits_present), 3.6), squeeze=False)
    hue_order = [h for h in ("symla", "metarnn", "reinforce", "random", "reference") if h in set(grouped["learner"])]
    for ax, split in zip(axes[0], splits_present, strict=False):
        sns.lineplot(grouped[grouped["split"] == split], x="bin", y="value", hue="learner", hue_order=hue_order,
                     errorbar=("ci", 95), n_boot=1000, seed=0, marker="o", ax=ax)
        ax.set_title(split)
        ax.set_xlabel("part of the lifetime")
        ax.set_ylabel(ylabel)
    fig.suptitle(title)
    fig.tight_layout()
    save(fig, stem)

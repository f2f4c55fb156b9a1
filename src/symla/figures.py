"""Seaborn/matplotlib figures, written deterministically (no timestamps) as PNG and PDF.

Every interval drawn is the statistic the claims use: bars take their 95% CI from the
aggregate's summary.csv (hierarchical bootstrap over seeds and lifetimes), curves get the same
bootstrap per part of the lifetime (analysis.curve_bootstrap), training curves a bootstrap over
seeds. Colours are fixed per learner in every figure.
"""

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from symla.checkpoint import atomic_write_bytes  # noqa: E402

PNG_METADATA = {"Software": None}
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}
LEARNERS = ("symla", "metarnn", "reinforce", "random", "reference", "best_arm")  # drawing order
LABELS = {"symla": "SymLA", "metarnn": "MetaRNN", "reinforce": "REINFORCE (hand-written)",
          "random": "random", "reference": "hand-written reference", "best_arm": "best arm (oracle)"}
COLOURS = dict(zip(LEARNERS, sns.color_palette("colorblind", len(LEARNERS)), strict=True))
CEILINGS = ("reference", "best_arm")  # known-good policies: a note (a ceiling where nothing beats them)


def save(fig, stem):
    """Write stem.png and stem.pdf with no timestamps, so equal figures have equal hashes."""
    stem = Path(stem)
    try:
        for suffix, kw in ((".png", {"dpi": 120, "metadata": PNG_METADATA}), (".pdf", {"metadata": PDF_METADATA})):
            buffer = io.BytesIO()
            fig.savefig(buffer, format=suffix[1:], **kw)
            atomic_write_bytes(stem.parent / (stem.name + suffix), buffer.getvalue())  # never half a figure
    finally:
        plt.close(fig)  # also when a write fails: a long-lived process keeps no figure open


def _learners(present):
    return [name for name in LEARNERS if name in set(present)] + sorted(set(present) - set(LEARNERS))


def _colour(name):
    return COLOURS.get(name, "grey")


TRAINING_STATISTICS = {"fitness_mean": "population mean", "fitness_best": "best member",
                       "fitness_worst": "worst member", "fitness_centre": "search centre"}


def mark_training_stages(ax, stages):
    """Dashed lines where the ES stage changes (a curriculum's next split), each stage named at the
    top of its span; nothing for a run of one stage."""
    if not stages or len(stages) < 2:
        return
    for stage in stages:
        if stage["first"] > 1:
            ax.axvline(stage["first"] - 0.5, color="grey", linestyle="--", linewidth=0.9, zorder=1)
        ax.text((stage["first"] + stage["last"]) / 2, 1.01, stage["split"].removeprefix("gridworld-"),
                transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7, color="dimgrey")


def mark_selected(ax, generations, y, colour, label=None):
    """Triangles at the generations whose centre early stopping published (one per seed)."""
    if generations:
        ax.scatter(generations, y, marker="v", s=45, color=colour, edgecolor="black", linewidth=0.6, zorder=4,
                   label=label)


def training_curve(log_csv, stem, title="", stages=None, selected=None):
    """One run: population mean / best / worst and the search centre's fitness per generation,
    with its curriculum's stages and the generation early stopping selected (if any)."""
    log = pd.read_csv(log_csv).rename(columns=TRAINING_STATISTICS)
    tidy = log.melt(id_vars="generation", value_vars=list(TRAINING_STATISTICS.values()),
                    var_name="statistic", value_name="fitness")
    sns.set_theme(style="whitegrid")
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    sns.lineplot(tidy, x="generation", y="fitness", hue="statistic", ax=ax)
    mark_training_stages(ax, stages)
    if selected is not None:
        centre = log.set_index("generation")["search centre"]
        mark_selected(ax, [selected], [centre.get(selected, np.nan)], "black", "published centre\n(early stopping)")
    if stages and len(stages) > 1:
        ax.plot([], [], color="grey", linestyle="--", linewidth=0.9, label="next curriculum stage")
    ax.set_ylabel("fitness (lifetime reward)")
    ax.set_title(title, pad=14 if stages and len(stages) > 1 else 6)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.tight_layout()
    save(fig, stem)


def seed_bootstrap(values: np.ndarray, samples=1000, seed=0):
    """values [seeds, generations] -> mean, 95% CI low, high per generation (seeds resampled)."""
    values = np.asarray(values, np.float64)
    idx = np.random.default_rng(seed).integers(0, values.shape[0], (samples, values.shape[0]))
    means = values[idx].mean(1)
    low, high = np.percentile(means, [2.5, 97.5], axis=0)
    return values.mean(0), low, high


def training_figure(logs: dict, stem, title, stages=None, selected=None):
    """Training curves by learner: population-mean and search-centre fitness, mean over seeds with
    a 95% CI over seeds. ``logs`` maps (learner, seed) to a train_log.csv table; ``stages`` are
    the run's ES stages (config.Experiment.training_stages), marked and named; ``selected`` maps
    (learner, seed) to the generation early stopping published, marked on the mean curve."""
    sns.set_theme(style="whitegrid")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    learners = _learners({learner for learner, _ in logs})
    for ax, column in zip(axes, ("fitness_mean", "fitness_centre"), strict=True):
        for learner in learners:
            tables = [t for (lrn, _), t in sorted(logs.items()) if lrn == learner]
            n = min(len(t) for t in tables)
            mean, low, high = seed_bootstrap(np.stack([t[column].to_numpy()[:n] for t in tables]))
            gen = tables[0]["generation"].to_numpy()[:n]
            seeds = f"{len(tables)} seed{'s' if len(tables) != 1 else ''}"
            ax.plot(gen, mean, color=_colour(learner), label=f"{LABELS.get(learner, learner)} ({seeds})")
            ax.fill_between(gen, low, high, color=_colour(learner), alpha=0.25, linewidth=0)
            chosen = [g for (lrn, _), g in sorted((selected or {}).items()) if lrn == learner and g is not None]
            mark_selected(ax, chosen, np.interp(chosen, gen, mean) if chosen else [], _colour(learner))
        mark_training_stages(ax, stages)
        ax.set_title(TRAINING_STATISTICS[column], pad=14 if stages and len(stages) > 1 else 6)
        ax.set_xlabel("generation")
    axes[0].set_ylabel("fitness (lifetime reward)")
    handles, labels = axes[1].get_legend_handles_labels()
    if selected:
        handles.append(plt.Line2D([], [], marker="v", color="grey", markeredgecolor="black", linestyle="none"))
        labels.append("published checkpoint\n(early stopping, per seed)")
    if stages and len(stages) > 1:
        handles.append(plt.Line2D([], [], color="grey", linestyle="--", linewidth=0.9))
        labels.append("next curriculum stage")
    axes[1].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    save(fig, stem)


def bar_table(summary: pd.DataFrame, splits=None, metric="fitness") -> pd.DataFrame:
    """The bars: summary.csv's fitness rows (mean, hierarchical 95% CI); for "failures" the
    negated fitness, so the value and its interval are flipped."""
    data = summary[summary["metric"] == "fitness"]
    if splits:
        data = data[data["split"].isin(splits)]
    if metric == "failures":
        data = data.assign(mean=-data["mean"], ci_low=-data["ci_high"], ci_high=-data["ci_low"])
    return data


def lifetime_reward_figure(summary: pd.DataFrame, stem, title, splits=None, metric="fitness"):
    """Mean per lifetime with the claims' 95% hierarchical CI, one panel per split, one labelled
    bar per learner. metric "failures" draws CartPole's failures per lifetime (= -fitness) as a
    positive count, lower is better."""
    data = bar_table(summary, splits, metric)
    ylabel = "failures per lifetime (lower is better)" if metric == "failures" else "lifetime reward (higher is better)"
    order = list(splits) if splits else sorted(data["split"].unique())
    sns.set_theme(style="whitegrid")
    widths = [len(data[data["split"] == s]) for s in order]
    fig, axes = plt.subplots(1, len(order), figsize=(2.0 + 1.0 * sum(widths), 4.2), squeeze=False, sharey=True,
                             gridspec_kw={"width_ratios": widths})
    top = float(np.nanmax(data["ci_high"])) if len(data) else 1.0
    for ax, split in zip(axes[0], order, strict=True):
        rows = data[data["split"] == split].set_index("learner")
        names = _learners(rows.index)
        x = np.arange(len(names))
        mean, low, high = (rows.loc[names, c].to_numpy() for c in ("mean", "ci_low", "ci_high"))
        ax.bar(x, mean, color=[_colour(n) for n in names], width=0.7)
        ax.errorbar(x, mean, yerr=[mean - low, high - mean], fmt="none", ecolor="black", capsize=3, linewidth=1)
        for xi, m, h in zip(x, mean, high, strict=True):
            ax.annotate(f"{round(m, 1) + 0.0:.1f}", (xi, max(h, m, 0)), xytext=(0, 3), textcoords="offset points",
                        ha="center", fontsize=7)
        ax.set_xticks(x, [LABELS.get(n, n).replace(" (", "\n(") for n in names], rotation=40, ha="right",
                      rotation_mode="anchor", fontsize=8)
        ax.set_title(split, fontsize=10)
    axes[0][0].set_ylabel(f"{ylabel}\nmean, 95% CI over seeds and lifetimes", fontsize=9)
    low_lim = min(0.0, float(np.nanmin(data["ci_low"])) if len(data) else 0.0)
    axes[0][0].set_ylim(low_lim - 0.05 * (top - low_lim) * (low_lim < 0), top + 0.1 * (top - low_lim))
    fig.suptitle(title)
    fig.tight_layout()
    save(fig, stem)


def within_lifetime_figure(curves: pd.DataFrame, stem, title, metric="reward", splits=None, lifetime=None,
                           split_lifetimes=None, episode_steps=None):
    """Learning inside a lifetime: reward (or mean episode return) per part of the lifetime, mean
    and 95% hierarchical CI band, x in environment steps. ``metric`` may be a dict (split -> metric)
    where the panels differ. Known-good policies are a note, never a line that squashes the
    learners, and are called a ceiling only where no learner beats them in any part of the
    lifetime; a learner with no data (e.g. a policy whose episodes never end has no episode return)
    is named in a note, not drawn as an empty legend entry. ``episode_steps`` (split -> steps of
    every episode, where all last equally long) draws the world's resets as dotted lines."""
    data = curves if not splits else curves[curves["split"].isin(splits)]
    order = list(splits) if splits else sorted(data["split"].unique())
    num_bins = int(data["bin"].max()) + 1
    sns.set_theme(style="whitegrid")
    fig, axes = plt.subplots(1, len(order), figsize=(4.4 * len(order) + 2.2, 3.8), squeeze=False)
    handles: dict[str, plt.Line2D] = {}
    for ax, split in zip(axes[0], order, strict=True):
        width = (split_lifetimes or {}).get(split, lifetime or num_bins) / num_bins  # steps per part
        panel_metric = metric.get(split, "reward") if isinstance(metric, dict) else metric
        ylabel = "mean episode return" if panel_metric == "episode_return" else f"reward per {width:g} steps"
        rows = data[data["split"] == split]
        notes, drawn = [], []
        by_learner = {lrn: rows[rows["learner"] == lrn].sort_values("bin") for lrn in _learners(rows["learner"])}
        for learner, r in by_learner.items():
            x = (r["bin"].to_numpy() + 0.5) * width
            if not np.isfinite(r["mean"]).any():
                notes.append(f"{LABELS.get(learner, learner)}: no episode ends")
                continue
            if learner in CEILINGS:
                notes.append(_reference_note(learner, r, by_learner))
                continue
            line, = ax.plot(x, r["mean"], color=_colour(learner), marker="o", markersize=3,
                            linewidth=2.2 if learner == "symla" else 1.5, zorder=3 if learner == "symla" else 2)
            ax.fill_between(x, r["ci_low"], r["ci_high"], color=_colour(learner), alpha=0.2, linewidth=0)
            handles.setdefault(learner, line)
            drawn.append(r)
        steps = (episode_steps or {}).get(split)
        if steps:
            for start in np.arange(steps, width * num_bins, steps):
                ax.axvline(start, color="dimgrey", linestyle=":", linewidth=1.2, zorder=1)
            notes.append(f"dotted: a new {steps:g}-step episode starts (agent and objects reset)")
        if notes:
            ax.text(0.02, 0.98, "\n".join(notes), transform=ax.transAxes, va="top", fontsize=7,
                    bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
        ax.set_xlim(0, width * num_bins)
        if drawn:  # room at the top for the notes
            both = pd.concat(drawn)
            lo, hi = np.nanmin(both["ci_low"]), np.nanmax(both["ci_high"])
            pad = 0.1 * (hi - lo if hi > lo else 1.0)
            ax.set_ylim(lo - pad, hi + pad * (1 + 2.5 * sum(1 + n.count("\n") for n in notes)))
        ax.set_title(split, fontsize=10)
        ax.set_xlabel("step of the lifetime")
        ax.set_ylabel(ylabel)
    names = _learners(handles)
    fig.legend([handles[n] for n in names], [LABELS.get(n, n) for n in names], loc="upper left",
               bbox_to_anchor=(1.0 - 2.2 / fig.get_figwidth(), 0.9), fontsize=8,
               title="mean, 95% CI", title_fontsize=8)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1.0 - 2.2 / fig.get_figwidth(), 1))
    save(fig, stem)


def _reference_note(name, reference, by_learner):
    """A known-good policy's note: a ceiling only where no drawn learner beats its mean (CI low above it) in
    any part of the lifetime; otherwise it says who beats it."""
    ref = reference.set_index("bin")["mean"]
    beaten = [LABELS.get(lrn, lrn) for lrn, r in by_learner.items() if lrn not in CEILINGS
              and (r.set_index("bin")["ci_low"] > ref.reindex(r["bin"])).any()]
    label = f"{LABELS.get(name, name)}: {np.nanmean(ref):.3g} on average"
    if beaten:
        return f"{label}\n(not a ceiling: {', '.join(beaten)} earn{'s' if len(beaten) == 1 else ''} more)"
    return f"{label} (ceiling)"


def forest_plot(claims: dict, stem):
    """Every check of claims.json: its paired difference and 95% CI against its threshold, one
    row per check with its own scale (metrics differ), green when it passes, red when it fails."""
    items = sorted(claims["claims"].items(), key=lambda kv: (kv[1].get("claim") or 0, kv[0]))
    sns.set_theme(style="whitegrid")
    fig, axes = plt.subplots(len(items), 1, figsize=(9, 0.75 * len(items) + 1.2), squeeze=False)
    for ax, (name, v) in zip(axes[:, 0], items, strict=True):
        t, test = v["threshold"], v["test"]
        colour = "#1a9850" if v["passed"] else "#d73027"
        values = [x for x in (v["difference"], v["ci_low"], v["ci_high"]) if x is not None and np.isfinite(x)]
        span = [*values, t, -t, 0.0]
        lo, hi = min(span), max(span)
        pad = 0.15 * (hi - lo if hi > lo else 1.0)
        ax.set_xlim(lo - pad, hi + pad)
        if test == "within":
            ax.axvspan(-t, t, color="#1a9850", alpha=0.12)
        else:
            edge = t if test == "greater" else -t
            ax.axvspan(edge, hi + pad if test == "greater" else lo - pad, color="#1a9850", alpha=0.12)
            ax.axvline(edge, color="#1a9850", linestyle="--", linewidth=1)
        ax.axvline(0, color="grey", linewidth=0.8)
        if values and len(values) == 3:
            xerr = [[v["difference"] - v["ci_low"]], [v["ci_high"] - v["difference"]]]
            ax.errorbar([v["difference"]], [0], xerr=xerr,
                        fmt="o", color=colour, capsize=4, linewidth=2)
        else:
            ax.text(0.5, 0.5, "undefined (no data)", transform=ax.transAxes, ha="center", va="center", color=colour)
        ax.set_yticks([])
        ax.set_ylim(-1, 1)
        ax.tick_params(axis="x", labelsize=7, pad=1)
        ax.set_ylabel(f"{'PASS' if v['passed'] else 'FAIL'}  claim {v.get('claim')}  {name}\n{v['metric']}", rotation=0,
                      ha="right", va="center", fontsize=8, color=colour)
        ax.grid(axis="y", visible=False)
    fig.suptitle(f"Every check at scale {claims['scale']}: paired difference and 95% CI (green region: passes); "
                 f"{claims['passed']} of {claims['total']} pass", fontsize=9)
    fig.tight_layout(h_pad=0.3)
    save(fig, stem)

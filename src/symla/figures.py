"""Seaborn figures, written deterministically (no timestamps) as PNG and PDF."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

PNG_METADATA = {"Software": None}
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}


def save(fig, stem):
    """Write stem.png and stem.pdf with no timestamps, so equal figures have equal hashes."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(stem.with_suffix(".png"), dpi=120, metadata=PNG_METADATA)
    fig.savefig(stem.with_suffix(".pdf"), metadata=PDF_METADATA)
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

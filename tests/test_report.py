"""The figures draw the claims' statistics and the verdict page says what claims.json says."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from symla.analysis import curve_summary, hierarchical_bootstrap, summary_table
from symla.figures import bar_table, forest_plot, lifetime_reward_figure, within_lifetime_figure
from symla.report import landing_rst, provenance, verdict_page


def bins_table(rng, seeds=3, lifetimes=40, num_bins=5, learner="symla", split="s"):
    rows = []
    for s in range(seeds):
        for lt in range(lifetimes):
            for b in range(num_bins):
                rows.append({"experiment": "e", "split": split, "learner": learner, "seed": s, "lifetime_index": lt,
                             "bin": b, "reward": float(rng.normal(b + s)), "episodes": int(rng.integers(0, 3)),
                             "episode_return_sum": float(rng.uniform(0, 30))})
    return pd.DataFrame(rows)


def test_curve_band_is_the_claims_hierarchical_bootstrap():
    """Per bin, the curve's mean and CI equal hierarchical_bootstrap over [seeds, lifetimes] of that
    bin's reward: the same resampling as the claims (same seed, same draws)."""
    bins = bins_table(np.random.default_rng(0))
    curve = curve_summary(bins, "reward", samples=2000)
    for b in range(5):
        wide = bins[bins["bin"] == b].pivot(index="seed", columns="lifetime_index", values="reward").to_numpy()
        mean, low, high = hierarchical_bootstrap(wide, samples=2000)
        row = curve[curve["bin"] == b].iloc[0]
        assert row["mean"] == pytest.approx(mean)
        # same estimator, independent draws per bin: the intervals agree to bootstrap error
        assert row["ci_low"] == pytest.approx(low, abs=0.15) and row["ci_high"] == pytest.approx(high, abs=0.15)
        assert row["ci_low"] < row["mean"] < row["ci_high"]


def test_episode_return_curve_is_a_ratio_and_undefined_without_episodes():
    bins = bins_table(np.random.default_rng(1), seeds=1, lifetimes=10)
    bins.loc[bins["bin"] == 4, "episodes"] = 0
    curve = curve_summary(bins, "episode_return").set_index("bin")
    part = bins[bins["bin"] == 2]
    # reward per ended episode
    assert curve.loc[2, "mean"] == pytest.approx(part["reward"].sum() / part["episodes"].sum())
    assert np.isnan(curve.loc[4, "mean"]) and np.isnan(curve.loc[4, "ci_low"])


def test_bars_are_summary_cis_and_failures_are_positive():
    """The bars' values and error bars are summary.csv's (hierarchical CIs), not a new bootstrap;
    CartPole failures (= -fitness) are drawn positive with the interval flipped."""
    rng = np.random.default_rng(2)
    lifetimes = pd.DataFrame([{"split": "cartpole", "learner": lrn, "seed": s, "lifetime_index": i,
                               "fitness": -float(rng.poisson(10 if lrn == "random" else 3))}
                              for lrn in ("symla", "random") for s in range(2) for i in range(50)])
    summary = summary_table(lifetimes)
    bars = bar_table(summary, metric="failures").set_index("learner")
    fit = summary[summary["metric"] == "fitness"].set_index("learner")
    assert (bars["mean"] == -fit["mean"]).all() and (bars["mean"] > 0).all()
    assert (bars["ci_low"] == -fit["ci_high"]).all() and (bars["ci_high"] == -fit["ci_low"]).all()
    assert bars.loc["symla", "mean"] < bars.loc["random", "mean"]


def test_figures_draw_without_empty_legend_entries(tmp_path):
    """A learner with no data (a reference policy whose episodes never end) does not get a legend
    entry; every figure kind writes a PNG and a PDF."""
    rng = np.random.default_rng(3)
    bins = pd.concat([bins_table(rng, learner="symla"), bins_table(rng, learner="reference")])
    bins.loc[bins["learner"] == "reference", "episodes"] = 0
    within_lifetime_figure(curve_summary(bins, "episode_return"), tmp_path / "w", "t", "episode_return", lifetime=100)
    lifetimes = bins.groupby(["split", "learner", "seed", "lifetime_index"], as_index=False)["reward"].sum()
    lifetime_reward_figure(summary_table(lifetimes.rename(columns={"reward": "fitness"})), tmp_path / "b", "t")
    for stem in ("w", "b"):
        assert (tmp_path / f"{stem}.png").read_bytes()[:4] == b"\x89PNG"
        assert (tmp_path / f"{stem}.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_reference_is_a_ceiling_only_where_no_learner_beats_it():
    """The known-good policy's note says "ceiling" only while no learner's CI lies above its mean
    in some part of the lifetime; otherwise it names who earns more."""
    from symla.figures import _reference_note

    def curve(learner, means, half_width=0.1):
        return pd.DataFrame({"learner": learner, "bin": range(len(means)), "mean": means,
                             "ci_low": [m - half_width for m in means], "ci_high": [m + half_width for m in means]})

    ref = curve("reference", [5.0, 5.0, 5.0])
    below = {"reference": ref, "symla": curve("symla", [1.0, 2.0, 4.95])}  # 4.95's CI reaches 5.05: not above
    assert _reference_note("reference", ref, below).endswith("(ceiling)")
    above = {**below, "metarnn": curve("metarnn", [4.0, 5.5, 6.0])}
    assert "not a ceiling: MetaRNN earns more" in _reference_note("reference", ref, above)


def test_fixed_length_episodes_are_marked_on_within_lifetime_figures():
    """The grid worlds' 100-step episodes (no object ends one) reach the claim-3 figure's settings,
    so the dip after each reset is drawn as a reset; CartPole's episodes vary and are not marked."""
    from symla.config import load_params, resolve_experiment
    from symla.envs.catalog import parse_split
    from symla.stages import figure_settings

    assert parse_split("gridworld-quad7r-swapped").fixed_episode_steps == 100
    assert parse_split("cartpole").fixed_episode_steps is None
    assert parse_split("gridworld-quad7b").fixed_episode_steps is None  # two of its kinds end the episode
    params = load_params(REPO / "params.yaml", "quick")
    exp = resolve_experiment(params, "gridworld", "quick")
    claim3 = figure_settings("quick", "claim3_gridworld", params["figures"]["claim3_gridworld"], exp)
    assert claim3["episode_steps"] == {"gridworld-quad7r": 100, "gridworld-quad7r-swapped": 100}
    claim4 = figure_settings("quick", "claim4_transfer", params["figures"]["claim4_transfer"], exp)
    assert "episode_steps" not in claim4
    training = figure_settings("quick", "training_gridworld", params["figures"]["training_gridworld"], exp)
    assert [(s["split"], s["first"], s["last"]) for s in training["training_stages"]] == [
        ("gridworld-fork3q", 1, 60), ("gridworld-fork3p", 61, 260), ("gridworld-fork5p", 261, 330),
        ("gridworld-quad7r", 331, 830)]


def test_dvc_metrics_are_one_small_file_per_check_and_the_pass_count():
    from symla.verify import metrics_files

    claims = committed_claims()
    files = metrics_files(claims)
    assert files["all_checks.json"] == {"pass": claims["passed"], "checks": claims["total"]}
    assert set(files) == {"all_checks.json", *(f"{name}.json" for name in claims["claims"])}
    for name, v in claims["claims"].items():
        assert files[f"{name}.json"] == {"difference": v["difference"], "pass": int(v["passed"])}


def committed_claims():
    return json.loads((REPO / "results/quick/verify/claims.json").read_text())


def test_verdict_page_and_landing_page_carry_every_check_and_its_verdict(tmp_path):
    claims = committed_claims()
    forest_plot(claims, tmp_path / "forest")
    prov = provenance(REPO / "results/quick")
    page = verdict_page(claims, prov, tmp_path / "forest.png", {})
    landing = landing_rst(claims, prov, ["claim1_bandits"])
    assert f"{claims['passed']} of {claims['total']} checks pass" in page
    assert f"{claims['passed']} of {claims['total']} checks pass" in landing
    for name, v in claims["claims"].items():
        assert name in page and name in landing
        verdict = "PASS" if v["passed"] else "FAIL"
        assert f"**{verdict}** claim {v['claim']}, ``{name}``" in landing
    assert page.count("<td class=pass>") == claims["passed"]
    assert page.count("<td class=fail>") == claims["total"] - claims["passed"]
    assert "{{" not in landing and "{%" not in landing  # Snakemake renders it with Jinja


def test_committed_verdict_page_matches_committed_claims():
    """The page a reader opens after cloning is the one verify wrote from these verdicts."""
    claims = committed_claims()
    page = (REPO / "results/quick/verify/verdicts.html").read_text()
    assert f"<b>{claims['passed']} of {claims['total']} checks pass</b>" in page
    for name in claims["claims"]:
        assert f"<code>{name}</code>" in page


@pytest.mark.skipif(not any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")),
                    reason="Chromium is not installed (apt-get install chromium); the screenshot check needs it")
def test_verdict_page_renders_in_headless_chromium(tmp_path):
    """What a reader sees: Chromium renders the committed verdict page with every check on it."""
    out = subprocess.run([sys.executable, str(REPO / "workflow/scripts/screenshot_verdicts.py"),
                          str(REPO / "results/quick/verify"), "--out", str(tmp_path / "verdicts.png")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "verdicts.png").stat().st_size > 50_000

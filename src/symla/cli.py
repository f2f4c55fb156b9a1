"""symla: meta-train, meta-test and judge SymLA and MetaRNN (Kirsch et al., AAAI 2022).

The workflow (snakemake or dvc repro) runs these commands for you, job by job; run one by hand to
redo a single step, to check a reproduction, or to try a checkpoint on another environment.
Every problem is reported as one line, "symla: error: ...", with exit code 2.
"""

import argparse
import atexit
import os
import sys
from pathlib import Path

SCALE_CHOICES = ("smoke", "quick", "paper")
LEARNER_CHOICES = ("symla", "metarnn")
EXAMPLES = {
    "settings": "symla settings --params params.yaml --out results/smoke/settings/bandits/symla/train.json",
    "train": "symla train --scale smoke --experiment bandits --learner symla --seed 0 "
             "--out results/smoke/runs/bandits/symla/seed0",
    "evaluate": "symla evaluate --scale smoke --experiment bandits --learner symla --seed 0 \\\n"
                "      --checkpoint results/smoke/runs/bandits/symla/seed0/meta_params.msgpack "
                "--out-dir results/smoke/eval/bandits/symla/seed0",
    "baselines": "symla baselines --scale smoke --experiment bandits --out-dir results/smoke/eval/bandits/baselines",
    "aggregate": "symla aggregate --inputs results/smoke/eval/bandits/* --out-dir results/smoke/aggregate/bandits",
    "curve": "symla curve --log results/smoke/runs/bandits/symla/seed0/train_log.csv",
    "figure": "symla figure --scale smoke --name claim1_bandits --aggregate-dir results/smoke/aggregate/bandits "
              "--out results/smoke/figures/claim1_bandits",
    "verify": "symla verify --scale smoke --aggregate-dir results/smoke/aggregate --results-dir results/smoke "
              "--out-dir results/smoke/verify",
    "compare": "symla compare reference-manifest.json results/quick/verify/manifest.json\n"
               "  symla compare results/quick/verify/manifest.json results/quick",
    "transfer": "symla transfer --checkpoint results/quick/runs/gridworld/symla/seed0/meta_params.msgpack \\\n"
                "      --split cartpole gymnax:Acrobot-v1 bandit-7arm --out-dir transfer/",
    "readme-table": "symla readme-table --write README.md",
    "pull": "symla pull",
    "dvc-yaml": "symla dvc-yaml > dvc.yaml",
}


def _experiment_names(path="params.yaml") -> str:
    """The experiments of params.yaml, for --help (read without validating; empty if unreadable)."""
    import yaml

    try:
        return ", ".join(yaml.safe_load(Path(path).read_text())["experiments"])
    except Exception:  # help must never fail
        return "see params.yaml"


def _add_common(p, experiment=True, learner=False, settings=True):
    """How a command gets its settings: the settings file the workflow resolved for it
    (--settings), or params.yaml resolved here (--params, --scale, --experiment: by hand)."""
    if settings:
        p.add_argument("--settings", help="the job's settings file (results/<scale>/settings/...json), written by "
                                          "`symla settings`; what the workflow passes")
    p.add_argument("--params", default="params.yaml",
                   help="path to params.yaml (default: %(default)s)" if not settings else
                   "without --settings: path to params.yaml (default: %(default)s)")
    p.add_argument("--scale", choices=SCALE_CHOICES, default=None,
                   help="override the scale set in params.yaml" + ("" if not settings else " (without --settings)"))
    if experiment:
        p.add_argument("--experiment", help=f"without --settings: an experiment of params.yaml ({_experiment_names()})")
    if learner:
        p.add_argument("--learner", help=f"without --settings: the learner ({' or '.join(LEARNER_CHOICES)})")


def _add_force(p, text="replace tables of another identity in --out-dir (default: refuse)"):
    p.add_argument("--force", action="store_true", help=text)


def read_settings(path, stage: str) -> dict:
    """A settings file written by `symla settings` for a ``stage`` job, or a one-line error."""
    import json

    from symla.errors import SymlaError

    try:
        settings = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise SymlaError(f"settings file {path} does not exist; the workflow writes it with `symla settings` "
                         "(snakemake and dvc repro run that stage first)") from None
    except (OSError, ValueError) as err:
        raise SymlaError(f"{path} is not a settings file written by `symla settings` ({err})") from None
    if not isinstance(settings, dict) or settings.get("kind") != "symla-settings" or settings.get("stage") != stage:
        raise SymlaError(f"{path} is not the settings of a {stage} job (it is for "
                         f"{settings.get('stage') if isinstance(settings, dict) else 'nothing'}); pass the "
                         f"{stage} settings file")
    from symla.config import validate_settings

    return validate_settings(settings, stage, path)


def _experiment(args, stage: str):
    """(experiment, learner) of a train, evaluate or baselines job: from its settings file, or
    resolved from params.yaml when the command is run by hand."""
    from symla.config import check_seed, experiment_from_settings, load_params, resolve_experiment
    from symla.errors import SymlaError

    if getattr(args, "seed", None) is not None:
        check_seed(args.seed)
    learner = getattr(args, "learner", None)
    if args.settings:
        settings = read_settings(args.settings, stage)
        if learner and learner != settings["learner"]:
            raise SymlaError(f"{args.settings} is for learner {settings['learner']!r}, not {learner!r}")
        return experiment_from_settings(settings), settings["learner"]
    if not args.experiment:
        raise SymlaError("give --settings (a settings file), or --experiment with --params")
    experiment = resolve_experiment(load_params(args.params, args.scale), args.experiment)
    if stage != "baselines":
        if not learner:
            raise SymlaError(f"give --learner ({' or '.join(experiment.learners)})")
        if learner not in experiment.learners:
            raise SymlaError(f"unknown learner {learner!r} for experiment {experiment.name!r}; "
                             f"choose one of {', '.join(experiment.learners)}")
    return experiment, learner


def cmd_train(args):
    from symla.train import train

    experiment, learner = _experiment(args, "train")
    if experiment.seeds and args.seed not in experiment.seeds:
        print(f"note: seed {args.seed} is not among the experiment's seeds {list(experiment.seeds)}",
              file=sys.stderr)
    train(experiment, learner, args.seed, args.out, quiet=args.quiet, force=args.force)


def cmd_settings(args):
    """Write one job's settings file: given as JSON (Snakemake resolved it from its config), or
    resolved from params.yaml (DVC), found by its path in the stage table."""
    import json

    from symla.checkpoint import atomic_write_text
    from symla.config import load_params
    from symla.errors import SymlaError
    from symla.outputs import check_scale_namespace, scale_of_path
    from symla.stages import build_stages, settings_json

    if args.json is not None:
        try:
            settings = json.loads(args.json)
        except ValueError as err:
            raise SymlaError(f"--json is not JSON ({err})") from None
        if not isinstance(settings, dict) or settings.get("kind") != "symla-settings":
            raise SymlaError("--json is not a job's settings (symla.stages writes them)")
    else:
        params = load_params(args.params, args.scale)
        wanted = os.path.normpath(args.out)
        path_scale = scale_of_path(args.out)
        if path_scale and path_scale != params["scale"] and args.scale is None:
            _restore_settings_file(params, path_scale, wanted)
            raise SymlaError(
                f"{args.params} says scale {params['scale']!r} but dvc.yaml holds the stages of scale {path_scale!r} "
                f"(`dvc exp run -S scale=...` cannot switch scales); {args.out} is restored: set `scale: {path_scale}` "
                f"back in {args.params}, then run `snakemake --config scale={params['scale']}`, or "
                f"`symla dvc-yaml --scale {params['scale']} > dvc.yaml` and `dvc repro`")
        found = [s for s in build_stages(params) if s.kind == "settings" and os.path.normpath(s.outs["json"]) == wanted]
        if not found:
            raise SymlaError(f"{args.out} is not a settings file of scale {params['scale']!r} in {args.params}; "
                             "if you changed the scale or the experiments, regenerate the stages: "
                             "`symla dvc-yaml > dvc.yaml`")
        settings = found[0].settings
    scale = settings.get("scale") or settings.get("experiment", {}).get("scale")
    check_scale_namespace(args.out, scale)
    atomic_write_text(args.out, settings_json(settings))


def _restore_settings_file(params: dict, scale: str, path: str):
    """Rewrite the settings file at ``path`` as the stages of ``scale`` have it (DVC deletes a
    stage's outputs before running it), so a refused scale switch leaves it as it was."""
    from symla.checkpoint import atomic_write_text
    from symla.stages import build_stages, settings_json

    for stage in build_stages({**params, "scale": scale}):
        if stage.kind == "settings" and stage.settings is not None and os.path.normpath(stage.outs["json"]) == path:
            atomic_write_text(path, settings_json(stage.settings))


TABLES = ("lifetimes.csv", "bins.csv")


def write_csv(path, table):
    """A table written atomically (temp file + rename): a kill never leaves half a table."""
    from symla.checkpoint import atomic_write_text

    atomic_write_text(path, table.to_csv(index=False))


def _write_tables(out_dir, lifetimes, bins):
    out = Path(out_dir)
    write_csv(out / "lifetimes.csv", lifetimes)
    write_csv(out / "bins.csv", bins)


def _meta_test_identity(experiment, **extra):
    """What a directory of meta-test tables was computed from."""
    from symla.config import settings_mapping

    return {"experiment": experiment.name, "scale": experiment.scale, "lifetime": experiment.lifetime,
            "eval_splits": list(experiment.eval_splits), "evaluation": settings_mapping(experiment.meta_test),
            **extra}


def cmd_evaluate(args):
    from symla.checkpoint import sha256_file
    from symla.evaluate import evaluate_checkpoint
    from symla.outputs import check_scale_namespace, claim_outputs, guard_outputs

    experiment, learner = _experiment(args, "evaluate")
    check_scale_namespace(args.out_dir, experiment.scale)
    identity = _meta_test_identity(experiment, learner=learner, seed=args.seed)
    guard_outputs(args.out_dir, TABLES, identity, args.force)
    tables = evaluate_checkpoint(experiment, learner, args.seed, args.checkpoint)
    claim_outputs(args.out_dir, {**identity, "checkpoint_sha256": sha256_file(args.checkpoint)})
    _write_tables(args.out_dir, *tables)


def cmd_baselines(args):
    from symla.evaluate import evaluate_baselines
    from symla.outputs import check_scale_namespace, claim_outputs, guard_outputs

    experiment, _ = _experiment(args, "baselines")
    check_scale_namespace(args.out_dir, experiment.scale)
    identity = _meta_test_identity(experiment, learner="baselines")
    guard_outputs(args.out_dir, TABLES, identity, args.force)
    tables = evaluate_baselines(experiment)
    claim_outputs(args.out_dir, identity)
    _write_tables(args.out_dir, *tables)


def cmd_aggregate(args):
    from pathlib import Path

    from symla.analysis import add_within_lifetime_metrics, read_meta_test_tables, summary_table
    from symla.errors import SymlaError
    from symla.outputs import prepare_outputs, scale_of_path

    scales = {s for d in [*args.inputs, args.out_dir] if (s := scale_of_path(d))}
    if len(scales) > 1:
        raise SymlaError(f"--inputs and --out-dir are under different scales ({', '.join(sorted(map(str, scales)))}); "
                         "aggregate each scale into its own results/<scale>/aggregate")
    out = Path(args.out_dir)
    prepare_outputs(out, {"lifetimes.csv", "bins.csv", "summary.csv"})
    lifetimes, bins = read_meta_test_tables(args.inputs)
    keys = ["learner", "split", "seed", "lifetime_index"]
    lifetimes = add_within_lifetime_metrics(lifetimes, bins).sort_values(keys, kind="stable")
    bins = bins.sort_values(keys + ["bin"], kind="stable")
    write_csv(out / "lifetimes.csv", lifetimes)
    write_csv(out / "bins.csv", bins)
    write_csv(out / "summary.csv", summary_table(lifetimes))


def _figure_settings(args) -> dict:
    """A figure job's settings: its settings file, or resolved from params.yaml by hand."""
    from symla.config import load_params, resolve_experiment
    from symla.errors import SymlaError

    if args.settings:
        return read_settings(args.settings, "figure")
    if not args.name:
        raise SymlaError("give --settings (a settings file), or --name with --params")
    params = load_params(args.params, args.scale)
    if args.name not in params.get("figures", {}):
        raise SymlaError(f"unknown figure {args.name!r}; figures in params.yaml: "
                         f"{', '.join(params.get('figures', {}))}")
    spec = params["figures"][args.name]
    experiment = resolve_experiment(params, spec["experiment"])
    from symla.stages import figure_settings

    return figure_settings(params["scale"], args.name, spec, experiment)


def cmd_figure(args):
    from pathlib import Path

    from symla import figures
    from symla.analysis import curve_summary, read_table
    from symla.errors import SymlaError
    from symla.outputs import TRAIN_LOG_COLUMNS, check_scale_namespace, prepare_outputs

    settings = _figure_settings(args)
    spec, scale, name = settings["figure"], settings["scale"], settings["name"]
    check_scale_namespace(args.out, scale)
    stem = Path(args.out)
    prepare_outputs(stem.parent, {f"{stem.name}.png", f"{stem.name}.pdf"})
    if spec["kind"] == "training":
        if not args.train_logs:
            raise SymlaError(f"figure {name!r} is a training figure; give the runs' train_log.csv files "
                             "with --train-logs")
        logs, selected = {}, {}
        for path in map(Path, args.train_logs):
            check_scale_namespace(path, scale)
            if not path.parent.name.startswith("seed"):
                raise SymlaError(f"{path} is not runs/<experiment>/<learner>/seed<N>/train_log.csv")
            table = read_table(path, TRAIN_LOG_COLUMNS)
            run = (path.parent.parent.name, int(path.parent.name[len("seed"):]))
            logs[run], selected[run] = table, published_generation(path.parent)
        figures.training_figure(logs, args.out, spec["title"], settings.get("training_stages"),
                                {run: g for run, g in selected.items() if g is not None})
        return
    if not args.aggregate_dir:
        raise SymlaError(f"figure {name!r} is drawn from aggregated tables; give --aggregate-dir")
    agg = Path(args.aggregate_dir)
    check_scale_namespace(agg, scale)
    if spec["kind"] == "lifetime_reward":
        table = read_table(agg / "summary.csv", ("split", "learner", "metric", "mean", "ci_low", "ci_high"),
                          may_be_nan=("mean", "ci_low", "ci_high"))  # undefined metrics, e.g. no episode ended
        figures.lifetime_reward_figure(table, args.out, spec["title"], spec.get("splits"),
                                       spec.get("metric", "fitness"))
    else:
        metric = spec.get("metric", "reward")
        bins = read_table(agg / "bins.csv", ("split", "learner", "seed", "lifetime_index", "bin", "reward", "episodes",
                                             "episode_return_sum"))
        if spec.get("splits"):
            bins = bins[bins["split"].isin(spec["splits"])]
        figures.within_lifetime_figure(curve_summary(bins, metric), args.out, spec["title"], metric,
                                       spec.get("splits"), settings["lifetime"], settings.get("split_lifetimes"),
                                       settings.get("episode_steps"))


def cmd_verify(args):
    from pathlib import Path

    from symla.checkpoint import atomic_write_text
    from symla.config import load_params, resolved_claims
    from symla.errors import SymlaError
    from symla.outputs import check_scale_namespace, prepare_outputs
    from symla.verify import build_manifest, metrics_files, verify_claims, write_json

    if args.settings:
        params = read_settings(args.settings, "verify")
    else:
        params = load_params(args.params, args.scale)
        params = {**params, "claims": resolved_claims(params, params["scale"])}
    for path in (args.aggregate_dir, args.results_dir, args.out_dir):
        check_scale_namespace(path, params["scale"])
    out = Path(args.out_dir)
    prepare_outputs(out, None)  # verify/ is verify's alone: every temp file in it is its own
    claims = verify_claims(params, args.aggregate_dir)
    write_json(out / "claims.json", claims)
    metrics = metrics_files(claims)
    (out / "metrics").mkdir(exist_ok=True)
    for stale in sorted(set(p.name for p in (out / "metrics").iterdir()) - set(metrics)):
        (out / "metrics" / stale).unlink()  # a check no longer in params.yaml (verify/ is verify's own)
    for name, content in metrics.items():
        write_json(out / "metrics" / name, content)
    from symla import figures, report

    figures.forest_plot(claims, out / "forest")
    prov = report.provenance(args.results_dir)
    drawn = {name: (spec["title"], Path(args.results_dir) / "figures" / f"{name}.png")
             for name, spec in params.get("figures", {}).items()}
    missing = [str(p) for _, p in drawn.values() if not p.exists()]
    if missing:
        raise SymlaError(f"{missing[0]} is missing; draw the figures before verify (snakemake does)")
    atomic_write_text(out / "verdicts.html", report.verdict_page(claims, prov, out / "forest.png", drawn))
    atomic_write_text(out / "report.rst", report.landing_rst(claims, prov, list(drawn)))
    write_json(out / "manifest.json", build_manifest(args.results_dir))
    for name, v in claims["claims"].items():
        print(f"{'PASS' if v['passed'] else 'FAIL'}  {name}: {v['metric']} {v['difference']:.3g} "
              f"95% CI [{v['ci_low']:.3g}, {v['ci_high']:.3g}], needs {v['test']} {v['threshold']}")
    print(f"{claims['passed']}/{claims['total']} claims pass")


def cmd_compare(args):
    from symla.verify import compare

    rows = compare(args.a, args.b)  # unreadable inputs are one-line errors
    for item, status, detail in rows:
        print(f"{status:17s} {item}" + (f"  ({detail})" if detail else ""))
    counts = {s: sum(r[1] == s for r in rows) for s in ("bit-identical", "within tolerance", "different", "missing")}
    print(", ".join(f"{n} {s}" for s, n in counts.items()))
    return 0 if counts["different"] == counts["missing"] == 0 else 1


def cmd_transfer(args):
    from pathlib import Path

    import pandas as pd

    from symla import figures
    from symla.analysis import add_within_lifetime_metrics, curve_summary, summary_table
    from symla.checkpoint import sha256_file
    from symla.config import check_seed
    from symla.errors import SymlaError
    from symla.evaluate import transfer
    from symla.outputs import claim_outputs, guard_outputs

    check_seed(args.seed)
    if args.lifetimes < 2 or args.lifetime < 1 or args.num_bins < 1:
        raise SymlaError("--lifetimes must be >= 2, --lifetime >= 1 and --num-bins >= 1")
    if any(not s.strip() for s in args.split):
        raise SymlaError("--split got an empty name; give split names (e.g. cartpole) or gymnax ids "
                         "(gymnax:Acrobot-v1)")
    splits = [s if ":" in s or not s[0].isupper() else f"gymnax:{s}" for s in args.split]
    out = Path(args.out_dir)
    if not Path(args.checkpoint).exists():
        raise SymlaError(f"checkpoint {args.checkpoint} does not exist; pass a meta_params.msgpack written by "
                         "`symla train`")
    identity = {"kind": "transfer", "params": str(args.params), "checkpoint_sha256": sha256_file(args.checkpoint),
                "splits": splits,
                "lifetimes": args.lifetimes, "lifetime": args.lifetime, "num_bins": args.num_bins, "seed": args.seed}
    guard_outputs(out, (*TABLES, "summary.csv", "transfer.png", "transfer.pdf"), identity, args.force)
    from symla.config import load_params

    reinforce = load_params(args.params).get("defaults", {}).get("baselines", {}).get("reinforce", {})
    lifetimes, bins = transfer(args.checkpoint, splits, args.lifetimes, args.lifetime, args.num_bins, args.seed,
                               reinforce=reinforce)
    lifetimes = add_within_lifetime_metrics(lifetimes, bins)
    claim_outputs(out, identity)
    _write_tables(out, lifetimes, bins)
    summary = summary_table(lifetimes)
    write_csv(out / "summary.csv", summary)
    # Per split: mean episode return per part of a lifetime where at least one episode ends per part on
    # average for every learner (CartPole, whose reward is +1 a step), else reward per part (Acrobot's
    # 500-step episodes leave most parts without an end, and the ratio estimate is then meaningless)
    metric = {split: "episode_return" if (group.groupby(["learner", "bin"])["episodes"].mean() >= 1).all()
              else "reward" for split, group in bins.groupby("split")}
    curves = pd.concat([curve_summary(bins[bins["split"] == split], m) for split, m in metric.items()])
    figures.within_lifetime_figure(curves, out / "transfer", f"transfer of {args.checkpoint}", metric,
                                   lifetime=args.lifetime)
    print(summary[summary["metric"].isin(["fitness", "mean_episode_return", "episode_return_rise"])]
          .to_string(index=False))


def cmd_pull(args):
    """Take the committed results: dvc pull, check them against dvc.lock, then let Snakemake
    record that state (it runs nothing), so both orchestrators agree there is nothing to do."""
    import shutil
    import subprocess

    from symla.errors import SymlaError

    def step(what, cmd, fix):
        if shutil.which(cmd[0]) is None:
            raise SymlaError(f"{cmd[0]} is not on PATH; run `uv sync --frozen` and call `uv run symla pull`")
        print(f"symla pull: {what}: {' '.join(cmd)}", file=sys.stderr, flush=True)
        if subprocess.run(cmd).returncode != 0:
            raise SymlaError(f"`{' '.join(cmd)}` failed; {fix}")

    step("fetching the committed results", ["dvc", "pull"], "see DVC's message above (is dvc-storage/ present?)")
    step("checking them against dvc.lock", ["dvc", "status", "-q"],
         "the results differ from dvc.lock: `dvc status` names the stages (was params.yaml or src/ edited?)")
    step("recording them for Snakemake", ["snakemake", "--touch", "--quiet", "all"], "see Snakemake's message above")
    plan = subprocess.run(["snakemake", "-n", "--quiet", "all"], capture_output=True, text=True)
    if plan.returncode != 0 or "Nothing to be done" not in plan.stdout + plan.stderr:
        raise SymlaError("Snakemake still plans jobs after --touch; `snakemake -n` lists them")
    print("symla pull: done; snakemake and dvc both have nothing to do")


def cmd_readme_table(args):
    from pathlib import Path

    from symla.checkpoint import atomic_write_text
    from symla.errors import SymlaError
    from symla.verify import read_json, replace_verdict_table, verdict_table

    claims = read_json(args.claims, "the claims.json written by symla verify (results/<scale>/verify/claims.json)")
    if "claims" not in claims:
        raise SymlaError(f"{args.claims} is not a claims.json written by symla verify")
    if args.write:
        readme = Path(args.write)
        if not readme.is_file():
            raise SymlaError(f"{readme} does not exist; give the README (with its verdict markers) to --write")
        atomic_write_text(readme, replace_verdict_table(readme.read_text(), claims))
    else:
        print(verdict_table(claims))


def cmd_dvc_yaml(args):
    from symla.config import load_params
    from symla.dvcgen import dvc_yaml

    sys.stdout.write(dvc_yaml(load_params(args.params, args.scale)))


def build_parser():
    from symla.config import TRANSFER_SEED

    parser = argparse.ArgumentParser(
        prog="symla", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  snakemake                      the whole pipeline at the scale of params.yaml\n"
               f"  {EXAMPLES['compare'].splitlines()[0]}\n  {EXAMPLES['transfer']}\n\n"
               "`symla COMMAND --help` describes each command, with an example.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, help):
        """A subcommand whose help says what it does and shows an example."""
        text = help.replace("%%", "%")
        return sub.add_parser(name, help=help, description=text[0].upper() + text[1:] + ".",
                              epilog=f"example:\n  {EXAMPLES[name]}",
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("settings", help="write one job's settings file (the workflow's first stage)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--json", help="the settings as JSON (Snakemake resolved them from its config)")
    source.add_argument("--params", help="params.yaml: resolve them here (DVC)")
    p.add_argument("--scale", choices=SCALE_CHOICES, default=None,
                   help="with --params: override the scale set in params.yaml")
    p.add_argument("--out", required=True, help="results/<scale>/settings/<job>.json")
    p.set_defaults(func=cmd_settings)

    p = command("train", help="meta-train one learner with ES (resumes from its checkpoint)")
    _add_common(p, learner=True)
    p.add_argument("--seed", type=int, required=True, help="meta-training seed")
    p.add_argument("--out", required=True, help="run directory for checkpoints, log and curve")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    _add_force(p, "replace a run of another identity in --out (default: refuse)")
    p.set_defaults(func=cmd_train)

    p = command("evaluate", help="meta-test a trained checkpoint on its experiment's held-out splits")
    _add_common(p, learner=True)
    p.add_argument("--seed", type=int, required=True, help="meta-training seed of the checkpoint")
    p.add_argument("--checkpoint", required=True, help="meta_params.msgpack written by `symla train`")
    p.add_argument("--out-dir", required=True, help="directory for lifetimes.csv and bins.csv")
    _add_force(p)
    p.set_defaults(func=cmd_evaluate)

    p = command("baselines", help="evaluate the random policy (and the best arm) on every split")
    _add_common(p)
    p.add_argument("--out-dir", required=True, help="directory for lifetimes.csv and bins.csv")
    _add_force(p)
    p.set_defaults(func=cmd_baselines)

    p = command("aggregate", help="merge meta-test tables of one experiment; summary with 95%% CIs")
    p.add_argument("--inputs", nargs="+", required=True, help="directories written by evaluate/baselines")
    p.add_argument("--out-dir", required=True, help="directory for lifetimes.csv, bins.csv, summary.csv")
    p.set_defaults(func=cmd_aggregate)

    p = command("curve", help="draw one run's training curve (training_curve.png/.pdf beside its log)")
    p.add_argument("--log", required=True, help="runs/<experiment>/<learner>/seed<N>/train_log.csv")
    p.add_argument("--settings", help="the run's train settings file: its curriculum stages are marked and named")
    p.set_defaults(func=cmd_curve)

    p = command("figure", help="draw one figure of params.yaml's `figures` (PNG and PDF)")
    _add_common(p, experiment=False)
    p.add_argument("--name", help="without --settings: figure name from params.yaml")
    p.add_argument("--aggregate-dir", help="aggregate directory of the figure's experiment (table figures)")
    p.add_argument("--train-logs", nargs="+",
                   help="runs/<experiment>/<learner>/seed<N>/train_log.csv (training figures)")
    p.add_argument("--out", required=True, help="output path without suffix (writes .png and .pdf)")
    p.set_defaults(func=cmd_figure)

    p = command("verify", help="judge every claim (95%% CI vs threshold) and hash every artifact")
    _add_common(p, experiment=False)
    p.add_argument("--aggregate-dir", required=True, help="results/<scale>/aggregate")
    p.add_argument("--results-dir", required=True, help="results/<scale>, hashed into the manifest")
    p.add_argument("--out-dir", required=True, help="for claims.json, metrics/, manifest.json, the verdict page")
    p.set_defaults(func=cmd_verify)

    p = command("compare", help="compare two manifest.json or two claims.json files")
    p.add_argument("a", help="first file (e.g. the shipped reference)")
    p.add_argument("b", help="second file (e.g. your run), or a results/<scale> directory to hash as verify does")
    p.set_defaults(func=cmd_compare)

    p = command("transfer", help="apply any trained checkpoint to any split or gymnax environment")
    p.add_argument("--checkpoint", required=True, help="meta_params.msgpack written by `symla train`")
    p.add_argument("--split", nargs="+", required=True,
                   help="split names: bandit-{K}arm[-biased][-permuted], cartpole|acrobot|mountaincar[-permuted], "
                        "gridworld-<layout>[-swapped][-permuted] (layouts: symla.envs.layouts), or gymnax ids "
                        "(gymnax:Acrobot-v1)")
    p.add_argument("--lifetimes", type=int, default=256, help="lifetimes per split (default: %(default)s)")
    p.add_argument("--lifetime", type=int, default=1000, help="steps per lifetime (default: %(default)s)")
    p.add_argument("--num-bins", type=int, default=10, help="parts of a lifetime for curves (default: %(default)s)")
    p.add_argument("--seed", type=int, default=TRANSFER_SEED,
                   help="key of the meta-test lifetimes (default: %(default)s)")
    p.add_argument("--out-dir", required=True, help="directory for tables and transfer.png/pdf")
    p.add_argument("--params", default="params.yaml", help="params.yaml with the REINFORCE yardstick's settings")
    _add_force(p)
    p.set_defaults(func=cmd_transfer)

    p = command("pull", help="take the committed results (dvc pull) so snakemake and dvc both have nothing to do")
    p.set_defaults(func=cmd_pull)

    p = command("readme-table", help="the README's verdict table from claims.json")
    p.add_argument("--claims", default="results/quick/verify/claims.json", help="claims.json (default: %(default)s)")
    p.add_argument("--write", metavar="README", help="replace the table between its markers in this file")
    p.set_defaults(func=cmd_readme_table)

    p = command("dvc-yaml", help="print dvc.yaml for params.yaml (symla dvc-yaml > dvc.yaml)")
    _add_common(p, experiment=False, settings=False)
    p.set_defaults(func=cmd_dvc_yaml)
    return parser


def use_compilation_cache():
    """Jobs compile from a persistent JAX cache (docs/operations.md: "Compilation cache"): the project's
    .cache/jax unless JAX_COMPILATION_CACHE_DIR says otherwise; SYMLA_JAX_CACHE=off disables it.
    A cached executable is the same code, so results are unchanged; an entry damaged by two jobs
    writing it at once fails to load and is recompiled (JAX warns), so jobs may share it."""
    import os

    from symla.config import REPO_ROOT

    if os.environ.get("SYMLA_JAX_CACHE", "").lower() in ("off", "0", "no"):
        return
    os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(REPO_ROOT / ".cache" / "jax"))
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "1")


def _write_module_trace(command):
    names = sorted(m for m in sys.modules if m == "symla" or m.startswith("symla."))
    trace = Path(os.environ["SYMLA_TRACE_MODULES"]) / f"{command}-{os.getpid()}.txt"
    trace.parent.mkdir(parents=True, exist_ok=True)
    trace.write_text("\n".join(names) + "\n")


def cmd_curve(args):
    from pathlib import Path

    from symla import figures
    from symla.analysis import read_table
    from symla.config import experiment_from_settings
    from symla.errors import SymlaError
    from symla.outputs import TRAIN_LOG_COLUMNS, prepare_outputs

    log = Path(args.log)
    if log.name != "train_log.csv" or not log.parent.name.startswith("seed"):
        raise SymlaError(f"{log} is not runs/<experiment>/<learner>/seed<N>/train_log.csv")
    read_table(log, TRAIN_LOG_COLUMNS)
    stages = None
    if args.settings:
        stages = experiment_from_settings(read_settings(args.settings, "train")).training_stages()
    experiment, learner, seed = log.parts[-4], log.parts[-3], log.parent.name[len("seed"):]
    prepare_outputs(log.parent, {"training_curve.png", "training_curve.pdf"})
    figures.training_curve(log, log.parent / "training_curve", title=f"{experiment} / {learner} / seed {seed}",
                           stages=stages, selected=published_generation(log.parent))


def published_generation(run_dir):
    """The generation whose centre a run published by early stopping (es.select), read from the
    run's meta_params.msgpack; None without selection or before the run has finished."""
    from pathlib import Path

    from symla.checkpoint import load_raw

    path = Path(run_dir) / "meta_params.msgpack"
    if not path.exists():
        return None
    return (load_raw(path)[1].get("selection") or {}).get("selected_generation")


def os_error_line(err: OSError) -> str:
    """What an OSError means for the user, in one line: a missing input is not a full disk."""
    import errno

    where = f" {err.filename}" if err.filename else ""
    if err.errno == errno.ENOENT:
        return f"no such file or directory:{where}; check the path (inputs are written by earlier stages)"
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"cannot write{where}: {err.strerror}; free space, then rerun the same command "
                "(finished work is kept)")
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write{where}: {err.strerror}; choose a writable output directory, then rerun"
    return f"{err.strerror or err}{where}; fix it and rerun the same command (finished work is kept)"


def main(argv=None):
    from symla.errors import SymlaError

    parser = build_parser()
    args = parser.parse_args(argv)
    use_compilation_cache()
    if os.environ.get("SYMLA_TRACE_MODULES"):  # tests: which code each stage runs (symla.stages)
        atexit.register(_write_module_trace, args.command)
    try:
        return args.func(args) or 0
    except SymlaError as err:
        print(f"symla: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"symla: error: {os_error_line(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symla: interrupted; rerun the same command to resume from the last checkpoint",
              file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

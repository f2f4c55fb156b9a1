"""dvc.yaml from params.yaml: the same stages and targets as the Snakemake DAG.

DVC's templating cannot expand experiment x learner x seed lists that depend on the scale, so
dvc.yaml is generated: ``symla dvc-yaml > dvc.yaml`` after changing experiments, seeds or the
scale (a test checks that the committed dvc.yaml matches params.yaml). Outputs that are
committed to git as the reference (aggregated tables, figures, verify) are ``cache: false``;
checkpoints and per-seed tables are cached and pushed to the DVC remote.
"""

import shlex

import yaml

from symla.config import figure_inputs, resolve_experiment
from symla.stages import code_paths

CLI = "python -m symla.cli"
# The settings each stage computes from (dotted keys into params.yaml, kept where they exist): a
# claim's text or the evaluation settings are no training input, and the stages say so.
STAGE_SETTINGS = {
    "train": ("lifetime", "es", "networks"),
    "evaluate": ("lifetime", "es", "networks", "evaluation"),
    "baselines": ("lifetime", "evaluation", "baselines"),
}
EXPERIMENT_SETTINGS = {"train": ("train_split",), "evaluate": ("train_split", "eval_splits"),
                       "baselines": ("eval_splits",)}


def _params_of(stage, experiment, params):
    """scale, then defaults < scales.<scale> < experiments.<name> < its scales.<scale>, each only
    for the keys the stage reads and only where params.yaml sets them."""
    scale = params["scale"]
    exp = params["experiments"][experiment]
    keys = STAGE_SETTINGS[stage]
    layers = [("defaults", params.get("defaults", {})), (f"scales.{scale}", params.get("scales", {}).get(scale, {})),
              (f"experiments.{experiment}", exp),
              (f"experiments.{experiment}.scales.{scale}", (exp.get("scales") or {}).get(scale, {}))]
    out = ["scale"] + [f"experiments.{experiment}.{k}" for k in EXPERIMENT_SETTINGS[stage] if k in exp]
    out += [f"{prefix}.{k}" for prefix, layer in layers for k in keys if k in (layer or {})]
    return out


def dvc_stages(params: dict) -> dict:
    scale = params["scale"]
    root = f"results/{scale}"
    stages = {}
    experiments = {name: resolve_experiment(params, name, scale) for name in params["experiments"]}
    for name, exp in experiments.items():
        eval_dirs = []
        for learner in exp.learners:
            for seed in exp.seeds:
                run = f"{root}/runs/{name}/{learner}/seed{seed}"
                ev = f"{root}/eval/{name}/{learner}/seed{seed}"
                stages[f"train_{name}_{learner}_seed{seed}"] = {
                    "cmd": f"{CLI} train --params params.yaml --experiment {name} --learner {learner}"
                           f" --seed {seed} --out {run} --quiet",
                    "deps": code_paths("train"),
                    "params": _params_of("train", name, params),
                    "outs": [f"{run}/meta_params.msgpack", f"{run}/meta_params.msgpack.sha256", f"{run}/train_log.csv"],
                }
                stages[f"curve_{name}_{learner}_seed{seed}"] = {
                    "cmd": f"{CLI} curve --log {run}/train_log.csv",
                    "deps": code_paths("curve") + [f"{run}/train_log.csv"],
                    "outs": [f"{run}/training_curve.png", f"{run}/training_curve.pdf"],
                }
                stages[f"evaluate_{name}_{learner}_seed{seed}"] = {
                    "cmd": f"{CLI} evaluate --params params.yaml --experiment {name} --learner {learner}"
                           f" --seed {seed} --checkpoint {run}/meta_params.msgpack --out-dir {ev}",
                    "deps": code_paths("evaluate") + [f"{run}/meta_params.msgpack"],
                    "params": _params_of("evaluate", name, params),
                    "outs": [f"{ev}/lifetimes.csv", f"{ev}/bins.csv"],
                }
                eval_dirs.append(ev)
        base = f"{root}/eval/{name}/baselines"
        stages[f"baselines_{name}"] = {
            "cmd": f"{CLI} baselines --params params.yaml --experiment {name} --out-dir {base}",
            "deps": code_paths("baselines"), "params": _params_of("baselines", name, params),
            "outs": [f"{base}/lifetimes.csv", f"{base}/bins.csv"],
        }
        eval_dirs.append(base)
        agg = f"{root}/aggregate/{name}"
        stages[f"aggregate_{name}"] = {
            "cmd": f"{CLI} aggregate --inputs {' '.join(sorted(eval_dirs))} --out-dir {agg}",
            "deps": code_paths("aggregate") + [f"{d}/lifetimes.csv" for d in sorted(eval_dirs)] + [f"{d}/bins.csv" for d in sorted(eval_dirs)],
            "outs": [{f"{agg}/{f}": {"cache": False}} for f in ("lifetimes.csv", "bins.csv", "summary.csv")],
        }
    for fig, spec in params.get("figures", {}).items():
        inputs = figure_inputs(spec, experiments[spec["experiment"]], root)
        sources = (f"--train-logs {' '.join(inputs)}" if spec["kind"] == "training"
                   else f"--aggregate-dir {root}/aggregate/{spec['experiment']}")
        stages[f"figure_{fig}"] = {
            "cmd": f"{CLI} figure --params params.yaml --name {shlex.quote(fig)} {sources}"
                   f" --out {shlex.quote(f'{root}/figures/{fig}')}",
            "deps": code_paths("figure") + inputs,
            "params": [f"figures.{fig}"],
            "outs": [{f"{root}/figures/{fig}.png": {"cache": False}}, {f"{root}/figures/{fig}.pdf": {"cache": False}}],
        }
    verify_deps = code_paths("verify") + [f"{root}/aggregate/{n}/lifetimes.csv" for n in experiments]
    verify_deps += [f"{root}/figures/{f}.png" for f in params.get("figures", {})]
    verify_deps += [f"{root}/runs/{n}/{lrn}/seed{s}/{f}" for n, e in experiments.items() for lrn in e.learners
                    for s in e.seeds for f in ("meta_params.msgpack", "train_log.csv", "training_curve.png")]
    stages["verify"] = {
        "cmd": f"{CLI} verify --params params.yaml --aggregate-dir {root}/aggregate --results-dir {root}"
               f" --out-dir {root}/verify",
        "deps": verify_deps,
        "params": ["claims", "figures"],
        "outs": [{f"{root}/verify/{f}": {"cache": False}} for f in
                 ("claims.json", "manifest.json", "verdicts.html", "forest.png", "forest.pdf", "report.rst")],
        "metrics": [{f"{root}/verify/summary.json": {"cache": False}}],
    }
    return {"stages": stages}


def dvc_yaml(params: dict) -> str:
    header = ("# Generated by `symla dvc-yaml > dvc.yaml` from params.yaml (scale: "
              f"{params['scale']}); do not edit by hand.\n")
    scale = params["scale"]
    plots = [f"results/{scale}/figures"]
    for name in params["experiments"]:
        exp = resolve_experiment(params, name, scale)
        logs = {f"results/{scale}/runs/{name}/{lrn}/seed{s}/train_log.csv": "fitness_centre"
                for lrn in exp.learners for s in exp.seeds}
        plots.append({f"training_{name}": {"x": "generation", "y": logs, "title": f"ES meta-training: {name}"}})
    body = dvc_stages(params) | {"plots": plots}
    return header + yaml.safe_dump(body, sort_keys=False, width=120)

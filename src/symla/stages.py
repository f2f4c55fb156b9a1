"""The task graph, once: every stage's command, inputs, outputs, settings and code.

Both orchestrators are generated from this table, so they cannot disagree: the Snakemake rules
(workflow/rules/*.smk) take their output patterns, inputs and commands from ``build_stages``, and
``symla dvc-yaml`` writes dvc.yaml from the same list (tests/test_pipeline.py checks that the two
graphs are one graph).

Settings are resolved once. A ``settings`` stage writes what one job computes from (a scoped part
of the resolved experiment, symla.config.stage_settings) to ``results/<scale>/settings/...json``;
the job reads that file and never params.yaml. Snakemake hands the settings stage the settings it
resolved from its own config (so --config and --configfile overrides reach every job); DVC's
settings stage resolves params.yaml, the file `dvc exp run -S` edits. Either way an edit changes
only the settings files of the stages that read it, and reruns exactly those.

A stage also depends on the code it runs (STAGE_CODE): Snakemake rules carry its hash as a param,
dvc.yaml lists the files. tests/test_pipeline.py runs every stage with SYMLA_TRACE_MODULES set and
checks that each one imported nothing outside its list.

Imports nothing heavy (no JAX): Snakemake reads it while parsing the workflow.
"""

import dataclasses
import hashlib
import json
import shlex
from pathlib import Path

SRC = Path(__file__).resolve().parent
PACKAGE = "src/symla"
CLI = "PYTHONPATH=src python -m symla.cli"

_BASE = ("__init__.py", "cli.py", "config.py", "errors.py", "checkpoint.py", "faults.py", "outputs.py")
_RUN = _BASE + ("envs", "learners", "shapes.py", "memory.py", "rollout.py", "progress.py", "es.py", "train.py",
                "cost.py")
STAGE_CODE = {
    "settings": _BASE + ("stages.py", "envs/__init__.py", "envs/catalog.py", "envs/layouts.py", "shapes.py"),
    "train": _RUN,
    "curve": _BASE + ("analysis.py", "figures.py"),
    "evaluate": _RUN + ("evaluate.py",),
    "baselines": _RUN + ("evaluate.py",),
    "aggregate": _BASE + ("analysis.py",),
    "figure": _BASE + ("analysis.py", "figures.py"),
    "verify": _BASE + ("analysis.py", "figures.py", "verify.py", "report.py"),
}

# Output files of each stage kind, relative to results/<scale>/, with the Snakemake wildcards of
# the kind. Keys name them in the rules (output.<key>).
OUTPUTS = {
    "train": {"meta_params": "runs/{experiment}/{learner}/seed{seed}/meta_params.msgpack",
              "meta_params_sha256": "runs/{experiment}/{learner}/seed{seed}/meta_params.msgpack.sha256",
              "log_csv": "runs/{experiment}/{learner}/seed{seed}/train_log.csv"},
    "curve": {"png": "runs/{experiment}/{learner}/seed{seed}/training_curve.png",
              "pdf": "runs/{experiment}/{learner}/seed{seed}/training_curve.pdf"},
    "evaluate": {"lifetimes": "eval/{experiment}/{learner}/seed{seed}/lifetimes.csv",
                 "bins": "eval/{experiment}/{learner}/seed{seed}/bins.csv"},
    "baselines": {"lifetimes": "eval/{experiment}/baselines/lifetimes.csv",
                  "bins": "eval/{experiment}/baselines/bins.csv"},
    "aggregate": {"lifetimes": "aggregate/{experiment}/lifetimes.csv", "bins": "aggregate/{experiment}/bins.csv",
                  "summary": "aggregate/{experiment}/summary.csv"},
    "figure": {"png": "figures/{name}.png", "pdf": "figures/{name}.pdf"},
    "verify": {"claims": "verify/claims.json", "page": "verify/verdicts.html", "forest": "verify/forest.png",
               "forest_pdf": "verify/forest.pdf", "landing": "verify/report.rst",
               "manifest": "verify/manifest.json", "metrics": "verify/metrics"},
    "settings": {"json": "settings/{target}.json"},
}
# Outputs kept in git as the reference (dvc.yaml: cache false); the rest goes to the DVC remote.
IN_GIT = {"settings", "aggregate", "figure", "verify"}
METRICS = {"verify": ("metrics",)}  # a directory: one small JSON per check (verify.metrics_files)


@dataclasses.dataclass(frozen=True)
class Stage:
    """One job of the graph. ``settings`` is the content a settings stage writes."""

    kind: str
    name: str  # unique; the dvc.yaml stage name
    wildcards: dict
    cmd: str
    deps: tuple
    outs: dict  # key -> path
    settings: dict | None = None
    params: tuple = ()  # settings stages: the params.yaml keys DVC reruns them on


def code_paths(stage: str) -> list[str]:
    """Repository-relative files and folders of a stage's code (dvc.yaml deps)."""
    return [f"{PACKAGE}/{name}" for name in STAGE_CODE[stage]]


def code_files(stage: str) -> list[Path]:
    files = []
    for name in STAGE_CODE[stage]:
        path = SRC / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def code_hash(stage: str) -> str:
    """sha256 of a stage's code: a Snakemake rule param, so an edit reruns exactly these stages."""
    digest = hashlib.sha256()
    for path in code_files(stage):
        digest.update(str(path.relative_to(SRC)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def module_stage_violations(stage: str, modules) -> list[str]:
    """Modules (``symla.x.y`` names) a stage imported that its STAGE_CODE does not list."""
    allowed = {SRC / name for name in STAGE_CODE[stage]}
    bad = []
    for module in modules:
        parts = module.split(".")[1:]
        path = SRC.joinpath(*parts)
        candidates = [path.with_suffix(".py"), path / "__init__.py"] if parts else [SRC / "__init__.py"]
        if not any(c in allowed or any(p in allowed for p in c.parents) for c in candidates):
            bad.append(module)
    return sorted(bad)


def output_patterns(kind: str, root: str) -> dict:
    """A stage kind's outputs with their wildcards: the Snakemake rule's output directive."""
    return {key: f"{root}/{path}" for key, path in OUTPUTS[kind].items()}


def settings_json(settings: dict) -> str:
    """The bytes of a settings file: canonical, so both tools write identical files."""
    return json.dumps(settings, indent=2, sort_keys=True) + "\n"


def _q(*paths) -> str:
    return " ".join(shlex.quote(str(p)) for p in paths)


def build_stages(params: dict) -> list[Stage]:
    """Every stage of the scale ``params['scale']`` (params validated by symla.config)."""
    from symla.config import figure_inputs, resolve_experiment, resolved_claims, stage_settings

    scale = params["scale"]
    root = f"results/{scale}"
    experiments = {name: resolve_experiment(params, name, scale) for name in params["experiments"]}
    stages = []

    def add(kind, name, wildcards, cmd, deps, settings=None, dvc_params=()):
        outs = {k: v.format(**wildcards) for k, v in output_patterns(kind, root).items()}
        stage = Stage(kind, name, dict(wildcards), cmd, tuple(deps), outs, settings, tuple(dvc_params))
        stages.append(stage)
        return stage

    def settings_stage(target, content, dvc_params):
        """A settings file and the stage that writes it; returns its path. (Snakemake's rule
        passes ``content`` itself, resolved from its config, instead of --params.)"""
        path = f"{root}/settings/{target}.json"
        cmd = f"{CLI} settings --params params.yaml --out {_q(path)}"
        add("settings", f"settings_{target.replace('/', '_')}", {"target": target}, cmd, [], content, dvc_params)
        return path

    for name, exp in experiments.items():
        exp_params = ("scale", "defaults", f"scales.{scale}", f"experiments.{name}")
        eval_dirs = []
        for learner in exp.learners:
            train_settings = settings_stage(f"{name}/{learner}/train", stage_settings(exp, "train", learner),
                                            exp_params)
            eval_settings = settings_stage(f"{name}/{learner}/evaluate", stage_settings(exp, "evaluate", learner),
                                           exp_params)
            for seed in exp.seeds:
                w = {"experiment": name, "learner": learner, "seed": seed}
                run = f"{root}/runs/{name}/{learner}/seed{seed}"
                train = add("train", f"train_{name}_{learner}_seed{seed}", w,
                            f"{CLI} train --settings {_q(train_settings)} --seed {seed} --out {_q(run)}",
                            [train_settings])
                add("curve", f"curve_{name}_{learner}_seed{seed}", w,
                    f"{CLI} curve --log {_q(train.outs['log_csv'])} --settings {_q(train_settings)}",
                    [train.outs["log_csv"], train.outs["meta_params"], train_settings])
                ev = add("evaluate", f"evaluate_{name}_{learner}_seed{seed}", w,
                         f"{CLI} evaluate --settings {_q(eval_settings)} --seed {seed}"
                         f" --checkpoint {_q(train.outs['meta_params'])}"
                         f" --out-dir {_q(f'{root}/eval/{name}/{learner}/seed{seed}')}",
                         [eval_settings, train.outs["meta_params"]])
                eval_dirs.append(ev)
        base_settings = settings_stage(f"{name}/baselines", stage_settings(exp, "baselines"), exp_params)
        eval_dirs.append(add("baselines", f"baselines_{name}", {"experiment": name},
                             f"{CLI} baselines --settings {_q(base_settings)}"
                             f" --out-dir {_q(f'{root}/eval/{name}/baselines')}", [base_settings]))
        tables = [t for ev in eval_dirs for t in (ev.outs["lifetimes"], ev.outs["bins"])]
        dirs = sorted({str(Path(ev.outs["lifetimes"]).parent) for ev in eval_dirs})
        add("aggregate", f"aggregate_{name}", {"experiment": name},
            f"{CLI} aggregate --inputs {_q(*dirs)} --out-dir {_q(f'{root}/aggregate/{name}')}", tables)

    for fig, spec in params.get("figures", {}).items():
        exp = experiments[spec["experiment"]]
        inputs = figure_inputs(spec, exp, root)
        path = settings_stage(f"figures/{fig}", figure_settings(scale, fig, spec, exp),
                              ("scale", f"figures.{fig}", "defaults", f"scales.{scale}",
                               f"experiments.{spec['experiment']}"))
        aggregate_dir = f"{root}/aggregate/{spec['experiment']}"
        sources = (f"--train-logs {_q(*inputs)}" if spec["kind"] == "training"
                   else f"--aggregate-dir {_q(aggregate_dir)}")
        training = spec["kind"] == "training"
        published = [str(Path(log).parent / "meta_params.msgpack") for log in inputs] if training else []
        add("figure", f"figure_{fig}", {"name": fig},
            f"{CLI} figure --settings {_q(path)} {sources} --out {_q(f'{root}/figures/{fig}')}",
            [path, *inputs, *published])  # a training figure marks the checkpoint each run published

    verify_settings = settings_stage("verify", {"kind": "symla-settings", "stage": "verify", "scale": scale,
                                                "claims": resolved_claims(params, scale),
                                                "figures": params.get("figures", {})},
                                     ("scale", "claims", "figures", "experiments"))
    deps = [verify_settings]
    deps += [s.outs["lifetimes"] for s in stages if s.kind == "aggregate"]
    deps += [s.outs["png"] for s in stages if s.kind in ("figure", "curve")]
    deps += [s.outs[k] for s in stages if s.kind == "train" for k in ("meta_params", "log_csv")]
    add("verify", "verify", {},
        f"{CLI} verify --settings {_q(verify_settings)} --aggregate-dir {_q(f'{root}/aggregate')}"
        f" --results-dir {_q(root)} --out-dir {_q(f'{root}/verify')}", deps)
    return stages


def figure_settings(scale: str, name: str, spec: dict, experiment) -> dict:
    """What a figure job draws from: its spec with the splits named at this scale, and the steps of
    a lifetime (per split where evaluation.split_lifetimes sets them)."""
    from symla.config import resolved_figure
    from symla.envs.catalog import parse_split

    figure = resolved_figure(spec, experiment)
    settings = {"kind": "symla-settings", "stage": "figure", "scale": scale, "name": name,
                "figure": figure, "lifetime": experiment.lifetime}
    if experiment.meta_test.split_lifetimes:
        settings["split_lifetimes"] = {s: experiment.split_lifetime(s) for s in experiment.eval_splits}
    if figure["kind"] == "training":
        settings["training_stages"] = experiment.training_stages()
    else:
        episodes = {s: parse_split(s).fixed_episode_steps for s in figure.get("splits") or experiment.eval_splits}
        episodes = {s: n for s, n in episodes.items() if n and n < experiment.split_lifetime(s)}
        if episodes:
            settings["episode_steps"] = episodes
    return settings

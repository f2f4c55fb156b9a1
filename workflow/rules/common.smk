import json
import os
import sys
from pathlib import Path

from symla.config import job_resources, resolve_experiment, validate_params
from symla.errors import SymlaError
from symla.stages import build_stages, code_hash, output_patterns, settings_json

try:
    validate_params(config, "params.yaml")
except SymlaError as err:
    raise WorkflowError(str(err))

SCALE = config["scale"]
RESULTS = f"results/{SCALE}"
CONDA_ENV = "../envs/symla.yaml"
# Jobs run `python -m symla.cli`: Snakemake's own interpreter first on PATH (with --sdm conda the
# rule's environment comes first instead); the stage commands put the package source (src/) on
# PYTHONPATH, so the code that runs is the code in this checkout.
envvars:
    "PATH",


_search_path = os.environ["PATH"]
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), _search_path])
# Resolved once, from Snakemake's config (params.yaml plus any --config/--configfile): every job
# reads its settings file, written by the settings rule from this, never params.yaml.
EXPERIMENTS = {name: resolve_experiment(config, name, SCALE) for name in config["experiments"]}
STAGES = build_stages(config)
_BY_OUTPUT = {path: stage for stage in STAGES for path in stage.outs.values()}


wildcard_constraints:
    seed=r"\d+",
    learner="symla|metarnn",


def stage(kind, wildcards):
    """The stage of the table (symla.stages) that this rule's job is."""
    first = next(iter(output_patterns(kind, RESULTS).values()))
    return _BY_OUTPUT[first.format(**dict(wildcards.items()))]


def outputs(kind):
    """The rule's output patterns, from the table."""
    return output_patterns(kind, RESULTS)


def deps(kind):
    return lambda w: list(stage(kind, w).deps)


def cmd(kind):
    return lambda w: stage(kind, w).cmd


def uses_gpu():
    """Paper scale asks SLURM for a GPU for training and evaluation; smaller scales run on CPU."""
    return SCALE == "paper"


def training_cost():
    """One line before any work: env steps and estimated hours of this scale's training."""
    from symla import cost
    from symla.config import learner_shape
    from symla.envs.catalog import parse_split

    device, steps, hours, runs_n, worst = cost.local_device(), 0, 0.0, 0, 0.0
    for name, exp in EXPERIMENTS.items():
        run_steps = cost.training_env_steps(exp.es, exp.lifetime, exp.total_generations)
        for learner in exp.learners:
            h = cost.estimate_hours(learner_shape(exp, learner), parse_split(exp.train_split), run_steps, device)
            steps += run_steps * len(exp.seeds)
            hours += h * len(exp.seeds)
            runs_n += len(exp.seeds)
            worst = max(worst, h)
    line = cost.cost_line(f"scale {SCALE}: {runs_n} training runs", steps, hours, device)
    if worst > cost.FAR_BEYOND_HOURS and "WARNING" not in line:
        line += f"; WARNING: the longest run alone is estimated at {worst:.0f} h on this {device}"
    return line + " (job-hours; jobs share the cores)"


print(training_cost(), file=sys.stderr)

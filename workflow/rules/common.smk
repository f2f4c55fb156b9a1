import os
import shlex
import sys
from pathlib import Path

from symla.config import figure_inputs, job_resources, resolve_experiment, validate_params
from symla.errors import SymlaError
from symla.stages import code_hash

try:
    validate_params(config, "params.yaml")
except SymlaError as err:
    raise WorkflowError(str(err))

SCALE = config["scale"]
RESULTS = f"results/{SCALE}"
CONDA_ENV = "../envs/symla.yaml"
# Jobs run `python -m symla.cli`: Snakemake's own interpreter first on PATH (with --sdm conda the
# rule's environment comes first instead); shell commands put the package source (src/) on
# PYTHONPATH, so the code that runs is the code in this checkout.
envvars:
    "PATH",


_search_path = os.environ["PATH"]
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), _search_path])
EXPERIMENTS = {name: resolve_experiment(config, name, SCALE) for name in config["experiments"]}


wildcard_constraints:
    seed=r"\d+",
    learner="symla|metarnn",


def run_dir(experiment, learner, seed):
    return f"{RESULTS}/runs/{experiment}/{learner}/seed{seed}"


def runs():
    """(experiment, learner, seed) of every meta-training run at this scale."""
    return [(e, l, s) for e, exp in EXPERIMENTS.items() for l in exp.learners for s in exp.seeds]


def train_settings(experiment):
    """What training computes from (no evaluation settings: changing those reruns no training)."""
    exp = EXPERIMENTS[experiment]
    return {"es": exp.es, "networks": exp.networks, "lifetime": exp.lifetime, "train_split": exp.train_split}


def settings(experiment):
    """The resolved settings of an experiment: a rule's params, so a change reruns it."""
    exp = EXPERIMENTS[experiment]
    return {"es": exp.es, "networks": exp.networks, "lifetime": exp.lifetime,
            "train_split": exp.train_split, "evaluation": exp.evaluation, "eval_splits": list(exp.eval_splits)}


def uses_gpu():
    """Paper scale asks SLURM for a GPU for training and evaluation; smaller scales run on CPU."""
    return SCALE == "paper"


def all_targets():
    targets = [f"{RESULTS}/verify/claims.json"]
    targets += [f"{run_dir(*r)}/training_curve.png" for r in runs()]
    targets += [f"{RESULTS}/figures/{name}.png" for name in config.get("figures", {})]
    return targets


def figure_inputs_of(name):
    spec = config["figures"][name]
    return figure_inputs(spec, EXPERIMENTS[spec["experiment"]], RESULTS)


def figure_sources(wildcards, input):
    """The figure command's input flags: training logs, or the directory of the aggregated tables."""
    if config["figures"][wildcards.name]["kind"] == "training":
        return f"--train-logs {' '.join(shlex.quote(f) for f in input)}"
    return f"--aggregate-dir {shlex.quote(os.path.dirname(input[0]))}"


def training_cost():
    """One line before any work: env steps and estimated hours of this scale's training."""
    from symla import cost
    from symla.config import build_learner
    from symla.envs.splits import make_split

    device, steps, hours, runs_n, worst = cost.local_device(), 0, 0.0, 0, 0.0
    for name, exp in EXPERIMENTS.items():
        run_steps = cost.training_env_steps(exp.es, exp.lifetime)
        for learner in exp.learners:
            h = cost.estimate_hours(build_learner(exp, learner), make_split(exp.train_split), run_steps, device)
            steps += run_steps * len(exp.seeds)
            hours += h * len(exp.seeds)
            runs_n += len(exp.seeds)
            worst = max(worst, h)
    line = cost.cost_line(f"scale {SCALE}: {runs_n} training runs", steps, hours, device)
    if worst > cost.FAR_BEYOND_HOURS and "WARNING" not in line:
        line += f"; WARNING: the longest run alone is estimated at {worst:.0f} h on this {device}"
    return line + " (job-hours; jobs share the cores)"


print(training_cost(), file=sys.stderr)

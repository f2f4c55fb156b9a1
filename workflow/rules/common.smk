import os
import sys
from pathlib import Path

from symla.config import job_resources, resolve_experiment, validate_params
from symla.errors import SymlaError

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

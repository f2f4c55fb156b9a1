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
# Every job asks for one core (threads: 1), so XLA runs each job single-threaded: with its default
# thread pool over all cores, two jobs on 2 cores contend and every job is slower. Results are
# bit-identical either way (checked for all six training runs; docs/claims.md: "Time per
# claim"). A user's own XLA_FLAGS are kept.
_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
if "xla_cpu_multi_thread_eigen" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_ONE_THREAD}".strip()
# Jobs run `python -m symla.cli`: Snakemake's own interpreter first on PATH (with --sdm conda the
# rule's environment comes first instead); the stage commands put the package source (src/) on
# PYTHONPATH, so the code that runs is the code in this checkout.
envvars:
    "PATH",
    "XLA_FLAGS",


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
    """The stage of the table (symla.stages) that this rule's job is; a target the table does
    not hold is one line naming the targets it does."""
    first = next(iter(output_patterns(kind, RESULTS).values()))
    path = first.format(**dict(wildcards.items()))
    if path not in _BY_OUTPUT:
        known = sorted(s.wildcards.get("name") or next(iter(s.outs.values())) for s in STAGES if s.kind == kind)
        shown = ", ".join(known[:12]) + (f" (and {len(known) - 12} more)" if len(known) > 12 else "")
        what = "figures" if kind == "figure" else f"{kind} outputs"
        raise WorkflowError(f"{path} is not a target of this workflow at scale {SCALE}; its {what}: {shown}")
    return _BY_OUTPUT[path]


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


def run_hours(exp, learner, device):
    """(env steps, estimated hours) of one training run of ``learner`` in ``exp`` on ``device``."""
    from symla import cost
    from symla.config import learner_shape
    from symla.envs.catalog import parse_split

    steps = cost.training_env_steps(exp.es, exp.lifetime, exp.total_generations)
    return steps, cost.estimate_hours(learner_shape(exp, learner), parse_split(exp.train_split), steps, device)


def training_minutes(experiment, learner):
    """Estimated minutes of one training run here, an integer: the train job's priority."""
    from symla import cost

    return max(1, round(60 * run_hours(EXPERIMENTS[experiment], learner, cost.local_device())[1]))


def planned_cost():
    """One line before any work: the env steps and estimated hours of the training, evaluation and
    baseline jobs still to do (those whose first output does not exist), compilation included,
    with the compilation cache as it is now; None when there are none, so a run that plans no
    such job (e.g. after `symla pull`) prints no cost."""
    from symla import cost
    from symla.config import learner_shape

    device, cache = cost.local_device(), cost.cache_state()
    steps, hours, compile_h, worst, counts, totals = 0, 0.0, 0.0, 0.0, {}, {}
    for stage in STAGES:
        if stage.kind not in ("train", "evaluate", "baselines"):
            continue
        totals[stage.kind] = totals.get(stage.kind, 0) + 1
        if os.path.exists(next(iter(stage.outs.values()))):
            continue
        exp = EXPERIMENTS[stage.wildcards["experiment"]]
        if stage.kind == "train":
            job_steps, h = run_hours(exp, stage.wildcards["learner"], device)
            worst = max(worst, h)
        elif stage.kind == "evaluate":
            job_steps = cost.evaluation_env_steps(exp)
            h = cost.evaluation_hours(exp, learner_shape(exp, stage.wildcards["learner"]), device)
        else:
            job_steps, h = cost.baseline_env_steps(exp), cost.baseline_hours(exp, device)
        counts[stage.kind] = counts.get(stage.kind, 0) + 1
        steps, hours, compile_h = steps + job_steps, hours + h, compile_h + cost.compile_hours(stage.kind, cache)
    if not counts:
        return None
    jobs = ", ".join(f"{counts[k]} {k}" + (f" (of {totals[k]})" if counts[k] < totals[k] else "")
                     for k in ("train", "evaluate", "baselines") if k in counts)
    line = cost.cost_line(f"scale {SCALE}: {jobs} jobs", steps, hours + compile_h, device)
    line += f" ({compile_h:.2g} h of it compilation, {cache} cache; job-hours: jobs share the cores)"
    if worst > cost.FAR_BEYOND_HOURS and "WARNING" not in line:
        line += f"; WARNING: the longest training run alone is estimated at {worst:.0f} h on this {device}"
    return line


if (_cost := planned_cost()) is not None:
    print(_cost, file=sys.stderr)


# The running jobs' newest progress lines (generation, fitness, ETA) on the console every minute,
# beside Snakemake's "N of M steps"; the full lines stay in results/<scale>/logs/<rule>/.
# SYMLA_PROGRESS_EVERY_S sets the interval in seconds (0 turns it off).
onstart:
    from symla.progress import ConsoleMonitor

    _every = float(os.environ.get("SYMLA_PROGRESS_EVERY_S", "60"))
    if _every > 0:
        ConsoleMonitor(f"{RESULTS}/logs", _every).start()

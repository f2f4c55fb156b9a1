"""params.yaml: loading, schema validation and resolution of one experiment at one scale.

Resolution order (later wins): defaults < scales.<scale> < experiments.<name> <
experiments.<name>.scales.<scale>. Every error names the key and the fix in one line.
"""

import copy
import dataclasses
import functools
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from symla.errors import SymlaError

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO_ROOT / "workflow" / "schemas" / "params.schema.yaml"
SCALES = ("smoke", "quick", "paper")
OVERRIDE_KEYS = ("seeds", "lifetime", "es", "networks", "evaluation", "baselines")


def deep_merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# The largest seed any key in params.yaml or --seed may hold: JAX keys take 32-bit seeds, and
# seeds are offset by small numbers in places (one key per lifetime), so half the range is kept free.
MAX_SEED = 2**31 - 1


def _is_integer(checker, value) -> bool:
    """An integer is an int: 10.0 and 1e1 (a float in YAML 1.2) are refused, not truncated."""
    return isinstance(value, int) and not isinstance(value, bool)


_TYPES = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer)
Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=_TYPES)


@functools.cache
def schema() -> dict:
    return yaml.safe_load(SCHEMA_PATH.read_text())


def _schema_error(err: jsonschema.ValidationError, source, fix="") -> SymlaError:
    key = ".".join(str(p) for p in err.absolute_path) or "<top level>"
    hint = ""
    if err.validator == "type" and err.validator_value == "integer":
        hint = "; write a whole number without a decimal point or exponent (10, not 10.0 or 1e1)"
    elif err.validator in ("minimum", "maximum") and "seed" in key:
        hint = f"; seeds are integers from 0 to {MAX_SEED}"
    return SymlaError(f"{source}: invalid value at '{key}': {err.message}{hint}{fix}")


def _non_finite(tree, path=()):
    """The dotted key of the first NaN or infinite number in ``tree``, or None."""
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for key, value in items:
        if isinstance(value, float) and not math.isfinite(value):
            return ".".join(map(str, (*path, key)))
        if isinstance(value, (dict, list)) and (found := _non_finite(value, (*path, key))):
            return found
    return None


def check_with_schema(data, subschema: dict, source, fix="") -> None:
    """Validate ``data`` against ``subschema`` (which may $ref params.yaml's $defs); the first
    error, or a non-finite number, is one SymlaError naming the key."""
    if key := _non_finite(data):
        raise SymlaError(f"{source}: invalid value at '{key}': not a finite number; write a finite number{fix}")
    validator = Validator({**subschema, "$defs": schema()["$defs"]})
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.absolute_path)))
    if errors:
        raise _schema_error(errors[0], source, fix)


def check_seed(seed, what="--seed") -> int:
    """A seed JAX accepts (see MAX_SEED), or a one-line error."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise SymlaError(f"{what} {seed} is out of range; give an integer from 0 to {MAX_SEED}")
    return seed


# YAML 1.1 (PyYAML, Snakemake) reads 1e-2 as a string; YAML 1.2 and every user read it as 0.01.
YAML12_FLOAT = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)[eE][-+]?\d+")


def _yaml12_numbers(tree):
    """Turn strings such as '1e-2' into floats, in place (so Snakemake's config agrees)."""
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for key, value in list(items):
        if isinstance(value, str) and YAML12_FLOAT.fullmatch(value.strip()):
            tree[key] = float(value)
        elif isinstance(value, (dict, list)):
            _yaml12_numbers(value)


FIGURE_METRICS = {"lifetime_reward": ("fitness", "failures"), "within_lifetime": ("reward", "episode_return"),
                  "training": ()}


def split_name(name: str, experiment) -> str:
    """A split named in a claim or figure, at the experiment's scale: ``{train_split}`` stands for
    the experiment's training split there (an experiment may train on other splits per scale)."""
    return name.replace("{train_split}", experiment.train_split)


def resolved_claims(params: dict, scale: str) -> dict:
    """params.yaml's claims with their splits named as at ``scale``."""
    out = {}
    for name, claim in (params.get("claims") or {}).items():
        exp = resolve_experiment(params, claim["experiment"], scale)
        claim = copy.deepcopy(claim)
        for side in ("a", "b"):
            if side in claim:
                claim[side]["split"] = split_name(claim[side]["split"], exp)
        out[name] = claim
    return out


def resolved_figure(spec: dict, experiment) -> dict:
    spec = copy.deepcopy(spec)
    if spec.get("splits"):
        spec["splits"] = [split_name(s, experiment) for s in spec["splits"]]
    return spec


def _check_references(params, source):
    """Claims and figures name experiments, learners and splits that exist, at every scale."""
    experiments = params["experiments"]
    for kind in ("claims", "figures"):
        for name, item in (params.get(kind) or {}).items():
            exp = experiments.get(item["experiment"])
            if exp is None:
                raise SymlaError(f"{source}: {kind}.{name}.experiment {item['experiment']!r} is not an experiment; "
                                 f"choose one of {', '.join(experiments)}")
            sides = [item[s] for s in ("a", "b") if s in item]
            metric = item.get("metric")
            if kind == "figures" and metric and metric not in FIGURE_METRICS[item["kind"]]:
                raise SymlaError(f"{source}: figures.{name}.metric {metric!r} does not fit kind {item['kind']!r}; "
                                 f"choose one of {', '.join(FIGURE_METRICS[item['kind']])}")
            for side in sides:
                if side["learner"] in ("symla", "metarnn") and side["learner"] not in exp["learners"]:
                    raise SymlaError(f"{source}: {kind}.{name} names learner {side['learner']!r}, which experiment "
                                     f"{item['experiment']!r} does not train; choose one of "
                                     f"{', '.join(exp['learners'])}")
            for scale in SCALES:
                resolved = resolve_experiment(params, item["experiment"], scale)
                splits = [side["split"] for side in sides] + list(item.get("splits") or [])
                for split in map(lambda s: split_name(s, resolved), splits):
                    if split not in resolved.eval_splits:
                        raise SymlaError(f"{source}: {kind}.{name} names split {split!r}, which experiment "
                                         f"{item['experiment']!r} does not evaluate at scale {scale}; choose one of "
                                         f"{', '.join(resolved.eval_splits)} (or use {{train_split}})")


def validate_params(params, source="params.yaml") -> dict:
    """Check params against workflow/schemas/params.schema.yaml and every cross-reference in it;
    numbers written as 1e-2 are read as numbers (in place). Returns params."""
    if isinstance(params, dict):
        _yaml12_numbers(params)
    check_with_schema(params, schema(), source)
    from symla.envs.catalog import UnknownSplitError, parse_split

    for name in params["experiments"]:
        for scale in SCALES:
            exp = resolve_experiment(params, name, scale)  # missing required settings fail here
            for split in exp.all_splits:
                try:
                    parse_split(split)
                except UnknownSplitError as err:
                    raise SymlaError(f"{source}: experiments.{name}: {err}") from None
            select = exp.search.select
            if select and (select.split in exp.eval_splits or select.seed == exp.meta_test.seed):
                raise SymlaError(f"{source}: experiments.{name} at scale {scale}: es.select must validate on "
                                 "lifetimes the meta-test never sees; give it a split that is not in eval_splits "
                                 "and a seed other than evaluation.seed")
            for split in exp.meta_test.split_lifetimes:
                if split not in exp.eval_splits:
                    raise SymlaError(f"{source}: experiments.{name} at scale {scale}: evaluation.split_lifetimes "
                                     f"names {split!r}, which it does not evaluate; choose one of "
                                     f"{', '.join(exp.eval_splits)}")
    _check_references(params, source)
    return params


def load_params(path="params.yaml", scale: str | None = None) -> dict:
    """Read and validate params.yaml; ``scale`` overrides its ``scale`` key."""
    path = Path(path)
    if not path.exists():
        raise SymlaError(f"{path} not found; run from the repository root or pass --params")
    try:
        params = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise SymlaError(f"{path} is not valid YAML{where}: {getattr(err, 'problem', err)}") from None
    if not isinstance(params, dict):
        raise SymlaError(f"{path} must be a mapping of settings, got {type(params).__name__}")
    if scale is not None:
        if scale not in SCALES:
            raise SymlaError(f"invalid scale {scale!r}; choose one of {', '.join(SCALES)}")
        params["scale"] = scale
    return validate_params(params, str(path))


TRANSFER_SEED = 1000  # key of `symla transfer`'s lifetimes, which no experiment's evaluation.seed sets


def settings_mapping(settings) -> dict:
    """A typed settings object as the mapping params.yaml and the settings files hold: optional
    fields left at their default are left out, as params.yaml leaves them out, so a settings
    file written from typed settings has the content it had before they were typed."""
    out = {}
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        default = (field.default if field.default is not dataclasses.MISSING
                   else field.default_factory() if field.default_factory is not dataclasses.MISSING
                   else dataclasses.MISSING)
        if default is not dataclasses.MISSING and value == default:
            continue
        out[field.name] = settings_mapping(value) if dataclasses.is_dataclass(value) else \
            dict(value) if isinstance(value, Mapping) else value
    return out


@dataclasses.dataclass(frozen=True)
class SelectionSettings:
    """es.select: early stopping on a validation split (symla.train.make_selection)."""

    split: str
    every: int
    metric: str
    lifetimes: int
    seed: int
    num_bins: int


@dataclasses.dataclass(frozen=True)
class ESSettings:
    """es: the OpenES search of a run. Every value comes from params.yaml (defaults.es, the
    scale's es, the experiment's); only the optional ones have a default here."""

    pairs: int
    generations: int
    lifetimes_per_member: int
    noise_std: float
    learning_rate: float
    fitness_shaping: str
    checkpoint_every: int
    device_memory_mb: int | None = None  # members are evaluated in chunks that fit; None: no bound
    restart_optimizer_after_curriculum: bool = False
    select: SelectionSettings | None = None

    @classmethod
    def from_mapping(cls, es: Mapping[str, Any]) -> "ESSettings":
        select = es.get("select")
        return cls(**{**es, "select": SelectionSettings(**select) if select else None})


@dataclasses.dataclass(frozen=True)
class EvaluationSettings:
    """evaluation: the meta-test lifetimes (the same for every learner and seed)."""

    lifetimes: int
    seed: int
    num_bins: int
    chunk: int | None = None  # lifetimes per compiled call; None: all at once
    split_lifetimes: Mapping[str, int] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_mapping(cls, evaluation: Mapping[str, Any]) -> "EvaluationSettings":
        return cls(**evaluation)


@dataclasses.dataclass(frozen=True)
class ReinforceSettings:
    """baselines.reinforce: the hand-written REINFORCE yardstick (symla.learners.reinforce)."""

    learning_rate: float
    trace_decay: float
    baseline_decay: float


@dataclasses.dataclass(frozen=True)
class BaselineSettings:
    reinforce: ReinforceSettings | None = None

    @classmethod
    def from_mapping(cls, baselines: Mapping[str, Any]) -> "BaselineSettings":
        reinforce = baselines.get("reinforce")
        return cls(reinforce=ReinforceSettings(**reinforce) if reinforce else None)


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One experiment fully resolved at one scale: what its jobs compute from. A job's settings
    file (``stage_settings``) holds only the fields its stage reads; the rest keep their empty
    defaults, so a stage cannot depend on a setting by accident."""

    name: str
    scale: str
    lifetime: int
    train_split: str = ""
    eval_splits: tuple = ()
    learners: tuple = ()
    seeds: tuple = ()
    # None where the job's settings file leaves the field out (its stage does not read it)
    es: ESSettings | None = None
    networks: dict = dataclasses.field(default_factory=dict)
    evaluation: EvaluationSettings | None = None
    baselines: BaselineSettings = BaselineSettings()
    curriculum: tuple = ()  # ({"split", "generations"}, ...): ES stages before train_split

    @property
    def search(self) -> ESSettings:
        """es, for the stages that read it (train, evaluate); a one-line error elsewhere."""
        if self.es is None:
            raise SymlaError(f"experiment {self.name!r}: these settings hold no es (not a train or evaluate job's)")
        return self.es

    @property
    def meta_test(self) -> EvaluationSettings:
        """evaluation, for the stages that read it (evaluate, baselines)."""
        if self.evaluation is None:
            raise SymlaError(f"experiment {self.name!r}: these settings hold no evaluation "
                             "(not an evaluate or baselines job's)")
        return self.evaluation

    @property
    def total_generations(self) -> int:
        """ES generations of a run: the curriculum's stages, then es.generations on train_split."""
        return sum(stage["generations"] for stage in self.curriculum) + self.search.generations

    def training_stages(self) -> list[dict]:
        """The ES stages of a run in order: {"split", "first", "last"} (generations, 1-based), the
        curriculum's then train_split's: what a training curve marks and names."""
        stages, first = [], 1
        for split, generations in [*((c["split"], c["generations"]) for c in self.curriculum),
                                   (self.train_split, self.search.generations)]:
            stages.append({"split": split, "first": first, "last": first + generations - 1})
            first += generations
        return stages

    @property
    def restart_optimizer_after_curriculum(self) -> bool:
        """es.restart_optimizer_after_curriculum: the training split's stage starts a fresh ES
        optimizer (Adam moments at zero) at the curriculum's final centre, as a new search would,
        instead of carrying the moments of the curriculum's last stage."""
        return self.search.restart_optimizer_after_curriculum

    @property
    def all_splits(self) -> tuple:
        """Every split a run of this experiment touches: training, meta-test, curriculum, es.select."""
        select = self.es.select if self.es else None
        return (self.train_split, *self.eval_splits, *(c["split"] for c in self.curriculum),
                *((select.split,) if select else ()))

    def split_lifetime(self, split: str) -> int:
        """Steps of a meta-test lifetime on ``split`` (evaluation.split_lifetimes, by name or by
        the unpermuted twin's name; else the experiment's lifetime)."""
        from symla.envs.catalog import parse_split

        lifetimes = self.evaluation.split_lifetimes if self.evaluation else {}
        return lifetimes.get(split, lifetimes.get(parse_split(split).twin, self.lifetime))


# The fields of an Experiment each stage kind reads (besides name, scale and lifetime). MetaRNN is
# sized to the largest split it runs on, so its training also reads the evaluation splits.
STAGE_FIELDS = {
    "train": ("learners", "train_split", "curriculum", "es", "networks"),
    "evaluate": ("learners", "train_split", "curriculum", "es", "networks", "eval_splits", "evaluation"),
    "baselines": ("eval_splits", "evaluation", "baselines"),
}
OPTIONAL_FIELDS = ("curriculum",)  # left out of a settings file where empty, so older files match
PADDED_LEARNERS = ("metarnn",)


def stage_settings(experiment: Experiment, stage: str, learner: str | None = None) -> dict:
    """What a train, evaluate or baselines job of ``learner`` computes from: the content of its
    settings file (JSON-ready). Scoped, so an edit reruns only the stages that read it."""
    fields = STAGE_FIELDS[stage] + (("eval_splits",) if learner in PADDED_LEARNERS else ())
    out = {"name": experiment.name, "scale": experiment.scale, "lifetime": experiment.lifetime}
    for field in fields:
        value = getattr(experiment, field)
        if field in OPTIONAL_FIELDS and not value:
            continue
        if field == "learners":
            value = [learner]
        elif field == "networks":
            value = {learner: value[learner]} if learner in value else {}
        elif dataclasses.is_dataclass(value):
            value = settings_mapping(value)
        out[field] = list(value) if isinstance(value, tuple) else value
    return {"kind": "symla-settings", "stage": stage, "learner": learner, "experiment": out}


def _settings_schema(stage: str, learner: str | None) -> dict:
    """JSON schema of a ``stage`` job's settings file (what ``stage_settings`` and
    ``symla.stages`` write), over params.yaml's own definitions."""
    props = schema()["properties"]
    if stage in STAGE_FIELDS:
        fields = STAGE_FIELDS[stage] + (("eval_splits",) if learner in PADDED_LEARNERS else ())
        experiment = {
            "type": "object", "additionalProperties": False,
            "required": ["name", "scale", "lifetime", *(f for f in fields if f not in OPTIONAL_FIELDS)],
            "properties": {
                "name": {"type": "string"}, "scale": {"enum": list(SCALES)},
                "lifetime": {"type": "integer", "minimum": 1}, "train_split": {"type": "string"},
                "eval_splits": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                "learners": {"type": "array", "items": {"enum": ["symla", "metarnn"]}},
                "seeds": {"type": "array", "items": {"$ref": "#/$defs/seed"}},
                "es": {"allOf": [{"$ref": "#/$defs/es"}, {"required": list(REQUIRED_ES)}]},
                "networks": {"$ref": "#/$defs/networks"},
                "evaluation": {"allOf": [{"$ref": "#/$defs/evaluation"}, {"required": ["lifetimes"]}]},
                "baselines": {"$ref": "#/$defs/baselines"}, "curriculum": {"$ref": "#/$defs/curriculum"}}}
        body = {"required": ["experiment", "learner"], "properties": {"experiment": experiment}}
    elif stage == "figure":
        body = {"required": ["scale", "name", "figure", "lifetime"],
                "properties": {"figure": props["figures"]["additionalProperties"],
                               "lifetime": {"type": "integer", "minimum": 1},
                               "split_lifetimes": {"$ref": "#/$defs/evaluation/properties/split_lifetimes"},
                               "episode_steps": {"type": "object",
                                                 "additionalProperties": {"type": "integer", "minimum": 1}},
                               "training_stages": {"type": "array", "items": {
                                   "type": "object", "required": ["split", "first", "last"],
                                   "additionalProperties": False,
                                   "properties": {"split": {"type": "string"},
                                                  "first": {"type": "integer", "minimum": 1},
                                                  "last": {"type": "integer", "minimum": 1}}}}}}
    elif stage == "verify":
        body = {"required": ["scale", "claims"], "properties": {"claims": props["claims"], "figures": props["figures"]}}
    else:
        body = {}
    return {"type": "object", **body}


def validate_settings(settings: dict, stage: str, source) -> dict:
    """A job's settings file checked against params.yaml's schema before the job uses it: a file
    edited by hand gets one line naming the key, never a traceback. Returns settings."""
    check_with_schema(settings, _settings_schema(stage, settings.get("learner")), source,
                      "; settings files are written by the workflow: edit params.yaml and rerun "
                      "snakemake (or dvc repro) instead")
    return settings


def experiment_from_settings(settings: dict) -> Experiment:
    """The Experiment of a job's settings file (or of a resolved params.yaml experiment), typed."""
    exp = dict(settings["experiment"])
    for field in ("eval_splits", "learners", "seeds", "curriculum"):
        if field in exp:
            exp[field] = tuple(exp[field])
    for field, typed in (("es", ESSettings), ("evaluation", EvaluationSettings), ("baselines", BaselineSettings)):
        if field in exp:
            exp[field] = typed.from_mapping(exp[field])
    return Experiment(**exp)


def _split_sizes(name: str) -> tuple[int, int]:
    """(observation size, actions) of a split; only gymnax ids need building (JAX) for it."""
    from symla.envs.catalog import parse_split

    spec = parse_split(name)
    if spec.obs_size is None:
        from symla.envs.splits import make_split

        split = make_split(name)
        return split.obs_size, split.num_actions
    assert spec.num_actions is not None  # every family but gymnax knows its sizes from the name
    return spec.obs_size, spec.num_actions


def learner_settings(experiment: Experiment, learner: str) -> dict:
    """The learner's constructor settings; MetaRNN is padded to the largest split it must run on."""
    if learner not in experiment.learners:
        raise SymlaError(f"learner {learner!r} is not part of experiment {experiment.name!r} "
                         f"(learners: {', '.join(experiment.learners)})")
    settings = dict(experiment.networks.get(learner, {}))
    if learner in PADDED_LEARNERS:
        sizes = [_split_sizes(s) for s in experiment.all_splits]
        settings.setdefault("obs_size", max(o for o, _ in sizes))
        settings.setdefault("num_actions", max(a for _, a in sizes))
    return settings


def learner_shape(experiment: Experiment, learner: str):
    """The learner's static settings (symla.shapes), without JAX: for sizes, memory and cost."""
    from symla.shapes import SETTINGS

    return SETTINGS[learner](**learner_settings(experiment, learner))


def job_resources(experiment: Experiment, learner_name: str, stage: str) -> dict:
    """mem_mb for a train or evaluate job of this size (no JAX: the workflow calls it while parsing)."""
    from symla.envs.catalog import parse_split
    from symla.memory import job_mem_mb, member_chunk

    learner = learner_shape(experiment, learner_name)
    if stage == "train":
        es, split = experiment.search, parse_split(experiment.train_split)
        members = member_chunk(learner, split, es) or 2 * es.pairs
        return {"mem_mb": job_mem_mb(learner, split, members * es.lifetimes_per_member)}
    chunk = experiment.meta_test.chunk or experiment.meta_test.lifetimes
    return {"mem_mb": max(job_mem_mb(learner, parse_split(s), chunk) for s in experiment.eval_splits)}


REQUIRED_ES = ("noise_std", "learning_rate", "fitness_shaping", "checkpoint_every", "pairs",
               "generations", "lifetimes_per_member")


def resolve_experiment(params: dict, name: str, scale: str | None = None) -> Experiment:
    scale = scale or params["scale"]
    if name not in params["experiments"]:
        raise SymlaError(f"unknown experiment {name!r}; known experiments: "
                         f"{', '.join(params['experiments'])}")
    exp = params["experiments"][name]
    merged = deep_merge(params.get("defaults", {}), params["scales"].get(scale, {}))
    merged = deep_merge(merged, {k: exp[k] for k in OVERRIDE_KEYS if k in exp})
    merged = deep_merge(merged, {k: v for k, v in (exp.get("scales", {}).get(scale) or {}).items()
                                 if k in OVERRIDE_KEYS})
    for key in ("seeds", "lifetime"):
        if key not in merged:
            raise SymlaError(f"params.yaml: experiment {name!r} at scale {scale!r} has no '{key}'; "
                             f"set it under defaults, scales.{scale} or the experiment")
    missing = [k for k in REQUIRED_ES if k not in merged.get("es", {})]
    if missing:
        raise SymlaError(f"params.yaml: experiment {name!r} at scale {scale!r} misses es."
                         f"{', es.'.join(missing)}; set them under defaults.es or scales.{scale}.es")
    if "lifetimes" not in merged.get("evaluation", {}):
        raise SymlaError(f"params.yaml: experiment {name!r} at scale {scale!r} misses "
                         f"evaluation.lifetimes; set it under scales.{scale}.evaluation")
    at_scale = exp.get("scales", {}).get(scale) or {}
    return Experiment(
        name=name, scale=scale, train_split=at_scale.get("train_split", exp["train_split"]),
        eval_splits=tuple(at_scale.get("eval_splits", exp["eval_splits"])),
        learners=tuple(exp["learners"]), seeds=tuple(merged["seeds"]), lifetime=merged["lifetime"],
        es=ESSettings.from_mapping(merged["es"]), networks=merged.get("networks", {}),
        evaluation=EvaluationSettings.from_mapping(merged["evaluation"]),
        baselines=BaselineSettings.from_mapping(merged.get("baselines", {})),
        curriculum=tuple(dict(c) for c in at_scale.get("curriculum", exp.get("curriculum", ()))))


def build_learner(experiment: Experiment, learner: str):
    """The learner of an experiment (symla.learners), built from ``learner_settings``."""
    from symla.learners import make_learner

    return make_learner(learner, **learner_settings(experiment, learner))


def figure_inputs(spec: dict, experiment: Experiment, root: str) -> list[str]:
    """The files a figure reads (one definition for Snakemake and dvc.yaml): the runs' training
    logs for a training figure, the experiment's aggregated tables otherwise."""
    if spec["kind"] == "training":
        return [f"{root}/runs/{experiment.name}/{learner}/seed{seed}/train_log.csv"
                for learner in experiment.learners for seed in experiment.seeds]
    return [f"{root}/aggregate/{experiment.name}/{table}" for table in ("lifetimes.csv", "bins.csv", "summary.csv")]

"""The bad-input and fault battery: each case with the behaviour it must have.

A one-line ``symla: error:`` naming the problem and the fix (no traceback), a recovery that ends
bit-identical to an undisturbed run, or a refusal that leaves finished work as it was. Cases that
already behaved well before this file live beside their code's tests (tests/test_errors.py,
tests/test_checkpoints.py); this file holds the rest and the kill-anywhere checks of every
command that writes results.
"""

import errno
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SimulatedKill, env_with_venv, fault_at
from test_errors import one_line_error, write_params

from symla import checkpoint, evaluate
from symla.cli import main
from symla.config import MAX_SEED, load_params


def bandits_only(params):
    """params.yaml reduced to the bandit experiment (its claims and figures): every command's
    path at the cost of the cheapest experiment."""
    params["experiments"] = {"bandits": params["experiments"]["bandits"]}
    for section in ("claims", "figures"):
        params[section] = {k: v for k, v in params[section].items() if v["experiment"] == "bandits"}


# ---- values the schema used to let through to a traceback ----

SCHEMA_CASES = {
    "an exponent for an integer": (lambda p: p["scales"]["smoke"]["es"].update(generations="1e1"),
                                   ["scales.smoke.es.generations", "whole number"]),
    "a fraction for an integer": (lambda p: p["scales"]["smoke"]["es"].update(pairs=2.5),
                                  ["scales.smoke.es.pairs", "whole number"]),
    "a seed JAX cannot take": (lambda p: p["scales"]["smoke"].setdefault("evaluation", {}).update(seed=1e30),
                               ["scales.smoke.evaluation.seed"]),
    "a seed past the range": (lambda p: p["scales"]["smoke"].update(seeds=[MAX_SEED + 1]),
                              ["scales.smoke.seeds.0", f"0 to {MAX_SEED}"]),
    "a NaN threshold": (lambda p: p["claims"]["c1_symla_more_arms_above_random"].update(threshold=float("nan")),
                        ["claims.c1_symla_more_arms_above_random.threshold", "not a finite number"]),
    "an infinite learning rate": (lambda p: p["defaults"]["es"].update(learning_rate=float("inf")),
                                  ["defaults.es.learning_rate", "not a finite number"]),
}


@pytest.mark.parametrize("case", SCHEMA_CASES)
def test_every_value_the_schema_admits_is_one_the_code_accepts(case, tmp_path, capsys):
    edit, fragments = SCHEMA_CASES[case]
    params = write_params(tmp_path, edit=edit)
    one_line_error(capsys, ["settings", "--params", params, "--out", tmp_path / "results/smoke/settings/verify.json"],
                   *fragments)
    assert not (tmp_path / "results").exists()


def test_a_seed_on_the_command_line_is_checked_before_any_work(tmp_path, capsys):
    params = write_params(tmp_path)
    out = tmp_path / "results/smoke/runs/bandits/symla/seed0"
    one_line_error(capsys, ["train", "--params", params, "--experiment", "bandits", "--learner", "symla",
                            "--seed", 99999999999999999999, "--out", out], "--seed", f"0 to {MAX_SEED}")
    assert not out.exists()


def test_yaml_integers_and_numbers_written_with_exponents():
    """1e-2 is a float as in YAML 1.2 (PyYAML reads a string); 1e1 is a float too, so an integer key
    refuses it (test above) instead of truncating it."""
    params = load_params(REPO / "params.yaml")
    assert isinstance(params["defaults"]["es"]["learning_rate"], float)


def settings_of(tmp_path, stage_file, monkeypatch):
    """A settings file as the workflow writes it (paths relative to the repository, as in dvc.yaml)."""
    params = write_params(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = f"results/smoke/settings/{stage_file}"
    assert main(["settings", "--params", str(params), "--out", out]) == 0
    return params, tmp_path / out


@pytest.mark.parametrize("edit,fragments", [
    (lambda s: s["experiment"].pop("lifetime"), ["'experiment'", "'lifetime' is a required property"]),
    (lambda s: s["experiment"]["es"].pop("pairs"), ["experiment.es", "'pairs' is a required property"]),
    (lambda s: s["experiment"]["es"].update(pairs=2.5), ["experiment.es.pairs", "whole number"]),
    (lambda s: s["experiment"].update(unknown=1), ["Additional properties", "'unknown'"]),
], ids=["top-level key missing", "es key missing", "fraction", "unknown key"])
def test_a_settings_file_edited_by_hand_is_checked_against_the_same_schema(edit, fragments, tmp_path, capsys,
                                                                          monkeypatch):
    _, path = settings_of(tmp_path, "bandits/symla/train.json", monkeypatch)
    settings = json.loads(path.read_text())
    edit(settings)
    path.write_text(json.dumps(settings))
    out = tmp_path / "results/smoke/runs/bandits/symla/seed0"
    err = one_line_error(capsys, ["train", "--settings", path, "--seed", 0, "--out", out], str(path), *fragments)
    assert "edit params.yaml" in err and not out.exists()


# ---- tables are checked before they are used ----

@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Every writing command of the bandit experiment, run in-process at smoke scale: its argv
    and its outputs, so the kill tests below can repeat each one."""
    root = tmp_path_factory.mktemp("pipeline")
    params = write_params(root, edit=bandits_only)
    res = root / "results/smoke"
    common = ["--params", params]
    commands = {}
    for learner in ("symla", "metarnn"):
        run = res / f"runs/bandits/{learner}/seed0"
        assert main([str(a) for a in ["train", *common, "--experiment", "bandits", "--learner", learner,
                                      "--seed", 0, "--out", run, "--quiet"]]) == 0
        commands[f"evaluate-{learner}"] = (
            ["evaluate", *common, "--experiment", "bandits", "--learner", learner, "--seed", 0,
             "--checkpoint", run / "meta_params.msgpack", "--out-dir", res / f"eval/bandits/{learner}/seed0"],
            ["lifetimes.csv", "bins.csv"])
    commands["baselines"] = (["baselines", *common, "--experiment", "bandits", "--out-dir",
                              res / "eval/bandits/baselines"], ["lifetimes.csv", "bins.csv"])
    inputs = [res / "eval/bandits/metarnn/seed0", res / "eval/bandits/symla/seed0", res / "eval/bandits/baselines"]
    commands["aggregate"] = (["aggregate", "--inputs", *inputs, "--out-dir", res / "aggregate/bandits"],
                             ["lifetimes.csv", "bins.csv", "summary.csv"])
    for name in ("claim1_bandits", "claim1_bandits_within"):
        commands[f"figure-{name}"] = (["figure", *common, "--name", name, "--aggregate-dir", res / "aggregate/bandits",
                                       "--out", res / f"figures/{name}"], [f"{name}.png", f"{name}.pdf"])
    commands["figure-training_bandits"] = (
        ["figure", *common, "--name", "training_bandits", "--train-logs",
         *(res / f"runs/bandits/{learner}/seed0/train_log.csv" for learner in ("metarnn", "symla")),
         "--out", res / "figures/training_bandits"],
        ["training_bandits.png", "training_bandits.pdf"])
    commands["verify"] = (["verify", *common, "--aggregate-dir", res / "aggregate", "--results-dir", res,
                           "--out-dir", res / "verify"],
                          ["claims.json", "metrics/all_checks.json", "metrics/c1_symla_arm_permutation_unchanged.json",
                           "forest.png", "forest.pdf", "verdicts.html", "report.rst", "manifest.json"])
    for argv, _ in commands.values():
        assert main([str(a) for a in argv]) == 0
    return root, res, commands


def out_of(argv):
    flag = "--out-dir" if "--out-dir" in argv else "--out"
    return Path(argv[argv.index(flag) + 1])


def moved(argv, res, to):
    """argv with its output moved from under ``res`` to the same place under ``to``."""
    out = out_of(argv)
    i = argv.index(out)
    return [*argv[:i], to / out.relative_to(res.parent.parent), *argv[i + 1:]]


def memoise(monkeypatch, module, name):
    """Replace ``module.name`` with a memo of it: these tests repeat a command many times to
    fault each of its writes, and its computation is the same every time."""
    real, memo = getattr(module, name), {}

    def remembered(*args, **kw):
        key = repr((args, sorted(kw.items())))
        if key not in memo:
            memo[key] = real(*args, **kw)
        return memo[key]
    monkeypatch.setattr(module, name, remembered)


def disk_full(label):
    return OSError(errno.ENOSPC, "No space left on device", label)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["evaluate-symla", "baselines", "aggregate", "figure-claim1_bandits_within",
                                     "figure-training_bandits", "verify"])
@pytest.mark.parametrize("fault", [SimulatedKill, disk_full], ids=["kill", "disk-full"])
def test_a_kill_or_a_full_disk_at_any_io_point_resumes_with_the_same_command(pipeline, command, fault, monkeypatch,
                                                                              capsys, tmp_path):
    """The same command line, rerun after a kill (or a full disk) right after any of its writes,
    renames or fsyncs, replaces its own half-written outputs without --force and ends with every
    output bit-identical to the undisturbed run."""
    root, res, commands = pipeline
    argv, files = commands[command]
    for name in ("evaluate_checkpoint", "evaluate_baselines"):
        memoise(monkeypatch, evaluate, name)  # the meta-test's numbers: computed once, the writes each time
    reference = {f: (out_of(argv).parent / f if "--out" in argv else out_of(argv) / f).read_bytes() for f in files}
    labels = []
    monkeypatch.setattr(checkpoint, "io_point", labels.append)
    assert main([str(a) for a in moved(argv, res, tmp_path / "count")]) == 0
    assert labels, "the command passed no I/O point"
    for n in range(1, len(labels) + 1):
        args = [str(a) for a in moved(argv, res, tmp_path / f"at{n}")]
        monkeypatch.setattr(checkpoint, "io_point", fault_at(n, fault))
        if fault is SimulatedKill:
            with pytest.raises(SimulatedKill):
                main(args)
        else:
            assert main(args) == 2
            err = capsys.readouterr().err.strip().splitlines()[-1]
            assert err.startswith("symla: error: cannot write") and "free space" in err, err
        monkeypatch.setattr(checkpoint, "io_point", lambda label: None)
        assert main(args) == 0, \
            f"the rerun after a {fault.__name__} at {labels[n - 1]} failed: {capsys.readouterr().err}"
        out = Path(args[args.index("--out-dir" if "--out-dir" in args else "--out") + 1])
        where = out if "--out-dir" in args else out.parent
        for name, data in reference.items():
            if name == "manifest.json":  # names its results dir; its hashes must agree
                assert json.loads((where / name).read_text())["files"] == json.loads(data)["files"]
                continue
            assert (where / name).read_bytes() == data, f"{name} differs after a {fault.__name__} at {labels[n - 1]}"
        assert not list(where.glob(".*.tmp")), f"temp files left after {labels[n - 1]}"


def test_outputs_of_another_identity_are_still_refused_after_a_partial_write(pipeline, capsys, tmp_path):
    """The identity file goes first, so a half-written directory is recognised as its own; one
    written for another seed is still refused and kept."""
    _, res, commands = pipeline
    argv, _ = commands["evaluate-symla"]
    out = tmp_path / "results/smoke/eval/bandits/symla/seed0"
    shutil.copytree(out_of(argv), out)
    (out / "bins.csv").unlink()  # as a kill after lifetimes.csv left it
    params = argv[argv.index("--params") + 1]
    before = (out / "lifetimes.csv").read_bytes()
    one_line_error(capsys, ["evaluate", "--params", params, "--experiment", "bandits", "--learner", "symla",
                            "--seed", 1, "--checkpoint", argv[argv.index("--checkpoint") + 1], "--out-dir", out],
                   "holds results of another run (seed: 0 there, 1 here)")
    assert (out / "lifetimes.csv").read_bytes() == before


def test_aggregate_checks_its_tables_before_using_them(pipeline, capsys, tmp_path):
    _, res, commands = pipeline
    dirs = [res / "eval/bandits/symla/seed0", res / "eval/bandits/baselines"]
    out = tmp_path / "results/smoke/aggregate/bandits"
    one_line_error(capsys, ["aggregate", "--inputs", *dirs, dirs[0], "--out-dir", out], "is given twice")
    copy = tmp_path / "copy"
    shutil.copytree(dirs[0], copy)
    one_line_error(capsys, ["aggregate", "--inputs", *dirs, copy, "--out-dir", out], "both hold")
    header_only = tmp_path / "empty"
    shutil.copytree(dirs[0], header_only)
    for table in ("lifetimes.csv", "bins.csv"):
        path = header_only / table
        path.write_text(path.read_text().splitlines()[0] + "\n")
    one_line_error(capsys, ["aggregate", "--inputs", header_only, "--out-dir", out],
                   str(header_only / "lifetimes.csv"), "no rows")
    assert not (out / "summary.csv").exists()


def test_a_truncated_training_log_is_named(pipeline, capsys, tmp_path):
    _, res, _ = pipeline
    log = tmp_path / "results/smoke/runs/bandits/symla/seed0/train_log.csv"
    log.parent.mkdir(parents=True)
    text = (res / "runs/bandits/symla/seed0/train_log.csv").read_text()
    log.write_text(text[: len(text) - 25])  # cut inside the last row
    one_line_error(capsys, ["curve", "--log", log], str(log), "rerun the step that writes it")
    params = write_params(tmp_path, edit=bandits_only)
    one_line_error(capsys, ["figure", "--params", params, "--name", "training_bandits", "--train-logs", log,
                            "--out", tmp_path / "results/smoke/figures/training_bandits"], str(log))


# ---- errors say what is wrong ----

def test_a_missing_input_is_not_reported_as_a_full_disk(pipeline, capsys, tmp_path):
    _, res, _ = pipeline
    claims = res / "verify/claims.json"
    err = one_line_error(capsys, ["readme-table", "--claims", claims, "--write", tmp_path / "NO_README.md"],
                         "NO_README.md does not exist")
    assert "free space" not in err
    err = one_line_error(capsys, ["readme-table", "--claims", tmp_path / "none.json"], "none.json does not exist")
    assert "free space" not in err


def test_transfer_writes_its_tables_summary_and_figure(pipeline, capsys, tmp_path):
    """The advertised `symla transfer` (it once failed on every call): any checkpoint on any
    splits, with a random policy beside it on the same lifetimes."""
    _, res, _ = pipeline
    out = tmp_path / "transfer"
    argv = ["transfer", "--checkpoint", res / "runs/bandits/symla/seed0/meta_params.msgpack", "--split",
            "bandit-3arm", "cartpole", "--lifetimes", 4, "--lifetime", 30, "--num-bins", 3, "--out-dir", out]
    assert main([str(a) for a in argv]) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "bandit-3arm" in printed and "cartpole" in printed
    for name in ("lifetimes.csv", "bins.csv", "summary.csv", "transfer.png", "transfer.pdf"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "transfer.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---- divergence is a clear stop ----

def test_diverged_training_stops_with_one_line_and_keeps_the_last_good_checkpoint(tmp_path, capsys):
    params = write_params(tmp_path, edit=lambda p: p["scales"]["smoke"]["es"].update(
        learning_rate=1e30, generations=4, checkpoint_every=1))
    out = tmp_path / "results/smoke/runs/bandits/symla/seed0"
    one_line_error(capsys, ["train", "--params", params, "--experiment", "bandits", "--learner", "symla",
                            "--seed", 0, "--out", out, "--quiet"],
                   "generation 1: the meta-parameters diverged", "bound 1000", "learning_rate 1e+30",
                   "last good checkpoint")
    assert not (out / "meta_params.msgpack").exists()


# ---- one run directory, one writer ----

@pytest.mark.slow
def test_a_second_training_on_the_same_directory_is_refused_while_the_first_runs(tmp_path, capsys):
    params = write_params(tmp_path, edit=lambda p: p["scales"]["smoke"]["es"].update(checkpoint_every=1))
    out = tmp_path / "results/smoke/runs/bandits/symla/seed0"
    argv = ["train", "--params", params, "--experiment", "bandits", "--learner", "symla", "--seed", 0,
            "--out", out, "--quiet"]
    first = subprocess.Popen([sys.executable, "-m", "symla.cli", *map(str, argv)], cwd=REPO,
                             env={**env_with_venv(), "SYMLA_PAUSE_AT_GENERATION": "1"},
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while not (out / ".paused-at-1").exists():
            assert first.poll() is None, first.stderr.read().decode()
            assert time.monotonic() < deadline, "the first training never reached generation 1"
            time.sleep(0.5)
        err = one_line_error(capsys, argv, f"{out} is being trained by process {first.pid}", "another --out")
        assert "Traceback" not in err
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert main([str(a) for a in argv]) == 0  # the kill released the lock: the same command resumes
    log = (out / "train_log.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in log[1:]] == [str(g) for g in range(1, len(log))]


# ---- Snakemake and DVC ----

@pytest.mark.slow
def test_an_unknown_snakemake_target_lists_the_known_figures(tmp_path):
    from conftest import copy_workflow, run

    repo = copy_workflow(tmp_path / "repo")
    out = run(["snakemake", "-n", "results/smoke/figures/claim1_bandit.png"], repo, check=False)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "results/smoke/figures/claim1_bandit.png is not a target of this workflow at scale smoke" in text, text
    assert "claim1_bandits" in text and "KeyError" not in text, text


@pytest.mark.slow
def test_dvc_exp_run_switching_the_scale_says_how_to_restore_the_work_tree(tmp_path):
    from conftest import copy_workflow, run

    repo = copy_workflow(tmp_path / "repo", scale="quick")
    params = yaml.safe_load((repo / "params.yaml").read_text())
    bandits_only(params)
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    (repo / "dvc.yaml").write_text(run(["symla", "dvc-yaml"], repo).stdout)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    for cmd in (["git", "init", "-q"], ["dvc", "repro", "-q", "--single-item", *[
            f"settings_{t}" for t in ("bandits_symla_train", "bandits_baselines", "verify")]],
                ["git", "add", "-A"], [*git, "commit", "-qm", "init"]):
        run(cmd, repo)
    committed = {p: p.read_bytes() for p in (repo / "results/quick/settings").rglob("*.json")}
    who = {f"GIT_{role}_{key}": value for role in ("AUTHOR", "COMMITTER")
           for key, value in (("NAME", "t"), ("EMAIL", "t@t"))}
    out = run(["dvc", "exp", "run", "-S", "scale=smoke"], repo, check=False, extra_env=who)
    text = out.stdout + out.stderr
    assert out.returncode != 0
    assert "dvc.yaml holds the stages of scale 'quick'" in text and "set `scale: quick` back" in text, text
    assert {p: p.read_bytes() for p in (repo / "results/quick/settings").rglob("*.json")} == committed


def test_the_dvc_remote_verifies_what_it_downloads():
    config = (REPO / ".dvc/config").read_text()
    assert "verify = true" in config.split('remote "local"')[1]


def test_compare_checks_a_results_directory_against_a_manifest(pipeline, capsys, tmp_path):
    """DVC trusts its local cache: a corrupted cache file comes back on checkout unnoticed. The
    committed manifest catches it: `symla compare manifest.json results/<scale>` hashes the files."""
    _, res, _ = pipeline
    copy = tmp_path / "results/smoke"
    shutil.copytree(res, copy)
    manifest = res / "verify/manifest.json"
    assert main(["compare", str(manifest), str(copy)]) == 0
    assert "0 different, 0 missing" in capsys.readouterr().out
    damaged = copy / "eval/bandits/symla/seed0/bins.csv"
    damaged.write_bytes(damaged.read_bytes()[:-10] + b"0000000000")
    assert main(["compare", str(manifest), str(copy)]) == 1
    assert "different         eval/bandits/symla/seed0/bins.csv" in capsys.readouterr().out

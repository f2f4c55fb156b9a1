"""Bad input is one line naming the problem and the fix (no traceback), checked before computing;
results of another identity are never silently replaced; names reaching a shell are validated."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from symla.cli import main
from symla.config import load_params, resolve_experiment

REPO = Path(__file__).resolve().parents[1]


def write_params(tmp_path, name="params.yaml", edit=None):
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["scale"] = "smoke"
    if edit:
        edit(params)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


def one_line_error(capsys, argv, *fragments):
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    lines = err.splitlines()  # notes (the cost estimate) may precede it; the error is one line, last
    assert lines[-1].startswith("symla: error: ") and "Traceback" not in err, err
    assert sum(line.startswith("symla: error") for line in lines) == 1, err
    err = lines[-1]
    for fragment in fragments:
        assert fragment in err, err
    return err


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One smoke SymLA bandit run (seed 0) and its evaluation."""
    root = tmp_path_factory.mktemp("trained")
    params = write_params(root)
    run = root / "results/smoke/runs/bandits/symla/seed0"
    common = ["--params", params, "--experiment", "bandits"]
    assert main([str(a) for a in ["train", *common, "--learner", "symla", "--seed", 0, "--out", run, "--quiet"]]) == 0
    ev = root / "results/smoke/eval/bandits/symla/seed0"
    assert main([str(a) for a in ["evaluate", *common, "--learner", "symla", "--seed", 0,
                                  "--checkpoint", run / "meta_params.msgpack", "--out-dir", ev]]) == 0
    return root, params, run, ev


def test_no_command_writes_one_scales_results_with_another_scales_settings(trained, capsys, tmp_path):
    root, params, run, _ = trained
    quick_run = tmp_path / "results/quick/runs/bandits/symla/seed0"
    one_line_error(capsys, ["train", "--params", params, "--experiment", "bandits", "--learner", "symla",
                            "--seed", 0, "--out", quick_run],
                   "is under results/quick/ but these are smoke-scale settings")
    assert not quick_run.exists()


def test_train_refuses_to_replace_another_runs_meta_params(trained, capsys, tmp_path):
    _, params, run, _ = trained
    other = tmp_path / "results/smoke/runs/bandits/symla/seed0"
    shutil.copytree(run, other)
    shutil.rmtree(other / "checkpoints")  # as after `dvc pull`: the published file, no state
    before = (other / "meta_params.msgpack").read_bytes()
    one_line_error(capsys, ["train", "--params", params, "--experiment", "bandits", "--learner", "symla",
                            "--seed", 1, "--out", other, "--quiet"],
                   "holds another run (seed: 0 there, 1 here)", "--force")
    assert (other / "meta_params.msgpack").read_bytes() == before


def test_evaluate_checks_the_checkpoints_identity_and_its_output_directory(trained, capsys, tmp_path):
    root, params, run, ev = trained
    ckpt = run / "meta_params.msgpack"
    base = ["evaluate", "--params", params, "--experiment", "bandits", "--learner", "symla"]
    one_line_error(capsys, [*base, "--seed", 1, "--checkpoint", ckpt, "--out-dir", tmp_path / "e1"],
                   "is not the run asked for (seed: 0 there, 1 here)")

    def deeper(p):
        p["defaults"]["networks"]["symla"].update(hidden=[32], message_norm=True)
    deep = write_params(tmp_path, "deep.yaml", deeper)
    one_line_error(capsys, ["evaluate", "--params", deep, "--experiment", "bandits", "--learner", "symla", "--seed", 0,
                            "--checkpoint", ckpt, "--out-dir", tmp_path / "e2"], "network.hidden: [] there, [32] here")

    # the output directory holds seed 0's tables: evaluating "seed 1" into it is refused ...
    seed1 = tmp_path / "results/smoke/runs/bandits/symla/seed1"
    assert main([str(a) for a in ["train", "--params", params, "--experiment", "bandits", "--learner", "symla",
                                  "--seed", 1, "--out", seed1, "--quiet"]]) == 0
    target = tmp_path / "results/smoke/eval/bandits/symla/seed0"
    shutil.copytree(ev, target)
    before = (target / "lifetimes.csv").read_bytes()
    one_line_error(capsys, [*base, "--seed", 1, "--checkpoint", seed1 / "meta_params.msgpack", "--out-dir", target],
                   "holds results of another run (seed: 0 there, 1 here)", "--force")
    assert (target / "lifetimes.csv").read_bytes() == before
    # ... unless forced; re-running the same evaluation is allowed and gives the same bytes
    assert main([str(a) for a in [*base, "--seed", 1, "--checkpoint", seed1 / "meta_params.msgpack",
                                  "--out-dir", target, "--force"]]) == 0
    assert main([str(a) for a in [*base, "--seed", 0, "--checkpoint", ckpt, "--out-dir", target, "--force"]]) == 0
    assert (target / "lifetimes.csv").read_bytes() == before
    assert main([str(a) for a in [*base, "--seed", 0, "--checkpoint", ckpt, "--out-dir", target]]) == 0


def test_evaluation_refuses_non_finite_meta_parameters(trained, capsys, tmp_path):
    import numpy as np

    from symla import checkpoint

    _, params, run, _ = trained
    tree, meta = checkpoint.load_raw(run / "meta_params.msgpack")
    leaf = next(iter(tree))
    tree[leaf] = jax_nan_like(tree[leaf], np)
    bad = tmp_path / "results/smoke/runs/bandits/symla/seed0/meta_params.msgpack"
    checkpoint.save(bad, tree, meta)
    one_line_error(capsys, ["evaluate", "--params", params, "--experiment", "bandits", "--learner", "symla",
                            "--seed", 0, "--checkpoint", bad, "--out-dir", tmp_path / "e"],
                   "non-finite meta-parameters")
    one_line_error(capsys, ["transfer", "--checkpoint", bad, "--split", "cartpole", "--out-dir", tmp_path / "t"],
                   "non-finite meta-parameters")


def jax_nan_like(x, np):
    if isinstance(x, dict):
        return {k: jax_nan_like(v, np) for k, v in x.items()}
    return np.full_like(np.asarray(x), np.nan)


def test_one_line_errors_for_bad_names_files_and_directories(trained, capsys, tmp_path):
    _, params, run, ev = trained
    ckpt = run / "meta_params.msgpack"
    for split in ("bandit-1arm", "bandit-0arm"):
        one_line_error(capsys, ["transfer", "--checkpoint", ckpt, "--split", split, "--out-dir", tmp_path / "t"],
                       "a bandit needs at least 2 arms")
    one_line_error(capsys, ["transfer", "--checkpoint", ckpt, "--split", "", "--out-dir", tmp_path / "t"],
                   "--split got an empty name")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    one_line_error(capsys, ["evaluate", "--params", params, "--experiment", "bandits", "--learner", "symla",
                            "--seed", 0, "--checkpoint", ckpt, "--out-dir", blocker / "eval"],
                   "cannot write to", "another output directory")
    one_line_error(capsys, ["compare", tmp_path / "missing.json", tmp_path / "missing2.json"], "does not exist")
    (tmp_path / "bad.json").write_text("{not json")
    one_line_error(capsys, ["compare", tmp_path / "bad.json", tmp_path / "bad.json"], "is not JSON")


def test_aggregate_names_a_cut_or_inconsistent_table(trained, capsys, tmp_path):
    _, _, _, ev = trained
    for name, damage, message in [
        ("cut", lambda t: t[: len(t) * 2 // 3], "missing values"),
        ("rows", lambda t: "\n".join(t.splitlines()[:-1]) + "\n", "not every lifetime has bins"),
        ("garbage", lambda t: "\x00\x01 no table", "lacks column"),
    ]:
        d = tmp_path / name
        shutil.copytree(ev, d)
        (d / "bins.csv").write_text(damage((d / "bins.csv").read_text()))
        one_line_error(capsys, ["aggregate", "--inputs", d, "--out-dir", tmp_path / f"agg-{name}"],
                       f"{d / 'bins.csv'}", message)
        assert not (tmp_path / f"agg-{name}" / "lifetimes.csv").exists()
    d = tmp_path / "short"
    shutil.copytree(ev, d)
    (d / "lifetimes.csv").write_text("\n".join((d / "lifetimes.csv").read_text().splitlines()[:-1]) + "\n")
    one_line_error(capsys, ["aggregate", "--inputs", d, "--out-dir", tmp_path / "agg-short"], "lifetimes")


def test_params_cross_references_names_and_yaml12_numbers(tmp_path):
    from symla.errors import SymlaError

    def bad_figure(p):
        p["figures"]["claim1_bandits"]["experiment"] = "bandit"
    with pytest.raises(SymlaError, match="figures.claim1_bandits.experiment 'bandit' is not an experiment"):
        load_params(write_params(tmp_path, "f.yaml", bad_figure))

    def bad_claim_split(p):
        p["claims"]["c1_symla_more_arms_above_random"]["a"]["split"] = "bandit-6arm"
    with pytest.raises(SymlaError, match="names split 'bandit-6arm', which experiment 'bandits' does not evaluate"):
        load_params(write_params(tmp_path, "c.yaml", bad_claim_split))

    def injected(p):
        p["figures"]["pwn$(touch${IFS}PWNED)x"] = p["figures"]["claim1_bandits"]
    with pytest.raises(SymlaError, match=r"invalid value at 'figures'.*does not match"):
        load_params(write_params(tmp_path, "i.yaml", injected))

    path = write_params(tmp_path, "n.yaml")
    path.write_text(path.read_text().replace("learning_rate: 0.02", "learning_rate: 1e-2"))
    assert "learning_rate: 1e-2" in path.read_text()
    assert resolve_experiment(load_params(path), "bandits").search.learning_rate == 0.01

    def no_arms(p):
        p["experiments"]["bandits"]["eval_splits"].append("bandit-1arm")
    with pytest.raises(SymlaError, match="a bandit needs at least 2 arms"):
        load_params(write_params(tmp_path, "a.yaml", no_arms))

    def select_on_the_meta_test(p):
        p["experiments"]["gridworld"]["scales"]["quick"]["es"]["select"]["split"] = "gridworld-quad7r-swapped"
    with pytest.raises(SymlaError, match="es.select must validate on lifetimes the meta-test never sees"):
        load_params(write_params(tmp_path, "s.yaml", select_on_the_meta_test))

    def select_unknown_split(p):
        p["experiments"]["gridworld"]["scales"]["quick"]["es"]["select"]["split"] = "gridworld-quad7r-swapped24"
    with pytest.raises(SymlaError, match="experiments.gridworld: .*gridworld-quad7r-swapped24"):
        load_params(write_params(tmp_path, "u.yaml", select_unknown_split))


def test_identity_sidecar_is_written_and_outside_the_manifest(trained):
    from symla.verify import build_manifest

    root, _, _, ev = trained
    identity = json.loads((ev / ".identity.json").read_text())
    assert identity["seed"] == 0 and identity["scale"] == "smoke" and len(identity["checkpoint_sha256"]) == 64
    assert not any(".identity" in f for f in build_manifest(root / "results/smoke")["files"])

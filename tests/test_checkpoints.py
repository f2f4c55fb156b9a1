"""Nothing computed is lost: a kill at any instant resumes bit-identically, longer runs continue,
non-finite training stops, and no command silently replaces results of another identity."""

import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import SimulatedKill, env_with_venv, fault_at
from test_es import FixedPolicy

from symla import checkpoint, faults, train
from symla.envs.bandit import BernoulliBandit
from symla.envs.splits import Split
from symla.errors import SymlaError
from symla.es import MetaTrainer

REPO = Path(__file__).resolve().parents[1]
FITNESS_COLUMNS = ["generation", "fitness_mean", "fitness_best", "fitness_worst", "fitness_centre", "env_steps"]


LogitPolicy = FixedPolicy  # logits are the meta-parameters: compiles in well under a second


def cheap_trainer(learning_rate=0.1, noise_std=0.1):
    env = BernoulliBandit(2)
    params = env.default_params.replace(arm_probs=jnp.array([0.2, 0.8]))
    split = Split("fixed-bandit", env, 1, 2, lambda key: params)
    return MetaTrainer(LogitPolicy(), split, lifetime=10, pairs=4, lifetimes_per_member=2,
                       noise_std=noise_std, learning_rate=learning_rate)


IDENTITY = {"experiment": "cheap", "scale": "smoke", "seed": 0, "es": {"pairs": 4}}


def run(trainer, out, total=6, every=2, **kw):
    return train.run_es(trainer, 0, IDENTITY, total, every, out, quiet=True, **kw)


def kill_at(n):
    return fault_at(n, SimulatedKill)


def outputs(out):
    log = pd.read_csv(out / "train_log.csv")[FITNESS_COLUMNS]
    return checkpoint.sha256_file(out / "meta_params.msgpack"), log


def test_state_checkpoints_verify_themselves_and_meta_params_errors_never_say_delete(tmp_path):
    tree = {"a": np.arange(5, dtype=np.float32), "b": {"c": np.ones((2, 3))}}
    path = tmp_path / "gen-00000001.msgpack"
    checkpoint.save_state(path, tree, {"generation": 1})
    restored, meta = checkpoint.read_state(path)
    np.testing.assert_array_equal(checkpoint.restore(restored, tree, path)["a"], tree["a"])
    assert meta == {"generation": 1}
    data = path.read_bytes()
    for damaged in (data[: len(data) // 2], data[:-3] + b"xyz", b""):
        path.write_bytes(damaged)
        with pytest.raises(checkpoint.DamagedCheckpoint, match="does not verify"):
            checkpoint.read_state(path)

    params = tmp_path / "meta_params.msgpack"
    checkpoint.save(params, tree, {"generation": 7})
    assert checkpoint.load(params, tree)[1] == {"generation": 7}
    with pytest.raises(SymlaError, match="use the settings it was trained with"):
        checkpoint.load(params, {"a": np.zeros(6, np.float32), "b": {"c": np.ones((2, 3))}})
    params.write_bytes(params.read_bytes()[:20])
    with pytest.raises(SymlaError) as err:
        checkpoint.load(params, tree)
    assert "does not match" in str(err.value) and "delete" not in str(err.value)
    Path(f"{params}.sha256").unlink()
    with pytest.raises(SymlaError, match="rerun its training step") as err:
        checkpoint.load(params, tree)
    assert "delete" not in str(err.value)


def test_a_kill_right_after_any_write_rename_or_unlink_resumes_bit_identically(tmp_path, monkeypatch):
    trainer = cheap_trainer()
    labels = []
    monkeypatch.setattr(faults, "_count", 0)
    monkeypatch.setenv("SYMLA_TRACE_IO", str(tmp_path / "trace"))
    run(trainer, tmp_path / "full")
    monkeypatch.delenv("SYMLA_TRACE_IO")
    labels = [line.split(" ", 1)[1] for line in (tmp_path / "trace").read_text().splitlines()]
    assert any(lb.startswith("rename gen-") for lb in labels) and any(lb.startswith("unlink gen-") for lb in labels)
    assert "rename meta_params.msgpack" in labels and "rename meta_params.msgpack.sha256" in labels
    reference = outputs(tmp_path / "full")

    for n, label in enumerate(labels, start=1):
        out = tmp_path / f"killed{n}"
        point = kill_at(n)  # one counter over both modules' I/O points
        for module in (checkpoint, train):
            monkeypatch.setattr(module, "io_point", point)
        with pytest.raises(SimulatedKill):
            run(trainer, out)
        for module in (checkpoint, train):
            monkeypatch.setattr(module, "io_point", lambda label: None)
        run(trainer, out)  # the plain rerun: resumes from whatever the kill left
        sha, log = outputs(out)
        assert sha == reference[0], f"kill after I/O point {n} ({label}) changed the result"
        pd.testing.assert_frame_equal(log, reference[1])
        assert not list(out.rglob("*.tmp")), f"stale temp files after the rerun (kill at {label})"


def test_a_cut_log_row_and_a_damaged_newest_checkpoint_are_recovered(tmp_path, capsys):
    trainer = cheap_trainer()
    run(trainer, tmp_path / "full")
    out = tmp_path / "run"
    run(trainer, out, total=4)
    ckdir = next(p for p in (out / "checkpoints").iterdir() if p.is_dir())  # beside .lock
    with open(ckdir / "log.csv", "a") as f:
        f.write("5,0.1,0.2")  # a row cut by a kill mid-write
    newest = ckdir / "gen-00000004.msgpack"
    newest.write_bytes(newest.read_bytes()[:-10])  # damaged on disk
    train.run_es(trainer, 0, IDENTITY, 6, 2, out)
    said = capsys.readouterr().out
    assert "does not verify" in said and "resuming" in said and "from generation 2/6" in said
    assert outputs(out)[0] == outputs(tmp_path / "full")[0]


def cheap_curriculum(generations=3):
    """A first stage on the mirror-image bandit (arm 0 pays), before the trainer's own split."""
    env = BernoulliBandit(2)
    params = env.default_params.replace(arm_probs=jnp.array([0.8, 0.2]))
    split = Split("mirror-bandit", env, 1, 2, lambda key: params)
    return [(MetaTrainer(LogitPolicy(), split, lifetime=10, pairs=4, lifetimes_per_member=2,
                         noise_std=0.1, learning_rate=0.1), generations)]


def centre_logits(out, trainer):
    return np.asarray(checkpoint.load(out / "meta_params.msgpack", trainer.learner.init_params(None))[0]["logits"])


def test_a_curriculum_runs_its_stages_in_order_and_a_kill_anywhere_resumes_bit_identically(tmp_path, monkeypatch):
    """Stage 1 (3 generations, on a bandit whose arm 0 pays) then the run's own split (arm 1):
    the centre's logits move toward arm 0 first, then toward arm 1 (Adam, learning rate 0.1). The stage boundary (after
    generation 3) is not a checkpoint (every 2), and a kill after any I/O point still resumes to
    the same bits."""
    trainer, stages = cheap_trainer(), cheap_curriculum()
    checkpoint_bits = {}
    for total in (4, 8):
        out = tmp_path / f"to{total}"
        run(trainer, out, total=total, curriculum=stages)
        checkpoint_bits[total] = centre_logits(out, trainer)
    assert checkpoint_bits[4][0] > checkpoint_bits[4][1]  # 3 generations toward arm 0, 1 toward arm 1
    assert checkpoint_bits[8][1] > checkpoint_bits[8][0]  # after the run's split: arm 1
    with pytest.raises(SymlaError, match="do not reach past the curriculum's 3"):
        run(trainer, tmp_path / "short", total=3, curriculum=stages)

    assert_every_kill_resumes_to(outputs(tmp_path / "to8"), tmp_path, monkeypatch, trainer, total=8, curriculum=stages)


def assert_every_kill_resumes_to(reference, tmp_path, monkeypatch, trainer, **kw):
    """Kill ``run(trainer, **kw)`` after each of its I/O points in turn, rerun it plainly, and
    check that it ends at ``reference`` (meta_params sha256, fitness log)."""
    monkeypatch.setenv("SYMLA_TRACE_IO", str(tmp_path / "trace"))
    run(trainer, tmp_path / "traced", **kw)
    monkeypatch.delenv("SYMLA_TRACE_IO")
    labels = (tmp_path / "trace").read_text().splitlines()
    for n in range(1, len(labels) + 1):
        out, point = tmp_path / f"killed{n}", kill_at(n)  # one counter over both modules' I/O points
        for module in (checkpoint, train):
            monkeypatch.setattr(module, "io_point", point)
        with pytest.raises(SimulatedKill):
            run(trainer, out, **kw)
        for module in (checkpoint, train):
            monkeypatch.setattr(module, "io_point", lambda label: None)
        run(trainer, out, **kw)
        sha, log = outputs(out)
        assert sha == reference[0], f"kill after I/O point {n} ({labels[n - 1]}) changed the result"
        pd.testing.assert_frame_equal(log, reference[1])


def test_restart_optimizer_makes_the_training_split_a_new_search_and_a_kill_anywhere_resumes_bit_identically(
        tmp_path, monkeypatch):
    """With restart_optimizer the run's own split is searched as by a new run started at the
    curriculum's final centre (fresh Adam moments), with the run's generation-indexed noise: equal
    to stepping a fresh state by hand, and unlike carrying the moments. The boundary (after
    generation 3) is not a checkpoint, and a kill after any I/O point resumes to the same bits."""
    trainer, stages = cheap_trainer(), cheap_curriculum()
    run(stages[0][0], tmp_path / "stage", total=3)  # the curriculum alone: the centre at the boundary
    state = trainer.init(0, {"logits": jnp.asarray(centre_logits(tmp_path / "stage", trainer))})
    for gen in range(3, 8):
        state, _ = trainer.generation(state, trainer.run_key(0), jnp.int32(gen))
    by_hand = np.asarray(trainer.meta_params(state)["logits"])
    assert int(state.opt_state[0].count) == 5  # the moments count only the run's own split
    run(trainer, tmp_path / "to8", total=8, curriculum=stages, restart_optimizer=True)
    run(trainer, tmp_path / "carried8", total=8, curriculum=stages)
    reference = outputs(tmp_path / "to8")
    np.testing.assert_array_equal(centre_logits(tmp_path / "to8", trainer), by_hand)
    assert not np.array_equal(centre_logits(tmp_path / "carried8", trainer), by_hand)
    assert_every_kill_resumes_to(reference, tmp_path, monkeypatch, trainer, total=8, curriculum=stages,
                                 restart_optimizer=True)


def test_training_longer_continues_and_equals_the_longer_run_from_the_start(tmp_path):
    trainer = cheap_trainer()
    run(trainer, tmp_path / "long", total=8)
    run(trainer, tmp_path / "grown", total=4)
    run(trainer, tmp_path / "grown", total=8)  # es.generations raised: continues from 4
    sha, log = outputs(tmp_path / "grown")
    assert sha == outputs(tmp_path / "long")[0]
    pd.testing.assert_frame_equal(log, outputs(tmp_path / "long")[1])
    with pytest.raises(SymlaError, match="already trained to generation 8, beyond the 6 asked for"):
        run(trainer, tmp_path / "grown", total=6)


def test_diverging_training_stops_at_that_generation_and_keeps_the_last_good_checkpoint(tmp_path):
    """Adam moves each meta-parameter by about the learning rate per generation: at 300 the centre
    passes train.MAX_META_PARAM within a few generations, each of them checkpointed."""
    trainer = cheap_trainer(learning_rate=300.0)
    diverged = (r"generation (\d+): the meta-parameters diverged \(largest \|value\| .*"
                r"bound 1000\); learning_rate 300 or noise_std 0.1 is likely too large")
    with pytest.raises(SymlaError, match=diverged) as err:
        run(trainer, tmp_path / "big", total=50, every=1)
    stopped_at = int(str(err.value).split()[1].rstrip(":"))
    assert 1 < stopped_at < 50
    assert not (tmp_path / "big" / "meta_params.msgpack").exists()
    kept = list((tmp_path / "big" / "checkpoints").rglob("gen-*.msgpack"))
    assert kept
    for path in kept:
        tree = checkpoint.read_state(path)[0]
        assert checkpoint.all_finite(tree)
        centre = trainer.meta_params(checkpoint.restore(tree, trainer.init(0), path))
        assert max(float(np.abs(np.asarray(x)).max()) for x in jax.tree.leaves(centre)) <= train.MAX_META_PARAM


# ---- through the CLI (real learners, real SIGKILL, smoke settings) ----

def smoke_params(tmp_path, name, **es):
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["scale"] = "smoke"
    params["scales"]["smoke"]["es"].update(es)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


def cli(params, out, env=None, check=True, *extra):
    cmd = [sys.executable, "-m", "symla.cli", "train", "--params", str(params), "--experiment", "bandits",
           "--learner", "symla", "--seed", "0", "--out", str(out), *extra]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env={**env_with_venv(), **(env or {})})
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_cli_sigkill_between_checkpoint_renames_resumes_and_training_longer_continues(tmp_path):
    """The reported failure: SIGKILL right after a checkpoint's rename (formerly before its
    .sha256 was written) left a run that never resumed. Now it resumes, and raising
    es.generations continues the finished run to the same result as a longer run from scratch."""
    short, long_ = smoke_params(tmp_path, "short", generations=6, checkpoint_every=2), \
        smoke_params(tmp_path, "long", generations=10, checkpoint_every=2)
    trace = tmp_path / "trace"
    cli(long_, tmp_path / "reference", {"SYMLA_TRACE_IO": str(trace)})
    points = trace.read_text().splitlines()
    kill = next(int(p.split()[0]) for p in points if p.endswith("rename gen-00000004.msgpack"))

    run_dir = tmp_path / "run"
    killed = cli(short, run_dir, {"SYMLA_KILL_AT_IO": str(kill)}, False)
    assert killed.returncode == -9
    resumed = cli(short, run_dir)
    assert resumed.stdout.startswith("bandits/symla/seed0 at scale smoke: ")
    assert "env steps, estimated" in resumed.stdout
    assert f"resuming {run_dir} from generation 4/6" in resumed.stdout
    continued = cli(long_, run_dir)
    assert f"resuming {run_dir} from generation 6/10" in continued.stdout
    assert checkpoint.sha256_file(run_dir / "meta_params.msgpack") == \
        checkpoint.sha256_file(tmp_path / "reference" / "meta_params.msgpack")
    pd.testing.assert_frame_equal(pd.read_csv(run_dir / "train_log.csv")[FITNESS_COLUMNS],
                                  pd.read_csv(tmp_path / "reference" / "train_log.csv")[FITNESS_COLUMNS])


def test_a_run_checkpointed_in_the_earlier_two_file_format_resumes(tmp_path, capsys):
    """state.msgpack (+ .sha256) with the log inside, as written before this format: converted,
    resumed, and bit-identical to an uninterrupted run; the old file is kept."""
    import jax
    import jax.numpy as jnp

    trainer = cheap_trainer()
    run(trainer, tmp_path / "full")
    state, run_key, rows = trainer.init(0), trainer.run_key(0), []
    for gen in range(2):
        state, metrics = trainer.generation(state, run_key, jnp.int32(gen))
        metrics = jax.device_get(metrics)
        rows.append({"generation": gen + 1, **{k: float(v) for k, v in metrics.items()},
                     "env_steps": (gen + 1) * trainer.env_steps_per_generation, "env_steps_per_s": 1.0,
                     "wall_time_s": float(gen)})
    columns = {c: np.asarray([r[c] for r in rows], np.float64) for c in train.LOG_COLUMNS}
    legacy = tmp_path / "old" / "state.msgpack"
    checkpoint.save(legacy, {"es_state": state, "log": columns}, {"identity": IDENTITY, "generation": 2})
    train.run_es(trainer, 0, IDENTITY, 6, 2, tmp_path / "old")
    said = capsys.readouterr().out
    assert "converted" in said and "from generation 2/6" in said
    assert legacy.exists()
    sha, log = outputs(tmp_path / "old")
    assert sha == outputs(tmp_path / "full")[0]
    pd.testing.assert_frame_equal(log, outputs(tmp_path / "full")[1])


# ---- early stopping (es.select) ----

def prefer_arm_0(meta_params):
    """A cheap validation score: how much the centre still prefers arm 0. Training moves the
    logits toward arm 1, so an early checkpoint scores best (the selection must not be the last)."""
    logits = np.asarray(meta_params["logits"])
    return float(logits[0] - logits[1]), 0.0


def test_select_generations_are_every_nth_of_the_training_stage_and_the_last():
    assert train.select_generations(330, 830, 100) == (430, 530, 630, 730, 830)
    assert train.select_generations(3, 8, 2) == (5, 7, 8)
    assert train.select_generations(0, 6, 10) == (6,)


def test_selection_keeps_its_checkpoints_publishes_the_best_centre_and_a_kill_anywhere_resumes_to_it(
        tmp_path, monkeypatch):
    """Competing generations 3, 5 and 6 of 6 (checkpoints every 2): generation 3 is kept although it
    is not a checkpoint generation, nothing of the three is pruned, the published centre is bit for
    bit the centre a 3-generation run publishes, the scores are recorded, and a kill after any I/O
    point (training or selection) resumes to the same file."""
    trainer = cheap_trainer()
    selection = train.Selection((3, 5, 6), prefer_arm_0, "preference for arm 0")
    run(trainer, tmp_path / "selected", selection=selection)
    ckdir = next(p for p in (tmp_path / "selected" / "checkpoints").iterdir() if p.is_dir())
    assert {g for g, _ in train.state_checkpoints(ckdir)} == {3, 5, 6}  # 2 and 4 pruned, 3 kept
    run(trainer, tmp_path / "three", total=3)
    np.testing.assert_array_equal(centre_logits(tmp_path / "selected", trainer),
                                  centre_logits(tmp_path / "three", trainer))
    _, meta = checkpoint.load_raw(tmp_path / "selected" / "meta_params.msgpack")
    record = meta["selection"]
    assert record["selected_generation"] == 3 and record["statistic"] == "preference for arm 0"
    scores = [s["mean"] for s in record["scores"]]
    assert [s["generation"] for s in record["scores"]] == [3, 5, 6] and scores[0] == max(scores) > scores[-1]
    assert_every_kill_resumes_to(outputs(tmp_path / "selected"), tmp_path, monkeypatch, trainer, selection=selection)


def test_selection_names_the_missing_checkpoints_of_a_run_trained_without_it(tmp_path):
    trainer = cheap_trainer()
    run(trainer, tmp_path / "plain")
    selection = train.Selection((1, 6), prefer_arm_0)
    with pytest.raises(SymlaError, match=r"lacks the checkpoints of generations \[1\] that es.select compares"):
        run(trainer, tmp_path / "plain", selection=selection)


def test_the_selection_score_is_claim_3s_reward_rise_on_the_validation_lifetimes():
    """reward_rise_scorer (numpy on the bins, inside the train job) against the pipeline's own
    statistic (symla.analysis on evaluate's tables) on the same lifetimes of a grid world."""
    import jax

    from symla.analysis import add_within_lifetime_metrics
    from symla.envs.splits import make_split
    from symla.evaluate import to_tables
    from symla.learners import make_learner
    from symla.rollout import lifetime_keys, run_lifetimes

    learner = make_learner("symla", hidden=[], cell_size=4, message_size=2, ticks=1, message_norm=False)
    split = make_split("gridworld-quad7r-swapped23")
    params = learner.init_params(jax.random.PRNGKey(3))
    mean, se = train.reward_rise_scorer(learner, split, 40, 16, 2000, 10)(params)
    result = run_lifetimes(learner, split, params, lifetime_keys(2000, 16), 40, 10)
    lifetimes, bins = to_tables(jax.device_get(result), {"experiment": "e", "split": "s", "learner": "l", "seed": 0})
    rise = add_within_lifetime_metrics(lifetimes, bins)["reward_rise"]
    assert mean == pytest.approx(rise.mean(), abs=1e-9) and se == pytest.approx(rise.std() / 4, abs=1e-9)
    assert rise.std() > 0  # the lifetimes differ, so the check compares something

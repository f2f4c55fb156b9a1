"""ES meta-training: common random numbers, the fitness sign, checkpoints, resume after SIGKILL."""

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import yaml

from symla import checkpoint
from symla.envs.bandit import BernoulliBandit
from symla.envs.splits import Split
from symla.errors import SymlaError
from symla.es import MetaTrainer

REPO = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class FixedPolicy:
    """A 'learner' whose logits are its meta-parameters: ES must learn to prefer the good arm."""

    def init_params(self, key):
        return {"logits": jnp.zeros(2)}

    def init_state(self, params, key, obs_size, num_actions):
        return ()

    def step(self, params, state, obs, prev_action, reward):
        return params["logits"], state


def fixed_bandit_split():
    env = BernoulliBandit(2)
    params = env.default_params.replace(arm_probs=jnp.array([0.1, 0.9]))
    return Split("fixed-bandit", env, 1, 2, lambda key: params)


def test_es_maximises_lifetime_reward_and_pairs_share_environments():
    trainer = MetaTrainer(FixedPolicy(), fixed_bandit_split(), lifetime=20, pairs=8,
                          lifetimes_per_member=4, noise_std=0.1, learning_rate=0.1,
                          fitness_shaping="centered_rank")
    state = trainer.init(0)
    run_key = trainer.run_key(0)
    first = None
    for gen in range(40):
        state, metrics = trainer.generation(state, run_key, gen)
        first = first if first is not None else float(metrics["fitness_centre"])
    logits = trainer.meta_params(state)["logits"]
    assert float(logits[1] - logits[0]) > 1.0  # learned to prefer the 0.9 arm
    assert float(metrics["fitness_centre"]) > first + 4.0  # about 10 at start, 18 at best

    # common random numbers: with zero noise both members of a pair score the same
    noiseless = dataclasses.replace(trainer, noise_std=1e-30)
    population, _ = noiseless.strategy.ask(jax.random.PRNGKey(0), noiseless.init(0), noiseless.strategy.default_params)
    pair_keys = jax.random.split(jax.random.PRNGKey(1), (8, 4))
    from symla.rollout import run_population
    fitness = run_population(FixedPolicy(), trainer.split, population,
                             jnp.concatenate([pair_keys, pair_keys]), 20).fitness.mean(1)
    np.testing.assert_array_equal(fitness[:8], fitness[8:])


def test_checkpoint_round_trip_and_clear_errors(tmp_path):
    tree = {"a": np.arange(5, dtype=np.float32), "b": {"c": np.ones((2, 3))}}
    path = tmp_path / "ck.msgpack"
    checkpoint.save(path, tree, {"generation": 7})
    restored, meta = checkpoint.load(path, tree)
    np.testing.assert_array_equal(restored["a"], tree["a"])
    assert meta == {"generation": 7}
    assert (tmp_path / "ck.msgpack.sha256").read_text().split()[0] == checkpoint.sha256_file(path)

    with pytest.raises(SymlaError, match="does not match this learner"):
        checkpoint.load(path, {"a": np.zeros(6, np.float32), "b": {"c": np.ones((2, 3))}})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated
    with pytest.raises(SymlaError, match=f"checkpoint {path} is corrupt"):
        checkpoint.load(path, tree)
    path.write_bytes(b"\x00" * 10)
    (tmp_path / "ck.msgpack.sha256").write_text(checkpoint.sha256_file(path) + "  ck.msgpack\n")
    with pytest.raises(SymlaError, match="cannot be decoded|not a symla checkpoint"):
        checkpoint.load(path, tree)
    (tmp_path / "ck.msgpack.sha256").unlink()
    with pytest.raises(SymlaError, match="has no ck.msgpack.sha256"):
        checkpoint.load(path, tree)
    with pytest.raises(SymlaError, match="does not exist"):
        checkpoint.load(tmp_path / "missing.msgpack", tree)


def smoke_params(tmp_path, generations=10, checkpoint_every=2):
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["scale"] = "smoke"
    params["scales"]["smoke"]["es"].update(generations=generations, checkpoint_every=checkpoint_every)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


def train_cmd(params, out):
    return [sys.executable, "-m", "symla.cli", "train", "--params", str(params), "--experiment", "bandits",
            "--learner", "symla", "--seed", "0", "--out", str(out)]


def test_resume_after_sigkill_is_bit_identical(tmp_path):
    params = smoke_params(tmp_path, generations=60, checkpoint_every=2)
    full, killed = tmp_path / "full", tmp_path / "killed"
    subprocess.run(train_cmd(params, full), check=True, capture_output=True, cwd=REPO)

    proc = subprocess.Popen(train_cmd(params, killed), cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    state = killed / "state.msgpack"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if state.exists() and Path(f"{state}.sha256").exists():
            try:
                _, meta = checkpoint.load_raw(state)
            except SymlaError:  # caught between writing the file and its hash: look again
                continue
            if 2 <= meta["generation"] < 50:
                break
        time.sleep(0.01)
    assert proc.poll() is None, "training finished before it could be killed; raise generations"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    _, meta = checkpoint.load_raw(state)
    resumed_from = meta["generation"]
    assert resumed_from < 60 and not (killed / "meta_params.msgpack").exists()

    out = subprocess.run(train_cmd(params, killed), check=True, capture_output=True, text=True, cwd=REPO)
    assert f"resuming {killed} from generation {resumed_from}/60" in out.stdout
    assert checkpoint.sha256_file(killed / "meta_params.msgpack") == checkpoint.sha256_file(full / "meta_params.msgpack")
    import pandas as pd
    cols = ["generation", "fitness_mean", "fitness_best", "fitness_worst", "fitness_centre", "env_steps"]
    pd.testing.assert_frame_equal(pd.read_csv(killed / "train_log.csv")[cols], pd.read_csv(full / "train_log.csv")[cols])


def test_cli_errors_are_one_line(tmp_path):
    params = smoke_params(tmp_path)
    for extra, message in [
        (["--experiment", "nope", "--learner", "symla"], "unknown experiment 'nope'; known experiments: bandits"),
        (["--experiment", "bandits", "--learner", "lstm"], "unknown learner 'lstm' for experiment 'bandits'"),
    ]:
        out = subprocess.run([sys.executable, "-m", "symla.cli", "train", "--params", str(params), *extra,
                              "--seed", "0", "--out", str(tmp_path / "o")], capture_output=True, text=True, cwd=REPO)
        assert out.returncode == 2
        assert out.stderr.strip().splitlines() == [f"symla: error: {out.stderr.strip()[len('symla: error: '):]}"]
        assert message in out.stderr

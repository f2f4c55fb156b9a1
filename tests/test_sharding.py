"""The population sharded over 2 (forced CPU) devices gives the single-device result, and
chunked member evaluation gives the unchunked one."""

import json
import os
import subprocess
import sys

import numpy as np

SCRIPT = r"""
import json, sys, jax, jax.numpy as jnp, numpy as np
from symla.envs.splits import make_split
from symla.es import MetaTrainer
from symla.learners import SymLA
chunk = int(sys.argv[1]) or None
trainer = MetaTrainer(SymLA(), make_split("bandit-2arm-biased"), lifetime=20, pairs=4, lifetimes_per_member=2,
                      noise_std=0.05, learning_rate=0.02, member_chunk=chunk)
state, key, fit = trainer.init(0), trainer.run_key(0), []
for g in range(3):
    state, m = trainer.generation(state, key, g)
    fit.append(float(m["fitness_mean"]))
flat = jnp.concatenate([x.ravel() for x in jax.tree.leaves(trainer.meta_params(state))])
print(json.dumps({"devices": jax.device_count(), "fitness": fit, "params": np.asarray(flat).tolist()}))
"""


def run(devices: int, chunk: int = 0):
    env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}", JAX_PLATFORMS="cpu")
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(chunk)], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_two_device_sharding_and_chunking_match_single_device():
    single, sharded, chunked = run(1), run(2), run(1, chunk=4)
    assert single["devices"] == 1 and sharded["devices"] == 2
    assert sharded["fitness"] == single["fitness"]  # member rollouts are bit-identical
    # reductions over members sum in another order
    np.testing.assert_allclose(sharded["params"], single["params"], rtol=0, atol=1e-5)
    assert chunked["fitness"] == single["fitness"]
    # reductions over members sum in another order
    np.testing.assert_allclose(chunked["params"], single["params"], rtol=0, atol=1e-5)

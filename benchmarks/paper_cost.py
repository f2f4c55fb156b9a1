"""Cost of the paper scale: env steps, FLOPs and GPU-hours per experiment, training and meta-test.

    uv run python benchmarks/paper_cost.py [--gpu-tflops 67] [--efficiency 0.3]

GPU-hours = FLOPs / (efficiency x the GPU's float32 peak). The efficiency is the fraction of the
matmul peak that SymLA reaches, measured on this project's CPU by benchmarks/throughput.py
(`symla_ratio_to_peak`); on a GPU it is pending a measurement (no GPU was available), so the
hours are an estimate to be replaced by a measured generation on the target GPU. FLOPs count
6784 per cell tick (2*49*64 gate matmul + 2*2*16*8 readouts), as throughput.py does; MetaRNN
costs are small next to SymLA's and are counted with its own FLOPs. The meta-test ("eval") is
every evaluation split's lifetimes per seed (symla.cost.evaluation_env_steps, evaluation_flops); compilation, a
minute or two per job (symla.cost.COMPILE_SECONDS), is left out at this scale.
"""

import argparse

from symla.config import build_learner, load_params, resolve_experiment
from symla.cost import evaluation_env_steps, evaluation_flops, learner_flops_per_step, training_env_steps
from symla.envs.splits import make_split


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--gpu-tflops", type=float, default=67.0, help="GPU float32 peak (H100 SXM: 67)")
    parser.add_argument("--efficiency", type=float, default=0.3, help="fraction of peak SymLA reaches")
    args = parser.parse_args()
    params = load_params(args.params, "paper")
    total = {"train": 0.0, "eval": 0.0}
    print(f"{'experiment':10s} {'learner':8s} {'stage':5s} {'env steps':>10s} {'PFLOP':>8s} {'GPU-h/seed':>10s} "
          f"{'GPU-h':>7s}")
    for name in params["experiments"]:
        exp = resolve_experiment(params, name, "paper")
        split = make_split(exp.train_split)
        for learner_name in exp.learners:
            learner = build_learner(exp, learner_name)
            train_steps = training_env_steps(exp.search, exp.lifetime, exp.total_generations)
            rows = [("train", train_steps, train_steps * learner_flops_per_step(learner, split))]
            rows.append(("eval", evaluation_env_steps(exp), evaluation_flops(exp, learner)))
            for stage, steps, flops in rows:
                hours = flops / (args.efficiency * args.gpu_tflops * 1e12) / 3600
                total[stage] += hours * len(exp.seeds)
                print(f"{name:10s} {learner_name:8s} {stage:5s} {steps:10.3g} {flops / 1e15:8.2f} {hours:10.2f} "
                      f"{hours * len(exp.seeds):7.1f}")
    print(f"total: {total['train']:.0f} GPU-hours of training, {total['eval']:.1f} of meta-test, at "
          f"{args.efficiency:.2f} of {args.gpu_tflops:.0f} TFLOP/s")


if __name__ == "__main__":
    main()

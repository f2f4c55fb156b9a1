"""Cost of the paper scale: env steps, SymLA cell ticks and FLOPs per experiment, and GPU-hours.

    uv run python benchmarks/paper_cost.py [--gpu-tflops 67] [--efficiency 0.3]

GPU-hours = FLOPs / (efficiency x the GPU's float32 peak). The efficiency is the fraction of the
matmul peak that SymLA reaches, measured on this project's CPU by benchmarks/throughput.py
(`symla_ratio_to_peak`); on a GPU it is pending a measurement (no GPU was available), so the
hours are an estimate to be replaced by a measured generation on the target GPU. FLOPs count
6784 per cell tick (2*49*64 gate matmul + 2*2*16*8 readouts), as throughput.py does; MetaRNN
costs are small next to SymLA's and are counted with its own FLOPs.
"""

import argparse

from symla.config import build_learner, load_params, resolve_experiment
from symla.cost import learner_flops_per_step
from symla.envs.splits import make_split


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--gpu-tflops", type=float, default=67.0, help="GPU float32 peak (H100 SXM: 67)")
    parser.add_argument("--efficiency", type=float, default=0.3, help="fraction of peak SymLA reaches")
    args = parser.parse_args()
    params = load_params(args.params, "paper")
    total = 0.0
    print(f"{'experiment':10s} {'learner':8s} {'env steps':>10s} {'PFLOP':>8s} {'GPU-h/seed':>10s} {'GPU-h':>7s}")
    for name in params["experiments"]:
        exp = resolve_experiment(params, name, "paper")
        es = exp.es
        split = make_split(exp.train_split)
        steps = (2 * es["pairs"] + 1) * es["lifetimes_per_member"] * exp.lifetime * es["generations"]
        for learner_name in exp.learners:
            flops = steps * learner_flops_per_step(build_learner(exp, learner_name), split)
            hours = flops / (args.efficiency * args.gpu_tflops * 1e12) / 3600
            total += hours * len(exp.seeds)
            print(f"{name:10s} {learner_name:8s} {steps:10.3g} {flops / 1e15:8.1f} {hours:10.1f} "
                  f"{hours * len(exp.seeds):7.1f}")
    print(f"total training: {total:.0f} GPU-hours at {args.efficiency:.2f} of {args.gpu_tflops:.0f} TFLOP/s")


if __name__ == "__main__":
    main()

"""The one command line the workflow calls: ``symla <command> ...``. Rules hold no logic.

Every user-facing problem is a one-line ``symla: error: ...`` and exit code 2.
"""

import argparse
import sys


def _add_common(p, experiment=True):
    p.add_argument("--params", default="params.yaml", help="path to params.yaml (default: %(default)s)")
    p.add_argument("--scale", choices=["smoke", "quick", "paper"], default=None,
                   help="override the scale set in params.yaml")
    if experiment:
        p.add_argument("--experiment", required=True, help="experiment name from params.yaml")


def cmd_train(args):
    from symla.config import load_params, resolve_experiment
    from symla.train import train

    params = load_params(args.params, args.scale)
    experiment = resolve_experiment(params, args.experiment)
    if args.seed not in experiment.seeds:
        print(f"note: seed {args.seed} is not among the experiment's seeds {list(experiment.seeds)}",
              file=sys.stderr)
    _check_learner(experiment, args.learner)
    train(experiment, args.learner, args.seed, args.out, quiet=args.quiet)


def _check_learner(experiment, learner):
    from symla.errors import SymlaError

    if learner not in experiment.learners:
        raise SymlaError(f"unknown learner {learner!r} for experiment {experiment.name!r}; "
                         f"choose one of {', '.join(experiment.learners)}")


def build_parser():
    parser = argparse.ArgumentParser(prog="symla", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="meta-train one learner with ES (resumes from its checkpoint)")
    _add_common(p)
    p.add_argument("--learner", required=True, help="symla or metarnn")
    p.add_argument("--seed", type=int, required=True, help="meta-training seed")
    p.add_argument("--out", required=True, help="run directory for checkpoints, log and curve")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_train)
    return parser


def main(argv=None):
    from symla.errors import SymlaError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except SymlaError as err:
        print(f"symla: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symla: interrupted; rerun the same command to resume from the last checkpoint",
              file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

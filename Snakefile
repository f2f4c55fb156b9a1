# SymLA reproduction pipeline. Everything comes from params.yaml (validated against
# workflow/schemas/params.schema.yaml); rules are thin calls of the `symla` CLI.
#   snakemake                                  the scale set in params.yaml, local profile
#   snakemake --config scale=smoke             another scale (results/<scale>/ keeps them apart)
#   snakemake --profile workflow/profiles/slurm
#   snakemake --report results/<scale>/report.html
from snakemake.utils import min_version

min_version("9.0")


configfile: "params.yaml"


# The landing page: written by verify from the verdicts once they exist, a static one before.
import os

_landing = f"results/{config['scale']}/verify/report.rst"


report: _landing if os.path.exists(_landing) else "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        [path for s in STAGES if s.kind in ("verify", "curve", "figure") for path in s.outs.values()],
    default_target: True

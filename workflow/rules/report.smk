rule figure:
    """One figure of params.yaml's `figures` (seaborn, PNG and PDF)."""
    input:
        deps("figure"),
    output:
        png=report(outputs("figure")["png"], caption="../report/figure.rst", category="Figures",
                   labels=lambda w: {"figure": w.name, "kind": config["figures"][w.name]["kind"]}),
        pdf=outputs("figure")["pdf"],
    params:
        cmd=cmd("figure"),
        code=code_hash("figure"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/figure/{{name}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/figure/{{name}}.tsv"
    shell:
        "{params.cmd} > {log:q} 2>&1"


rule verify:
    """Every claim's verdict with its 95% CI, the verdict page with its forest plot, the report's
    landing page and the sha256 manifest of every artifact."""
    input:
        deps("verify"),
    output:
        claims=report(outputs("verify")["claims"], caption="../report/verify.rst", category="Verdicts"),
        page=report(outputs("verify")["page"], caption="../report/verdicts.rst", category="Verdicts"),
        forest=report(outputs("verify")["forest"], caption="../report/forest.rst", category="Verdicts"),
        forest_pdf=outputs("verify")["forest_pdf"],
        landing=outputs("verify")["landing"],
        manifest=outputs("verify")["manifest"],
        metrics=directory(outputs("verify")["metrics"]),
    params:
        cmd=cmd("verify"),
        code=code_hash("verify"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/verify.log",
    benchmark:
        f"{RESULTS}/benchmarks/verify.tsv"
    shell:
        "{params.cmd} > {log:q} 2>&1"

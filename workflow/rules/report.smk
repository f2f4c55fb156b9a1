rule figure:
    """One figure of params.yaml's `figures` (seaborn, PNG and PDF)."""
    input:
        lambda w: figure_inputs_of(w.name),
    output:
        png=report(f"{RESULTS}/figures/{{name}}.png", caption="../report/figure.rst", category="Figures",
                   labels=lambda w: {"figure": w.name, "kind": config["figures"][w.name]["kind"]}),
        pdf=f"{RESULTS}/figures/{{name}}.pdf",
    params:
        spec=lambda w: config["figures"][w.name],
        scale=SCALE,
        stem=lambda w, output: output.png[: -len(".png")],
        sources=figure_sources,
        code=code_hash("figure"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/figure/{{name}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/figure/{{name}}.tsv"
    shell:
        "PYTHONPATH=src python -m symla.cli figure --params params.yaml --scale {params.scale:q} --name {wildcards.name:q}"
        " {params.sources} --out {params.stem:q} > {log:q} 2>&1"


rule verify:
    """Every claim's verdict with its 95% CI, the verdict page with its forest plot, the report's
    landing page and the sha256 manifest of every artifact."""
    input:
        aggregates=expand(f"{RESULTS}/aggregate/{{experiment}}/lifetimes.csv", experiment=list(EXPERIMENTS)),
        figures=expand(f"{RESULTS}/figures/{{name}}.png", name=list(config.get("figures", {}))),
        curves=[f"{run_dir(*r)}/training_curve.png" for r in runs()],
        logs=[f"{run_dir(*r)}/train_log.csv" for r in runs()],
    output:
        claims=report(f"{RESULTS}/verify/claims.json", caption="../report/verify.rst", category="Verdicts"),
        page=report(f"{RESULTS}/verify/verdicts.html", caption="../report/verdicts.rst", category="Verdicts"),
        forest=report(f"{RESULTS}/verify/forest.png", caption="../report/forest.rst", category="Verdicts"),
        forest_pdf=f"{RESULTS}/verify/forest.pdf",
        landing=f"{RESULTS}/verify/report.rst",
        summary=f"{RESULTS}/verify/summary.json",
        manifest=f"{RESULTS}/verify/manifest.json",
    params:
        claims=config.get("claims", {}),
        figures=config.get("figures", {}),
        code=code_hash("verify"),
        scale=SCALE,
        results=lambda w, output: str(Path(output.claims).parents[1]),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/verify.log",
    benchmark:
        f"{RESULTS}/benchmarks/verify.tsv"
    shell:
        "PYTHONPATH=src python -m symla.cli verify --params params.yaml --scale {params.scale:q} --aggregate-dir {params.results:q}/aggregate"
        " --results-dir {params.results:q} --out-dir \"$(dirname {output.claims:q})\" > {log:q} 2>&1"

"""The workflow end to end at smoke scale: every rule, figures, verify, report, lint, DVC."""

import json
import struct
from html import escape as html_escape
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_workflow, run

RULES = ("train", "curve", "evaluate", "baselines", "aggregate", "figure", "verify")


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def manifest_files(root):
    return json.loads((root / "results/smoke/verify/manifest.json").read_text())["files"]


@pytest.mark.slow
def test_smoke_dag_runs_every_rule_and_writes_valid_artifacts(smoke_run):
    root, log = smoke_run
    for rule in RULES:
        assert f"rule {rule}:" in log or f"localrule {rule}:" in log, f"rule {rule} did not run"
    res = root / "results/smoke"
    params = yaml.safe_load((root / "params.yaml").read_text())
    for name in params["figures"]:
        w, h = png_size(res / "figures" / f"{name}.png")
        assert w > 300 and h > 200
        assert (res / "figures" / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
    curves = list(res.glob("runs/*/*/seed*/training_curve.png"))
    assert len(curves) == 6 and all(png_size(c)[0] > 300 for c in curves)
    claims = json.loads((res / "verify/claims.json").read_text())
    assert set(claims["claims"]) == set(params["claims"])
    for verdict in claims["claims"].values():
        assert {"difference", "ci_low", "ci_high", "threshold", "passed"} <= set(verdict)
    files = manifest_files(root)
    assert any(f.endswith("meta_params.msgpack") for f in files) and any(f.startswith("figures/") for f in files)
    assert all((res / "verify" / f).stat().st_size > 0 for f in ("verdicts.html", "forest.png", "report.rst"))
    assert list(res.glob("logs/train/*/*/seed0.log")) and list(res.glob("benchmarks/train/*/*/seed0.tsv"))
    # per-split meta-test lifetimes (gridworld: cartpole 30 steps, the grid worlds 20): CartPole pays
    # +1 a step, so every CartPole lifetime's environment return is its length
    import pandas as pd

    grid = pd.read_csv(res / "aggregate/gridworld/lifetimes.csv")
    assert set(grid.loc[grid["split"] == "cartpole", "env_return"]) == {30.0}
    # the curriculum (two fork stages of 1 generation, then quad7r): one run, every generation logged
    log = pd.read_csv(res / "runs/gridworld/symla/seed0/train_log.csv")
    assert log["generation"].tolist() == list(range(1, 6))


@pytest.mark.slow
def test_every_stage_imports_only_the_code_it_is_tracked_by(smoke_run):
    """symla.stages.STAGE_CODE is what makes an edit rerun exactly the stages that run the edited
    code (Snakemake: a code-hash param; DVC: per-stage deps). Every job of the smoke DAG recorded
    the symla modules it imported; none may be outside its stage's list (figure code is no
    training input)."""
    from symla.stages import STAGE_CODE, module_stage_violations

    root, _ = smoke_run
    traces = sorted((root / "module-trace").glob("*.txt"))
    seen = {t.name.split("-")[0] for t in traces}
    assert set(STAGE_CODE) <= seen, f"stages that left no trace: {set(STAGE_CODE) - seen}"
    for trace in traces:
        stage = trace.name.split("-")[0]
        modules = trace.read_text().split()
        assert "symla.figures" not in modules or stage in ("curve", "figure", "verify"), trace.name
        assert not module_stage_violations(stage, modules), (stage, module_stage_violations(stage, modules))


@pytest.mark.slow
def test_report_has_the_verdict_page_every_check_and_every_figure(smoke_run):
    """The Snakemake report: its landing page (written by verify) names every check with its
    verdict, and the verdict page, forest plot, every figure and the training curves are in it."""
    root, _ = smoke_run
    run(["snakemake", "--report", "report.html"], root)
    html = (root / "report.html").read_text(errors="ignore")
    claims = json.loads((root / "results/smoke/verify/claims.json").read_text())
    assert f"{claims['passed']} of {claims['total']} checks pass" in html
    for name, _ in claims["claims"].items():
        assert name in html, f"check {name} is not in the report"
    for name in yaml.safe_load((root / "params.yaml").read_text())["figures"]:
        assert f"{name}.png" in html, f"figure {name} is not in the report"
    assert "verdicts.html" in html and "forest.png" in html and "training_curve" in html
    page = (root / "results/smoke/verify/verdicts.html").read_text()
    assert all(f"<code>{name}</code>" in page for name in claims["claims"])
    # below quick scale, the first thing each page says is what the scale can and cannot show
    from symla.verify import SCALE_NOTES, verdict_table

    note = SCALE_NOTES["smoke"]
    assert page.index(html_escape(note)) < page.index("checks pass</b>")
    landing = (root / "results/smoke/verify/report.rst").read_text()
    assert landing.startswith(f"**{note}**")
    assert html.index("tests the plumbing, not the paper") < html.index("checks pass")
    table = verdict_table(claims)
    assert table.index(note) < table.index("Verdicts at scale smoke")


@pytest.mark.slow
def test_dvc_repro_matches_snakemake_and_pull_needs_no_rerun(smoke_run, tmp_path):
    """dvc repro runs the same smoke DAG a second time, from scratch in a fresh repository: its
    manifest must equal the first run's bit for bit (the determinism check of the pipeline)."""
    root, _ = smoke_run
    repo = copy_workflow(tmp_path / "repo")
    # One experiment, as in the SLURM test: DVC runs stages one at a time, and the other two
    # experiments add the same kinds of stages and 4 minutes of CI, and test nothing more.
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params["experiments"] = {"bandits": params["experiments"]["bandits"]}
    for section in ("claims", "figures"):
        params[section] = {k: v for k, v in params[section].items() if v["experiment"] == "bandits"}
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    (repo / "dvc.yaml").write_text(run(["symla", "dvc-yaml"], repo).stdout)
    storage = tmp_path / "storage"
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"],
                ["dvc", "remote", "modify", "--local", "local", "url", str(storage)],
                ["dvc", "repro", "-q"]):
        run(cmd, repo)
    bandits = {f: h for f, h in manifest_files(root).items() if "bandits" in f}
    assert bandits and {f: h for f, h in manifest_files(repo).items() if "bandits" in f} == bandits  # dvc == snakemake
    metrics = run(["dvc", "metrics", "show"], repo).stdout  # one row per check, 120 columns
    assert "results/smoke/verify/metrics/all_checks.json" in metrics, metrics
    assert max(map(len, metrics.splitlines())) <= 120, metrics
    run(["dvc", "push", "-q"], repo)
    for cmd in (["git", "add", "-A"], ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "results"]):
        run(cmd, repo)
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(repo), str(clone)], tmp_path)
    run(["dvc", "remote", "modify", "--local", "local", "url", str(storage)], clone)
    # `symla pull` (README): dvc pull, dvc status -q (exit 0 only when every stage matches dvc.lock),
    # then snakemake --touch: DVC does not keep modification times and Snakemake 9 compares them
    # whatever --rerun-triggers says, so pulled per-seed tables look newer than the git-tracked
    # aggregates; --touch records the state DVC has just checked, running and changing nothing.
    pulled = run(["symla", "pull"], clone)
    assert "snakemake and dvc both have nothing to do" in pulled.stdout, pulled.stdout + pulled.stderr
    assert "up to date" in run(["dvc", "status"], clone).stdout.lower()
    assert manifest_files(clone) == manifest_files(repo)
    dry = run(["snakemake", "-n"], clone)
    assert "Nothing to be done" in dry.stdout + dry.stderr, dry.stdout + dry.stderr

    # DVC experiments: a changed figure title reruns that figure and verify (whose settings hold the
    # figure titles for the verdict page) and nothing else
    # (test_each_setting_reaches_only_the_stages_that_read_it covers every kind of setting); the
    # metrics compare per check; another scale than dvc.yaml's is refused.
    exp = run(["dvc", "exp", "run", "-S", "figures.claim1_bandits.title=Bandits retitled"], repo).stdout
    ran = sorted(line.split("'")[1] for line in exp.splitlines() if line.startswith("Running stage"))
    assert ran == ["figure_claim1_bandits", "settings_figures_claim1_bandits", "settings_verify", "verify"], exp
    shown = run(["dvc", "exp", "show", "--csv"], repo).stdout
    assert "metrics/c1_symla_arm_permutation_unchanged.json:difference" in shown, shown
    assert "metrics/all_checks.json:pass" in shown, shown
    refused = run(["dvc", "exp", "run", "-S", "scale=quick"], repo, check=False)
    text = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "dvc.yaml holds the stages of scale 'smoke'" in text, text
    assert "set `scale: smoke` back" in text, text
    assert not (repo / "results/quick").exists()


@pytest.mark.parametrize("edit,message", [
    (("scale: smoke", "scale: huge"), "invalid value at 'scale': 'huge' is not one of ['smoke', 'quick', 'paper']"),
    (("noise_std: 0.05", "noise_std: -1"), "invalid value at 'defaults.es.noise_std'"),
    (("train_split: cartpole", "train_split: cartpol"), "unknown environment split 'cartpol'"),
    (("learners: [symla, metarnn]", "learners: [symla, lstm]"), "'lstm' is not one of ['symla', 'metarnn']"),
    (("{split: gridworld-fork3p, generations: 1}", "{split: gridworld-fork9z, generations: 1}"),
     "unknown grid-world layout 'fork9z' in split 'gridworld-fork9z'"),
    (("split_lifetimes: {cartpole: 30}", "split_lifetimes: {acrobot: 30}"),
     "evaluation.split_lifetimes names 'acrobot', which it does not evaluate"),
])
def test_malformed_params_give_one_line_errors(tmp_path, edit, message):
    root = copy_workflow(tmp_path)
    text = (root / "params.yaml").read_text()
    assert edit[0] in text
    (root / "params.yaml").write_text(text.replace(edit[0], edit[1], 1))
    out = run(["snakemake", "-n"], root, check=False)
    assert out.returncode != 0
    assert message in out.stdout + out.stderr
    cli = run(["symla", "dvc-yaml"], root, check=False)
    assert cli.returncode == 2 and message in cli.stderr and len(cli.stderr.strip().splitlines()) == 1


def test_dry_run_states_the_cost_and_warns_at_paper_scale_on_this_machine(tmp_path):
    from symla import cost

    if cost.local_device() != "cpu":
        pytest.skip("the warning is for a CPU machine")
    root = copy_workflow(tmp_path)
    out = run(["snakemake", "-n", "--config", "scale=paper"], root)
    text = out.stdout + out.stderr
    assert "scale paper: 30 train, 30 evaluate, 3 baselines jobs:" in text and "env steps, estimated" in text
    assert "of it compilation" in text, text
    assert "WARNING: far beyond this machine" in text


@pytest.mark.slow
def test_no_cost_is_printed_when_no_training_is_planned(smoke_run):
    """Every run of the smoke DAG is trained: a dry run plans nothing and states no cost (the
    paper-scale dry run above, with every run still to do, states it)."""
    root, _ = smoke_run
    out = run(["snakemake", "-n"], root)
    text = out.stdout + out.stderr
    assert "Nothing to be done" in text and "estimated" not in text, text


def test_yaml_syntax_error_names_the_line(tmp_path):
    root = copy_workflow(tmp_path)
    (root / "params.yaml").write_text("scale: smoke\nexperiments: [\n")
    cli = run(["symla", "dvc-yaml"], root, check=False)
    assert cli.returncode == 2 and "params.yaml is not valid YAML at line" in cli.stderr


def test_readme_verdict_table_matches_the_committed_claims():
    import json

    from symla.verify import verdict_table

    claims = json.loads((REPO / "results/quick/verify/claims.json").read_text())
    assert verdict_table(claims) in (REPO / "README.md").read_text(), "run `symla readme-table --write README.md`"


def _dry_run_jobs(root, *args):
    """Every job of a forced dry run but `all`, in order: (rule name, {field: value})."""
    out = run(["snakemake", "-n", "-p", "--forceall", *args], root).stdout
    for block in out.split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines()]
        head = next((line for line in lines if line.startswith(("rule ", "localrule "))), None)
        if head is None or head.split()[-1] == "all:":
            continue
        yield head.split()[-1].rstrip(":"), {line.split(":", 1)[0]: line.split(":", 1)[1].strip()
                                             for line in lines if ":" in line}


def _snakemake_jobs(root, *args):
    """Every job of a forced dry run: {outputs: (rule, inputs, shell command)}."""
    jobs = {}
    for rule, field in _dry_run_jobs(root, *args):
        outputs = frozenset(field["output"].split(", "))
        inputs = frozenset(field["input"].split(", ")) if "input" in field else frozenset()
        jobs[outputs] = (rule, inputs, field.get("Shell command", ""))
    return jobs


def test_snakemake_and_dvc_run_one_graph(tmp_path):
    """Both orchestrators come from one stage table (symla.stages): the same jobs, each with the
    same inputs, outputs and command; only the settings jobs differ in where their settings come
    from (Snakemake: its config; DVC: params.yaml)."""
    from symla.stages import code_paths

    root = copy_workflow(tmp_path)
    jobs = _snakemake_jobs(root)
    stages = yaml.safe_load(run(["symla", "dvc-yaml"], root).stdout)["stages"]
    assert len(jobs) == len(stages) and len(stages) > 50
    for name, stage in stages.items():
        # DVC lists verify's metrics file by file; Snakemake declares their directory.
        metrics = {str(Path(next(iter(m))).parent) for m in stage.get("metrics", [])}
        outs = frozenset({next(iter(o)) if isinstance(o, dict) else o for o in stage["outs"]} | metrics)
        assert outs in jobs, f"DVC stage {name} is no Snakemake job"
        rule, inputs, shell = jobs[outs]
        assert name.startswith(rule), (name, rule)
        kind = name.split("_")[0]
        assert set(stage["deps"]) - set(code_paths(kind)) == inputs, name
        if rule == "settings":
            assert "settings --json" in shell and "settings --params params.yaml" in stage["cmd"]
        else:
            assert shell.split(" > ")[0] == stage["cmd"], name


def test_each_setting_reaches_only_the_stages_that_read_it():
    """Settings files are scoped: an evaluation setting is no training input, a claim's text only
    verify's, a MetaRNN network setting no SymLA input, a figure's title only its figure's."""
    import copy

    from symla.config import load_params
    from symla.stages import build_stages

    base = load_params(REPO / "params.yaml", "smoke")

    def changed(edit):
        params = copy.deepcopy(base)
        edit(params)
        before = {s.name: s.settings for s in build_stages(base) if s.kind == "settings"}
        after = {s.name: s.settings for s in build_stages(params) if s.kind == "settings"}
        return sorted(name for name in before if before[name] != after[name])

    evaluation = changed(lambda p: p["defaults"]["evaluation"].update(seed=1001))
    assert evaluation and all(n.endswith(("_evaluate", "_baselines")) for n in evaluation)
    assert changed(lambda p: p["claims"]["c1_symla_arm_permutation_unchanged"].update(text="x")) == ["settings_verify"]
    metarnn = changed(lambda p: p["defaults"]["networks"]["metarnn"].update(hidden_size=32))
    assert metarnn and all("_metarnn_" in n for n in metarnn)
    assert changed(lambda p: p["figures"]["claim1_bandits"].update(title="x")) == [
        "settings_figures_claim1_bandits", "settings_verify"]
    es = changed(lambda p: p["experiments"]["bandits"]["scales"]["smoke"].update(es={"generations": 5}))
    assert es == ["settings_bandits_metarnn_evaluate", "settings_bandits_metarnn_train",
                  "settings_bandits_symla_evaluate", "settings_bandits_symla_train",
                  "settings_figures_training_bandits"]  # the training figure marks the stages' generations
    grid = ["settings_gridworld_metarnn_evaluate", "settings_gridworld_metarnn_train",
            "settings_gridworld_symla_evaluate", "settings_gridworld_symla_train"]
    curriculum = changed(lambda p: p["experiments"]["gridworld"]["scales"]["smoke"]["curriculum"][0].update(
        generations=2))
    # what is trained (and what evaluate checks the checkpoint against), and the training figure's stages
    assert curriculum == ["settings_figures_training_gridworld", *grid]
    lifetimes = changed(lambda p: p["experiments"]["gridworld"]["scales"]["smoke"]["evaluation"].update(
        split_lifetimes={"cartpole": 40}))
    assert lifetimes == [f"settings_figures_{f}" for f in ("claim3_gridworld", "claim4_transfer",
                                                            "claim4_transfer_failures", "training_gridworld")] + [
        "settings_gridworld_baselines", "settings_gridworld_metarnn_evaluate", "settings_gridworld_symla_evaluate"]


def test_training_jobs_are_scheduled_longest_first(tmp_path):
    """With 2 cores the longest runs must start first (longest-processing-time order), or the last
    one runs alone while a core idles: every grid-world training job outranks every other one."""
    root = copy_workflow(tmp_path)
    priority = {field["wildcards"]: int(field.get("priority", 0))
                for rule, field in _dry_run_jobs(root, "--config", "scale=quick") if rule == "train"}
    assert len(priority) == 18
    grid = [p for w, p in priority.items() if "experiment=gridworld" in w]
    other = [p for w, p in priority.items() if "experiment=gridworld" not in w]
    assert len(grid) == 6 and min(grid) > max(other) > 0


def test_parsing_the_workflow_imports_no_jax(tmp_path):
    """Validation, the stage table, job sizes and the cost line need no JAX: a dry run with JAX,
    gymnax and flax made unimportable still works (so it stays fast, and so does a SLURM job's start)."""
    root = copy_workflow(tmp_path / "wf")
    blocker = tmp_path / "blocked"
    for module in ("jax", "jaxlib", "gymnax", "flax"):
        (blocker / module).mkdir(parents=True)
        (blocker / module / "__init__.py").write_text(f"raise ImportError('{module} imported while parsing')\n")
    out = run(["snakemake", "-n", "--config", "scale=quick"], root, extra_env={"PYTHONPATH": str(blocker)})
    assert " train, " in out.stderr and "imported while parsing" not in out.stdout + out.stderr


def test_config_overrides_reach_the_jobs_and_scales_stay_apart(tmp_path):
    """A --configfile override is honoured end to end: the settings file a job reads holds it.
    A settings file of one scale cannot be written under another scale's results."""
    root = copy_workflow(tmp_path)
    (root / "override.yaml").write_text("scales:\n  smoke:\n    es: {generations: 2}\n")
    target = "results/smoke/settings/bandits/symla/train.json"
    run(["snakemake", target, "--configfile", "override.yaml"], root)
    settings = json.loads((root / target).read_text())
    assert settings["experiment"]["es"]["generations"] == 2 and settings["experiment"]["scale"] == "smoke"
    jobs = _snakemake_jobs(root, "--configfile", "override.yaml", "--config", "scale=quick")
    assert any("results/quick/settings/bandits/symla/train.json" in outs for outs in jobs)
    wrong = run(["symla", "settings", "--json", json.dumps(settings), "--out",
                 "results/quick/settings/bandits/symla/train.json"], root, check=False)
    assert wrong.returncode == 2 and "these are smoke-scale settings" in wrong.stderr
    assert not (root / "results/quick").exists()


def test_committed_dvc_yaml_matches_params():
    out = run(["symla", "dvc-yaml"], REPO)
    assert out.stdout == (REPO / "dvc.yaml").read_text(), "run `symla dvc-yaml > dvc.yaml`"


def test_committed_settings_files_match_params():
    """The quick reference's settings files are what params.yaml resolves to. On a fresh clone
    Snakemake has no record of having written them, so a params edit committed without them
    would not rerun anything: the clone would silently reproduce the old settings."""
    from symla.config import load_params
    from symla.stages import build_stages, settings_json

    stale = [s.outs["json"] for s in build_stages(load_params(REPO / "params.yaml", "quick"))
             if s.kind == "settings" and (REPO / s.outs["json"]).read_text() != settings_json(s.settings)]
    assert not stale, f"{stale} differ from params.yaml: regenerate the reference (README: DVC)"


def test_conda_requirements_match_the_lock():
    import shutil

    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    out = run([uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--no-header",
               "--no-annotate"], REPO)
    assert out.stdout == (REPO / "workflow/envs/requirements.txt").read_text(), \
        "regenerate workflow/envs/requirements.txt (command in workflow/envs/symla.yaml)"


def test_snakemake_lint_is_clean():
    out = run(["snakemake", "--lint"], REPO, check=False)
    assert out.returncode == 0 and "Congratulations" in out.stdout + out.stderr, out.stdout[-3000:]

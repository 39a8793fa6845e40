"""Prefect flow `train_pipeline`: drive the DVC pipeline stage by stage.

One task per `dvc repro STAGE`, in dvc.yaml's order, with retries for
transient failures; DVC decides what is up to date and owns the caching, and
the stage code knows nothing of Prefect. Afterwards the metrics (from
`dvc metrics show --json`) and the confusion matrix are published as Prefect
artifacts. Deployable on a schedule (`aurora train --cron ...`) for nightly
retraining.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import yaml
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from aurora.errors import AuroraError
from flows.dvc import run_dvc
from stages.paths import CONFUSION


def pipeline_stages(repo: Path) -> list[str]:
    """Stage names in dvc.yaml's order (which is the pipeline's order)."""
    return list(yaml.safe_load((repo / "dvc.yaml").read_text())["stages"])


class StageFailed(AuroraError, RuntimeError):
    """`dvc repro STAGE` failed; the message holds the end of its output."""


@task(retries=1, retry_delay_seconds=10, cache_policy=NO_CACHE, task_run_name="dvc repro {stage}")
def repro_stage(stage: str, repo: str) -> dict:
    logger = get_run_logger()
    started = time.perf_counter()
    done = run_dvc("repro", stage, cwd=Path(repo))
    seconds = round(time.perf_counter() - started, 1)
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
    if done.returncode:
        raise StageFailed(f"dvc repro {stage} failed (exit {done.returncode}):\n{tail}")
    # Upstream stages log "didn't change" too; a foreach group runs as STAGE@KEY.
    ran = f"Running stage '{stage}'" in done.stdout or f"Running stage '{stage}@" in done.stdout
    logger.info("%s: %s in %.1f s\n%s", stage, "ran" if ran else "up to date", seconds, tail)
    return {"stage": stage, "seconds": seconds, "ran": ran}


def _publish(repo: Path) -> dict:
    shown = run_dvc("metrics", "show", "--json", cwd=repo)
    metrics = json.loads(shown.stdout or "{}") if shown.returncode == 0 else {}
    data = next(iter(metrics.values()), {}).get("data", {}) if metrics else {}
    values = next(iter(data.values()), {}).get("data", {}) if data else {}
    cv = values.get("cv", {})
    lines = ["| metric | mean | std |", "|---|---|---|"]
    for name in ("accuracy", "macro_f1", "uar", "weighted_f1"):
        if isinstance(cv.get(name), dict):
            lines.append(f"| {name} | {cv[name].get('mean', float('nan')):.3f} | "
                         f"{cv[name].get('std', float('nan')):.3f} |")
    create_markdown_artifact(key="pipeline-metrics", markdown="\n".join(
        [f"# {values.get('model', 'model')}: cross-validation", "", *lines, "", values.get("note", "")]),
        description="dvc metrics show --json")
    confusion = repo / CONFUSION
    if confusion.is_file():
        table = pd.crosstab(*pd.read_csv(confusion).T.values, rownames=["actual"], colnames=["predicted"])
        create_table_artifact(key="pipeline-confusion",
                              table=[{"actual": a, **{str(p): int(n) for p, n in row.items()}}
                                     for a, row in table.iterrows()],
                              description="cross-validated confusion matrix (counts)")
    return values


@flow(name="train_pipeline")
def train_pipeline(repo: str = ".", stages: list[str] | None = None) -> dict:
    """Run every stage (or `stages`) of the DVC pipeline in `repo`; publish its metrics."""
    root = Path(repo).resolve()
    timings = [repro_stage(stage, str(root)) for stage in (stages or pipeline_stages(root))]
    metrics = _publish(root)
    return {"stages": timings, "metrics": metrics}


if __name__ == "__main__":
    print(json.dumps(train_pipeline()["stages"], indent=2))

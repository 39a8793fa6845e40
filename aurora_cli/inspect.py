"""`aurora inspect`: what every DVC stage built (where, rows, size, when, up to date or stale),
or a readable view of one artifact; plain text for terminals and SSH, JSON for scripts."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import yaml

from aurora.reporting.artifacts import ArtifactError, describe, human_size, row_count, size_bytes
from flows.dvc import run_dvc
from stages.paths import MANIFEST, NAMED, PER_CLASS


def _lookup(params: dict, name: str):
    node = params
    for part in name.split("."):
        node = node[part]
    return node


def _substitute(text: str, params: dict) -> str:
    """dvc.yaml's ${section.key} templating, from params.yaml."""
    return re.sub(r"\$\{([^}]+)\}", lambda match: str(_lookup(params, match.group(1))), text)


def _expand(stages: dict, params: dict) -> dict:
    """dvc.yaml's stages with every `foreach` group expanded into its NAME@KEY stages, as DVC does."""
    out = {}
    for stage, spec in stages.items():
        if "foreach" not in spec:
            out[stage] = spec
            continue
        items = _lookup(params, spec["foreach"].strip("${} "))
        for key in (items if isinstance(items, dict) else range(len(items))):
            text = yaml.safe_dump(spec["do"]).replace("${key}", str(key))
            out[f"{stage}@{key}"] = yaml.safe_load(text)
    return out


def stale_stages(repo: Path) -> dict[str, list] | None:
    """Stages `dvc status` reports as changed (with what changed); None when DVC cannot tell."""
    try:
        done = run_dvc("status", "--json", cwd=repo, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return {name.split(":")[-1]: changes for name, changes in json.loads(done.stdout or "{}").items()}


def catalog(repo: Path) -> dict:
    """Every stage's outputs, metrics and plots from dvc.yaml, described from the files themselves."""
    dvc_yaml = repo / "dvc.yaml"
    if not dvc_yaml.is_file():
        raise ArtifactError(f"no dvc.yaml in {repo.resolve()}: run inspect from the repository")
    params_file = repo / "params.yaml"
    params = yaml.safe_load(params_file.read_text()) if params_file.is_file() else {}
    stages = _expand(yaml.safe_load(dvc_yaml.read_text())["stages"], params)
    stale = stale_stages(repo)
    rows = []
    for stage, spec in stages.items():
        status = "unknown" if stale is None else ("stale" if stage in stale else "up to date")
        for entry in [*spec.get("outs", []), *spec.get("metrics", []), *spec.get("plots", [])]:
            name = _substitute(next(iter(entry)) if isinstance(entry, dict) else entry, params)
            path = repo / name
            row = {"stage": stage, "status": status, "artifact": name, "exists": path.exists(),
                   "rows": None, "size": None, "built": None}
            if path.exists():
                row["size"] = human_size(size_bytes(path)) if not path.is_symlink() else "link"
                row["rows"] = row_count(path) if path.is_file() else None
                built = datetime.fromtimestamp(path.lstat().st_mtime, UTC)  # a link: when it was made
                row["built"] = built.strftime("%Y-%m-%d %H:%M UTC")
            rows.append(row)
    return {"kind": "catalog", "repo": str(repo.resolve()),
            "dvc_status": "unavailable" if stale is None else "read",
            "stale_stages": sorted(stale or {}), "artifacts": rows}


def resolve(artifact: str, repo: Path) -> Path:
    if artifact in NAMED:
        return repo / NAMED[artifact]
    path = Path(artifact)
    if not path.exists() and (repo / artifact).exists():
        path = repo / artifact
    return path


# ---- plain-text rendering ---------------------------------------------------------------

def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _table(rows: list[dict]) -> list[str]:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return out


def render_text(view: dict, indent: str = "") -> str:
    """Scalars as `key: value`, lists of records as aligned tables, dicts as indented sections."""
    lines = []
    for key, value in view.items():
        title = key.replace("_", " ")
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines += [f"{indent}{title}:", *(indent + "  " + t for t in _table(value))]
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            lines.append(f"{indent}{title}:")
            for sub, counts in value.items():
                shown = ", ".join(f"{k} {_cell(v)}" for k, v in counts.items())
                lines.append(f"{indent}  {sub}: {shown}")
        elif isinstance(value, dict):
            shown = ", ".join(f"{k} {_cell(v)}" for k, v in value.items()) or "none"
            lines.append(f"{indent}{title}: {shown}")
        else:
            lines.append(f"{indent}{title}: {_cell(value) if value != [] else 'none'}")
    return "\n".join(lines)


def inspect(artifact: str | None, repo: Path, as_json: bool) -> str:
    if artifact is None:
        view = catalog(repo)
    else:
        path = resolve(artifact, repo)
        if not path.exists():
            known = ", ".join(NAMED)
            raise ArtifactError(f"{artifact}: no such artifact or file (names: {known}; or a path, such "
                                "as a predictions CSV); run `dvc repro` if the pipeline has not run")
        view = describe(path, manifest=repo / MANIFEST, per_class=repo / PER_CLASS)
    return json.dumps(view, indent=2, default=str) if as_json else render_text(view)

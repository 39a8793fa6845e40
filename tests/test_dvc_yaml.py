"""dvc.yaml declares what each stage runs: every project module a stage imports, directly or
through other modules (imports inside functions included), is one of its deps or lies in a
directory that is. Otherwise a changed module could leave DVC saying "up to date" when the
stage's result would change. Stages import no other stage, only the stages package's shared
modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

ROOTS = {"aurora": REPO / "src" / "aurora", "stages": REPO / "stages", "flows": REPO / "flows"}
SHARED = {"stages.entry", "stages.paths", "stages.reading", "stages"}  # what stages may share


def module_file(name: str) -> Path | None:
    """The file of project module `name` (a package's __init__.py), or None for others."""
    top, *rest = name.split(".")
    if top not in ROOTS:
        return None
    path = ROOTS[top].joinpath(*rest)
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").is_file() else None


def imported_modules(path: Path, name: str) -> set[str]:
    """Every module `path` (module `name`) imports, anywhere in it, with the packages on the way;
    not those under `if TYPE_CHECKING:`, which never run (aurora/__init__.py names the API's types
    there and imports them on first use)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in _runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # submodules named in a from
    with_parents = set()
    for module in found:
        parts = module.split(".")
        with_parents.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return with_parents


def _runtime_nodes(tree: ast.AST):
    """ast.walk without the bodies of `if TYPE_CHECKING:` blocks (their `else` still runs)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
        else:
            todo.extend(ast.iter_child_nodes(node))


def closure(module: str) -> dict[str, Path]:
    """Project module name -> file, for `module` and everything it imports, transitively."""
    todo, seen = [module], {}
    while todo:
        name = todo.pop()
        path = module_file(name)
        if name in seen or path is None:
            continue
        seen[name] = path
        todo.extend(imported_modules(path, name))
    return seen


def stage_modules() -> dict[str, tuple[str, list[str]]]:
    """Each stage of dvc.yaml: (the module its cmd runs, its deps)."""
    stages = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
    out = {}
    for name, spec in stages.items():
        spec = spec.get("do", spec)
        words = spec["cmd"].split()
        assert words[:3] == ["python", "-m", words[2]] and words[2].startswith("stages."), spec["cmd"]
        out[name] = (words[2], [str(d) for d in spec.get("deps", [])])
    return out


@pytest.mark.parametrize("stage", sorted(stage_modules()))
def test_every_module_a_stage_imports_is_among_its_deps(stage):
    module, deps = stage_modules()[stage]
    uncovered = []
    for path in closure(module).values():
        rel = path.relative_to(REPO).as_posix()
        if not any(rel == d or rel.startswith(d.rstrip("/") + "/") for d in deps):
            uncovered.append(rel)
    assert not uncovered, f"stage {stage} imports {sorted(uncovered)}, which its dvc.yaml deps do not cover"


@pytest.mark.parametrize("stage", sorted(stage_modules()))
def test_a_stage_imports_no_other_stage(stage):
    module, _ = stage_modules()[stage]
    others = sorted(m for m in closure(module) if m.startswith("stages.") and m != module and m not in SHARED)
    assert not others, f"stage {stage} ({module}) imports other stages {others}"


def test_the_check_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from aurora.data import splits\n    import aurora.util.atomic\n")
    names = imported_modules(source, "stages.m")
    assert {"aurora.data.splits", "aurora.util.atomic", "aurora", "aurora.data"} <= names
    assert module_file("aurora.data.splits") == REPO / "src/aurora/data/splits.py"
    assert module_file("numpy") is None


def _declared_outputs() -> set[str]:
    """Every out, metric and plot of dvc.yaml, `${...}` left as it is (per-corpus paths)."""
    spec = yaml.safe_load((REPO / "dvc.yaml").read_text())
    found = set()
    for stage in spec["stages"].values():
        stage = stage.get("do", stage)
        for key in ("outs", "metrics", "plots"):
            for entry in stage.get(key, []):
                found.add(next(iter(entry)) if isinstance(entry, dict) else entry)
    return found


def test_the_paths_module_and_dvc_yaml_name_the_same_artifacts():
    from stages import paths

    declared = {Path(p) for p in _declared_outputs() if "${" not in p or p.startswith("${")}
    declared |= {Path(p.split("${")[0]) for p in _declared_outputs() if "${" in p and not p.startswith("${")}
    constants = {name: value for name, value in vars(paths).items()
                 if name.isupper() and isinstance(value, Path) and value.parts[0] == "artifacts"
                 and value != paths.ARTIFACTS}
    # each artifact path of stages/paths.py is an output of dvc.yaml, holds one, or lies in one
    lost = [name for name, path in constants.items()
            if not any(path == d or path in d.parents or d in path.parents for d in declared)]
    assert not lost, f"stages/paths.py names {lost}, which no dvc.yaml stage writes"
    # each output of dvc.yaml under artifacts/ is a path of stages/paths.py or lies in one
    unnamed = [str(d) for d in declared if d.parts[:1] == ("artifacts",)
               and not any(d == p or p in d.parents for p in constants.values())]
    assert not unnamed, f"dvc.yaml writes {unnamed}, which stages/paths.py does not name"

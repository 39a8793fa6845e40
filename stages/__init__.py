"""DVC stages: each module reads params.yaml, calls the aurora package, writes artifacts.

Run one with ``python -m stages.NAME`` from the repository root (dvc.yaml does).
"""

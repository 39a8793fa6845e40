"""params.yaml -> Params: parsed, type-checked and validated once, with errors that name the key."""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, Literal

import yaml

from aurora.config.sections import Params, PredictConfig
from aurora.errors import ConfigError

T = typing.TypeVar("T")


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """Check `value` against a type hint, converting only lossless cases."""
    origin = typing.get_origin(hint)
    if origin is Literal:
        if value not in typing.get_args(hint):
            raise ConfigError(f"{where}: {value!r} is not one of {typing.get_args(hint)}")
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        (item,) = typing.get_args(hint)[:1]
        return tuple(_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        key_hint, value_hint = typing.get_args(hint)
        return {_coerce(k, key_hint, where): _coerce(v, value_hint, f"{where}.{k}") for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        raise ConfigError(f"{where}: unions are not supported")  # pragma: no cover
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    raise ConfigError(f"{where}: unsupported type {hint!r}")  # pragma: no cover


def _build(cls: type, mapping: Any, where: str) -> Any:
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, dict):
        raise ConfigError(f"{where}: expected a mapping, got {mapping!r}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(mapping) - names)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; known: {sorted(names)}")
    kwargs = {k: _coerce(v, hints[k], f"{where}.{k}" if where else k) for k, v in mapping.items()}
    try:
        return cls(**kwargs)
    except ConfigError as exc:  # name the section, unless the message already starts with it
        if where and not str(exc).startswith(where.split(".")[0]):
            raise ConfigError(f"{where}: {exc}") from None
        raise


def section_from_dict(cls: type[T], mapping: Any, where: str) -> T:
    """One validated config section (e.g. FeatureConfig) from a plain mapping,
    such as the settings a model bundle recorded."""
    return _build(cls, mapping, where)


def params_from_dict(mapping: dict[str, Any]) -> Params:
    return _build(Params, mapping, "")


def load_params(path: str | Path = "params.yaml") -> Params:
    """Read and validate params.yaml; raise ConfigError with a clear message."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found (run from the repository root)") from None
    try:
        mapping = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    try:
        return params_from_dict(mapping)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def predict_config(params_file: str | Path | None) -> PredictConfig:
    """The `predict` section of params_file, or the defaults when there is no such file
    (prediction also runs outside the repository)."""
    if params_file and Path(params_file).is_file():
        return load_params(params_file).predict
    return PredictConfig()

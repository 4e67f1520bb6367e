"""Model registry: one name builds one network from its config, for demos, scripts and checkpoints."""
from __future__ import annotations

import dataclasses

from torch import nn

_MODELS: dict[str, tuple[type[nn.Module], type]] = {}


def register(name: str, config_class: type):
    """Class decorator: make `name` build this model from a `config_class` instance."""
    def decorator(model_class):
        if name in _MODELS:
            raise ValueError(f"model name {name!r} is registered twice")
        _MODELS[name] = (model_class, config_class)
        model_class.registry_name = name
        return model_class
    return decorator


def _ensure_loaded():
    import core.models  # noqa: F401  (importing it registers every model)


def names() -> list[str]:
    _ensure_loaded()
    return sorted(_MODELS)


def config_class(name: str) -> type:
    _ensure_loaded()
    if name not in _MODELS:
        raise KeyError(f"unknown model {name!r}; known models: {', '.join(sorted(_MODELS))}")
    return _MODELS[name][1]


def make_config(name: str, values: dict):
    """Config dataclass for `name` from a plain dict; unknown keys are an error, not ignored."""
    cls = config_class(name)
    known = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"config for {name!r} has unknown fields: {', '.join(unknown)}")
    return cls(**values)


def build(name: str, config=None, **overrides) -> nn.Module:
    """Build model `name` from a config dataclass, a dict, or the defaults plus `overrides`."""
    cls = config_class(name)
    if config is None:
        config = cls()
    elif isinstance(config, dict):
        config = make_config(name, config)
    if overrides:
        config = dataclasses.replace(config, **overrides)
    return _MODELS[name][0](config)

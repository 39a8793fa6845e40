"""One typed configuration object, built from ``params.yaml`` and validated once.

Every stage reads its settings from here; nothing else parses params.yaml.
Errors name the offending key and say what was expected.
"""

from aurora.config.corpora import CorpusSource, CrossCorpusConfig
from aurora.config.loading import load_params, params_from_dict, predict_config, section_from_dict
from aurora.config.sections import (
    AUDIO_EXTENSIONS,
    PRECISIONS,
    SEQUENCE_MODELS,
    AudioConfig,
    AugmentConfig,
    CompareConfig,
    DataConfig,
    DimensionsConfig,
    FeatureConfig,
    LabelsConfig,
    Params,
    PredictConfig,
    SplitConfig,
    TrainConfig,
    WhisperConfig,
)
from aurora.errors import ConfigError

__all__ = [
    "AUDIO_EXTENSIONS", "PRECISIONS", "SEQUENCE_MODELS", "AudioConfig", "AugmentConfig", "CompareConfig",
    "ConfigError", "CorpusSource", "CrossCorpusConfig", "DataConfig", "DimensionsConfig", "FeatureConfig",
    "LabelsConfig", "Params", "PredictConfig", "SplitConfig", "TrainConfig", "WhisperConfig", "load_params",
    "params_from_dict", "predict_config", "section_from_dict",
]

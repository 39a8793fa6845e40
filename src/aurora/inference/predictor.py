"""A trained model bundle as a function: waveforms in, calibrated probabilities out.

The features are computed exactly as the pipeline computed them for training
(same trim, same extractor, same Whisper blocks), using the settings the
bundle recorded, then standardised with the bundle's training statistics.
One clip at a time: no statistics come from other files (lone-file mode).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aurora.config import (
    SEQUENCE_MODELS,
    AudioConfig,
    FeatureConfig,
    WhisperConfig,
    section_from_dict,
)
from aurora.data.decision import Decision, decide
from aurora.features.extract import extractor_for
from aurora.models.bundle import ModelError, bundle_id
from aurora.models.calibration import calibrated, input_shift
from aurora.models.dimensions import DimensionModel, band
from aurora.models.forward import predict_logits
from aurora.models.saving import load_bundle, load_group
from aurora.models.standardize import Moments
from aurora.util.librosa_warmup import warm_librosa


@dataclass
class Assessment:
    """What the model hears in a batch of clips, one row per clip."""

    probabilities: np.ndarray  # (n, classes) calibrated, under the user's label set
    shift: np.ndarray  # (n,) input shift (aurora.models.calibration.input_shift)
    dimensions: np.ndarray  # (n, 2) arousal and valence in [0, 1], lone-file, whatever the label set

    @classmethod
    def empty(cls, n_classes: int) -> Assessment:
        return cls(np.empty((0, n_classes)), np.empty(0), np.empty((0, 2)))


class Predictor:
    def __init__(self, model_dir: str | Path, precision: str = ""):
        """`precision`: the Whisper encoder's arithmetic, "" = the bundle's whisper.inference_precision."""
        model_dir = Path(model_dir)
        self.network, config = load_bundle(model_dir)
        if config.get("speaker_norm"):
            raise ModelError(f"the model in {model_dir} was trained with train.speaker_norm: true and needs "
                             "statistics of each speaker's clips; use a lone-file model "
                             "(train.speaker_norm: false)")
        self.config = config
        self.group = load_group(model_dir, config)  # None: the bundle has no group mode
        self.classes: list[str] = list(config["classes"])
        self.model_id = bundle_id(model_dir, config["model"])
        self.temperature = float(config["temperature"])
        self.shift_temperature = bool(config["train"]["shift_temperature"])
        self.moments = Moments.from_dict(config["normalisation"])
        self.dimensions = DimensionModel.from_dict(config["dimensions"])  # arousal and valence
        self.input_names: list[str] = list(config["input_names"])
        self.is_sequence_model = config["model"] in SEQUENCE_MODELS
        self.sequence_input = config["train"]["sequence_input"]
        self.max_frames = int(config["max_frames"])
        sources = config["feature_sources"]
        self.audio = section_from_dict(AudioConfig, config["audio"], "model audio settings")
        # The trim uses the STFT settings even for Whisper-only models.
        handcrafted = sources["handcrafted"]["settings"] if "handcrafted" in sources else config["features"]
        self.features = section_from_dict(FeatureConfig, handcrafted, "model feature settings")
        self.extractor = extractor_for(self.features, self.audio)
        self.uses_handcrafted = self.is_sequence_model or "handcrafted" in sources
        if self.uses_handcrafted:
            warm_librosa()  # these features call librosa's numba code; Dask workers share its cache
        self.embedder, self.whisper_trim, self.whisper_margin_s = None, False, 0.0
        self.notes: list[str] = []  # what the user should know about how this model listens here
        if "whisper" in sources:
            from aurora.whisper.embed import WhisperEmbedder, cpu_has_bfloat16
            from aurora.whisper.int8 import precision_name

            settings = sources["whisper"]["settings"]
            whisper = section_from_dict(WhisperConfig, settings, "model Whisper settings").at_inference()
            if precision:
                whisper = dataclasses.replace(whisper, precision=precision)
            elif whisper.precision == "bfloat16" and not cpu_has_bfloat16():
                whisper = dataclasses.replace(whisper, precision="float32")
                self.notes.append("this CPU has no bfloat16 instructions (AVX512-BF16 or AMX), so the "
                                  "encoder listens in float32, torch's bfloat16 being emulated here; "
                                  "precision bfloat16 (aurora predict --precision, params "
                                  "predict.precision) forces the model's own")
            self.whisper_trim, self.whisper_margin_s = whisper.trim_silence, whisper.trim_margin_s
            self.embedder = WhisperEmbedder.from_config(whisper)
            # Rows computed at another precision are other results: the output store redoes them.
            self.model_id += f"-{precision_name(whisper.precision)}"

    @property
    def max_window_s(self) -> float:
        """Longest audio the model reads whole (Whisper's context is 30 s)."""
        return 30.0 if self.embedder is not None else float("inf")

    @property
    def sample_rate(self) -> int:
        return self.audio.sample_rate

    def prepare(self, y: np.ndarray) -> np.ndarray:
        """Mono audio at sample_rate -> what the features start from (padded to one FFT frame);
        each feature set trims the silence as it was trained to."""
        return self.extractor.pad(y)

    def speech_seconds(self, y: np.ndarray) -> float:
        """Duration without the leading and trailing silence (audio.trim_silence)."""
        return len(self.extractor.trim(y)) / self.sample_rate

    def utterance_vectors(self, waves: Sequence[np.ndarray]) -> np.ndarray:
        """The model's input columns (before standardisation) for prepared waveforms."""
        columns: dict[str, np.ndarray] = {}
        if self.embedder is not None:
            embedded = self.embedder.embed([self.extractor.pad(self.extractor.trim(y, self.whisper_margin_s))
                                            if self.whisper_trim else y for y in waves])
            columns.update(zip(self.embedder.names, embedded.T, strict=True))
        if self.uses_handcrafted:
            trimmed = [self.extractor.prepare(y) for y in waves]
            stats = np.stack([self.extractor.statistics(self.extractor.frames(y), len(y) / self.sample_rate)
                              for y in trimmed])
            columns.update(zip(self.extractor.stat_names, stats.T, strict=True))
        return np.stack([columns[name] for name in self.input_names], axis=1).astype(np.float32)

    def _sequences(self, waves: Sequence[np.ndarray]) -> list[np.ndarray]:
        out = []
        for y in waves:
            clip = self.extractor.frames(self.extractor.prepare(y))
            parts = {"frames": [clip.frames], "logmel": [clip.logmel],
                     "both": [clip.frames, clip.logmel]}[self.sequence_input]
            out.append(self.moments.apply(np.concatenate(parts, axis=1)))
        return out

    def inputs(self, waves: Sequence[np.ndarray]):
        """The model's standardised inputs for prepared waveforms (see `prepare`): a matrix of
        utterance vectors, or a list of frame sequences for sequence models."""
        return (self._sequences(waves) if self.is_sequence_model
                else self.moments.apply(self.utterance_vectors(waves)))

    def logits(self, waves: Sequence[np.ndarray]) -> np.ndarray:
        """Uncalibrated logits for prepared waveforms (see `prepare`)."""
        if not len(waves):
            return np.empty((0, len(self.classes)), np.float32)
        return predict_logits(self.network, self.inputs(waves), self.max_frames)

    def lone_probabilities(self, inputs) -> np.ndarray:
        """Calibrated probabilities for standardised inputs: the softmax at the validation-fitted
        temperature, scaled per clip by max(1, input shift) when the model was trained so."""
        logits = predict_logits(self.network, inputs, self.max_frames)
        return calibrated(logits, self.temperature, input_shift(inputs) if self.shift_temperature else None)

    def listen(self, waves: Sequence[np.ndarray], decision: Decision | None = None) -> Assessment:
        """Calibrated class probabilities, input shift, arousal and valence of prepared waveforms;
        with a `decision` (the user's label set), probabilities decided among its classes only. The
        shift (aurora.models.calibration.input_shift) says how unlike the training clips a clip is."""
        if not len(waves):
            return Assessment.empty(len(self.classes))
        x = self.inputs(waves)
        lone, shift = self.lone_probabilities(x), input_shift(x)
        return Assessment(decide(lone, decision).astype(np.float64), shift, self._dimensions(x, lone, shift))

    def _dimensions(self, x, lone: np.ndarray, shift: np.ndarray) -> np.ndarray:
        """Arousal and valence (aurora.models.dimensions) from standardised inputs and their lone-file
        probabilities over every class."""
        return self.dimensions.predict(None if self.is_sequence_model else x, lone, shift)

    def bands(self, values: np.ndarray) -> tuple[str, str]:
        """arousal_band and valence_band (low, mid or high) of one clip's two numbers."""
        return band(float(values[0]), self.dimensions.bands), band(float(values[1]), self.dimensions.bands)

    def assess(self, waves: Sequence[np.ndarray],
               decision: Decision | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(calibrated class probabilities, input shift), one row / value per waveform (see `listen`)."""
        heard = self.listen(waves, decision)
        return heard.probabilities, heard.shift

    def probabilities(self, waves: Sequence[np.ndarray], decision: Decision | None = None) -> np.ndarray:
        """Calibrated class probabilities, one row per waveform (see `assess`)."""
        return self.assess(waves, decision)[0]

    def decision(self, names: Sequence[str] | None) -> Decision | None:
        """The user's label set over `classes` (aurora.data.decision; None: every class)."""
        return Decision.parse(self.classes, names)

    def group_probabilities(self, waves: Sequence[np.ndarray],
                            decision: Decision | None = None) -> tuple[np.ndarray, str, np.ndarray]:
        """Probabilities for the clips of one group (a folder: one speaker, unlabelled), adapted to
        the group by its own clips; "group" or why it kept the lone-file predictions; and each
        clip's input shift (before the adaptation: how unlike the training clips it is)."""
        heard, mode = self.group_listen(waves, decision)
        return heard.probabilities, mode, heard.shift

    def group_listen(self, waves: Sequence[np.ndarray],
                     decision: Decision | None = None) -> tuple[Assessment, str]:
        """`group_probabilities` as an Assessment (arousal and valence stay lone-file) and the mode."""
        x = self.inputs(waves)
        probs, mode = self.adapt(x, decision)
        shift = input_shift(x)
        return Assessment(probs, shift, self._dimensions(x, self.lone_probabilities(x), shift)), mode

    def adapt(self, x: np.ndarray, decision: Decision | None = None) -> tuple[np.ndarray, str]:
        """Group mode on one group's standardised utterance vectors (see `group_probabilities`)."""
        if self.group is None:
            raise ModelError("this model has no group mode (train it with train.group_mode: true, "
                             "an utterance model and no SMOTE)")
        probs, mode = self.group.predict(x, self.lone_probabilities(x), decision)
        return probs.astype(np.float64), mode


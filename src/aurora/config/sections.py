"""The sections of params.yaml as typed, validated dataclasses; `Params` holds them all."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from dataclasses import dataclass, field
from typing import Literal

from aurora.config.corpora import CorpusSource, CrossCorpusConfig
from aurora.config.validation import check_corpus_names, require
from aurora.data.emotions import EMOTIONS
from aurora.data.labels import LabelSpace
from aurora.data.readers.ravdess import RAVDESS

# The corpora the default model trains on besides RAVDESS (params.yaml's data.corpora).
DEFAULT_CORPORA = {
    "emodb": CorpusSource(reader="emodb", dir_env="EMODB_DIR",  # L (boredom) has no counterpart
                          labels={"W": "angry", "L": "", "E": "disgust", "A": "fearful", "F": "happy",
                                  "T": "sad", "N": "neutral"},
                          about="Emo-DB (Burkhardt et al., 2005): German, acted, 10 fixed sentences"),
    "emovo": CorpusSource(reader="emovo", dir_env="EMOVO_DIR",
                          labels={"dis": "disgust", "gio": "happy", "neu": "neutral", "pau": "fearful",
                                  "rab": "angry", "sor": "surprised", "tri": "sad"},
                          about="EMOVO (Costantini et al., 2014): Italian, acted, 14 fixed sentences"),
}


@dataclass(frozen=True)
class DataConfig:
    raw_dir: str = "data/raw/ravdess"  # overridden by $RAVDESS_DIR at fetch time
    include_song: bool = False  # song clips (vocal channel 02) are reported and excluded
    min_duration_s: float = 0.5
    # Corpora trained on besides RAVDESS (which raw_dir holds): name -> corpus, as in
    # crosscorpus.corpora. Their speakers are namespaced (crema_d:1001), so splits stay
    # speaker-independent across corpora.
    corpora: dict[str, CorpusSource] = field(default_factory=lambda: dict(DEFAULT_CORPORA))

    def __post_init__(self) -> None:
        require(self.min_duration_s >= 0, "data.min_duration_s must be >= 0")
        check_corpus_names("data.corpora", self.corpora)
        require(RAVDESS not in self.corpora, f"data.corpora: {RAVDESS!r} is raw_dir's corpus, always "
                                              "trained on; name the other corpora")


@dataclass(frozen=True)
class AudioConfig:
    sample_rate: int = 16000
    trim_silence: bool = True
    trim_top_db: float = 40.0

    def __post_init__(self) -> None:
        require(8000 <= self.sample_rate <= 48000, "audio.sample_rate must be 8000-48000 Hz")
        require(self.trim_top_db > 0, "audio.trim_top_db must be > 0")


@dataclass(frozen=True)
class FeatureConfig:
    n_fft: int = 512
    hop_length: int = 256
    n_mels: int = 64
    n_mfcc: int = 20
    delta_width: int = 9
    contrast_fmin: float = 100.0
    contrast_bands: int = 6
    rolloff_percent: float = 0.85
    f0_method: Literal["yin", "pyin"] = "yin"
    f0_fmin: float = 65.0
    f0_fmax: float = 600.0
    f0_frame_length: int = 512
    percentiles: tuple[int, ...] = (10, 50, 90)
    workers: int = 0  # 0 = one process per core
    cache_dir: str = "data/cache/features"

    def __post_init__(self) -> None:
        require(self.n_fft >= 64 and self.n_fft & (self.n_fft - 1) == 0,
                 "features.n_fft must be a power of two >= 64")
        require(0 < self.hop_length <= self.n_fft, "features.hop_length must be in 1..n_fft")
        require(0 < self.n_mfcc <= self.n_mels, "features.n_mfcc must be in 1..n_mels")
        require(self.delta_width >= 3 and self.delta_width % 2 == 1,
                 "features.delta_width must be odd and >= 3")
        require(0 < self.rolloff_percent < 1, "features.rolloff_percent must be in (0, 1)")
        require(0 < self.f0_fmin < self.f0_fmax, "features.f0_fmin must be below f0_fmax")
        require(all(0 <= p <= 100 for p in self.percentiles),
                 "features.percentiles must lie in 0..100")
        require(self.workers >= 0, "features.workers must be >= 0")

    def fingerprint(self, sample_rate: int, trim_silence: bool, trim_top_db: float,
                    version: str) -> str:
        """Hash of everything that changes a clip's features (not where or how fast)."""
        settings = dataclasses.asdict(self)
        settings.pop("workers")
        settings.pop("cache_dir")
        settings.update(sample_rate=sample_rate, trim_silence=trim_silence,
                        trim_top_db=trim_top_db, version=version)
        blob = json.dumps(settings, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


Precision = Literal["float32", "bfloat16", "int8"]  # the Whisper encoder's arithmetic
PRECISIONS: tuple[str, ...] = typing.get_args(Precision)


@dataclass(frozen=True)
class WhisperConfig:
    """Whisper-base encoder features (see aurora.whisper)."""

    blocks: tuple[int, ...] = (1, 2, 3)  # transformer blocks whose states are pooled, each 1-6
    # The encoder's arithmetic for the training clips: float32; bfloat16 (products in bfloat16,
    # float32 sums, under torch autocast); int8 (products in int8 with each clip's own activation
    # scale, aurora.whisper.int8: a clip's embedding is the same bit for bit in any batch).
    precision: Precision = "bfloat16"
    # Where the model listens: `aurora predict`, the crosscorpus stage and every held-out clip the
    # figures score (the embed stage encodes the original clips again when it differs from
    # `precision`); "" = as trained. bfloat16 is fast only where the CPU has bfloat16 instructions;
    # elsewhere aurora predict listens in float32 and says so.
    inference_precision: Literal["", "float32", "bfloat16", "int8"] = "bfloat16"
    model_dir: str = ""  # a directory with a CTranslate2 Whisper-base model.bin; "" = packaged weights
    batch_frames: int = 6000  # mel frames per encoder batch (padded), >= 3000: bounds memory
    threads: int = 0  # torch threads; 0 = all cores
    # Whisper was trained on audio with pauses: trim the silence around a clip but keep
    # trim_margin_s of it on each side.
    trim_silence: bool = True
    trim_margin_s: float = 0.3  # seconds of silence kept on each side when trimming
    # Bring every clip's speech level to level_dbfs before the log-mel (aurora.audio.level):
    # Whisper's features shift with the recording gain, and corpora are recorded at different gains.
    normalize_level: bool = True
    level_dbfs: float = -20.0  # in [-60, 0]

    def __post_init__(self) -> None:
        require(-60.0 <= self.level_dbfs <= 0.0, "whisper.level_dbfs must be in [-60, 0] dBFS")
        require(len(self.blocks) > 0 and all(1 <= b <= 6 for b in self.blocks),
                 "whisper.blocks must be block numbers 1-6")
        require(self.batch_frames >= 3000, "whisper.batch_frames must be >= 3000 (one 30 s clip)")

    def at_inference(self) -> WhisperConfig:
        """These settings with the encoder at inference_precision ("" = as trained)."""
        return dataclasses.replace(self, precision=self.inference_precision or self.precision)


@dataclass(frozen=True)
class LabelsConfig:
    classes: tuple[str, ...] = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust",
                                "surprised")
    merge: dict[str, str] = field(default_factory=dict)  # e.g. {calm: neutral}

    def __post_init__(self) -> None:
        self.space()  # LabelSpace checks the classes and merges

    def space(self) -> LabelSpace:
        return LabelSpace(self.classes, self.merge)


@dataclass(frozen=True)
class Point:
    """Where an emotion lies on the two dimensions, each in [0, 1] (0.5: the neutral point)."""

    arousal: float
    valence: float

    def __post_init__(self) -> None:
        require(0 <= self.arousal <= 1 and 0 <= self.valence <= 1, "arousal and valence must lie in [0, 1]")


@dataclass(frozen=True)
class Poles:
    """The emotions scored at each end of a dimension (the rest are not scored for it)."""

    high: tuple[str, ...]
    low: tuple[str, ...]


# params.yaml's dimensions.table (its comment gives the sources): emotion -> (arousal, valence).
DEFAULT_POINTS = {"neutral": Point(0.40, 0.50), "calm": Point(0.20, 0.85), "happy": Point(0.75, 0.90),
                  "sad": Point(0.25, 0.15), "angry": Point(0.80, 0.25), "fearful": Point(0.80, 0.20),
                  "disgust": Point(0.60, 0.20), "surprised": Point(0.85, 0.65)}
DEFAULT_POLES = {"arousal": Poles(high=("angry", "happy", "fearful", "surprised"),
                                  low=("neutral", "calm", "sad")),
                 "valence": Poles(high=("happy",), low=("angry", "fearful", "sad", "disgust"))}
DIMENSIONS = ("arousal", "valence")


@dataclass(frozen=True)
class DimensionsConfig:
    """Arousal and valence for every file (aurora.models.dimensions)."""

    table: dict[str, Point] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    # readoff: the table's mean under the calibrated class probabilities; head: a ridge regression on
    # the model's standardised utterance vectors, trained on the table's points of the training clips'
    # emotions. Sequence models always read off.
    method: Literal["head", "readoff"] = "readoff"
    bands: tuple[float, ...] = (0.35, 0.65)  # low below the first, high from the second
    scored: dict[str, Poles] = field(default_factory=lambda: dict(DEFAULT_POLES))

    def __post_init__(self) -> None:
        missing = [e for e in EMOTIONS if e not in self.table]
        unknown = [e for e in self.table if e not in EMOTIONS]
        require(not missing and not unknown, f"dimensions.table must place each emotion {list(EMOTIONS)} "
                                             f"once (missing {missing}, unknown {unknown})")
        require(len(self.bands) == 2 and 0 < self.bands[0] < self.bands[1] < 1,
                "dimensions.bands must be [low, high] with 0 < low < high < 1")
        require(set(self.scored) == set(DIMENSIONS), f"dimensions.scored must name {list(DIMENSIONS)}")
        for name, poles in self.scored.items():
            named = [*poles.high, *poles.low]
            require(all(e in EMOTIONS for e in named) and len(set(named)) == len(named)
                    and poles.high and poles.low,
                    f"dimensions.scored.{name}: high and low must be distinct emotions, none empty")


@dataclass(frozen=True)
class SplitConfig:
    test_actors: tuple[int, ...] = (21, 22, 23, 24)
    cv_folds: int = 5
    val_actors: int = 2  # per fold, from its training actors, for early stopping

    def __post_init__(self) -> None:
        require(self.cv_folds >= 2, "split.cv_folds must be >= 2")
        require(self.val_actors >= 1, "split.val_actors must be >= 1")


@dataclass(frozen=True)
class AugmentConfig:
    enabled: bool = True
    copies: int = 2  # augmented copies per training clip
    probability: float = 0.5  # chance that each transform is part of a copy's recipe
    gain_db: float = 6.0
    shift_s: float = 0.25
    pitch_semitones: float = 2.0
    stretch: float = 0.1  # time-stretch rate within 1 +/- stretch
    noise_snr_db: tuple[float, ...] = (10.0, 30.0)
    seed: int = 13
    # Fixed copies instead of `copies` random recipes, when any list is non-empty: one copy
    # per SNR (white noise only), one per speed factor (resampled: tempo and pitch together)
    # and one per reverberation time (a synthetic room response).
    fixed_noise_snr_db: tuple[float, ...] = (15.0,)
    fixed_speeds: tuple[float, ...] = (0.9, 1.1)  # factors in [0.5, 2]
    fixed_reverb_rt60_s: tuple[float, ...] = (0.4,)  # seconds, in [0.05, 3]
    fixed_crop_s: tuple[float, ...] = (2.0,)  # one copy cut to a random 60-100 % of each length
    fixed_bandwidth_hz: tuple[float, ...] = ()  # one copy band-limited to each (a phone line: 4000 Hz)

    @property
    def fixed(self) -> bool:
        return bool(self.fixed_noise_snr_db or self.fixed_speeds or self.fixed_reverb_rt60_s
                    or self.fixed_crop_s or self.fixed_bandwidth_hz)

    @property
    def effective_copies(self) -> int:
        if not self.enabled:
            return 0
        if not self.fixed:
            return self.copies
        return (len(self.fixed_noise_snr_db) + len(self.fixed_speeds) + len(self.fixed_reverb_rt60_s)
                + len(self.fixed_crop_s) + len(self.fixed_bandwidth_hz))

    def describe(self) -> str:
        """What each clip's copies are, in words (for the model card)."""
        if not self.effective_copies:  # also 0 when augment is disabled
            return "none"
        if self.fixed:
            kinds = [f"white noise at {snr:g} dB SNR" for snr in self.fixed_noise_snr_db]
            kinds += [f"speed {factor:g}" for factor in self.fixed_speeds]
            kinds += [f"reverberation, RT60 {rt60:g} s" for rt60 in self.fixed_reverb_rt60_s]
            kinds += [f"a random {0.6 * crop:g}-{crop:g} s crop" for crop in self.fixed_crop_s]
            kinds += [f"band-limited to {hz:g} Hz" for hz in self.fixed_bandwidth_hz]
            return "; ".join(kinds)
        low, high = self.noise_snr_db
        return (f"{self.copies} random recipes: each of gain ±{self.gain_db:g} dB, "
                f"shift ±{self.shift_s:g} s, pitch ±{self.pitch_semitones:g} semitones, "
                f"stretch ±{self.stretch:g}, noise at {low:g}-{high:g} dB SNR "
                f"with probability {self.probability:g}")

    def __post_init__(self) -> None:
        require(self.copies >= 0, "augment.copies must be >= 0")
        require(0 < self.probability <= 1, "augment.probability must be in (0, 1]")
        require(0 <= self.stretch < 0.5, "augment.stretch must be in [0, 0.5)")
        require(len(self.noise_snr_db) == 2 and self.noise_snr_db[0] <= self.noise_snr_db[1],
                 "augment.noise_snr_db must be [low, high]")
        require(all(0.5 <= f <= 2.0 and f != 1.0 for f in self.fixed_speeds),
                 "augment.fixed_speeds must be factors in [0.5, 2], other than 1")
        require(all(0.05 <= rt60 <= 3.0 for rt60 in self.fixed_reverb_rt60_s),
                 "augment.fixed_reverb_rt60_s must be reverberation times in [0.05, 3] seconds")
        require(all(0.5 <= crop <= 30.0 for crop in self.fixed_crop_s),
                 "augment.fixed_crop_s must be crop lengths in [0.5, 30] seconds")
        require(all(1000 <= hz <= 7000 for hz in self.fixed_bandwidth_hz),
                 "augment.fixed_bandwidth_hz must be bandwidths in [1000, 7000] Hz")


SEQUENCE_MODELS = ("cnn_se", "cnn_bilstm")


@dataclass(frozen=True)
class TrainConfig:
    model: Literal["logreg", "mlp", "cnn_se", "cnn_bilstm"] = "logreg"
    # Input of utterance models; sequence models always read the handcrafted frame sequences.
    features: Literal["handcrafted", "whisper", "fusion"] = "whisper"
    # false: lone file (no statistics from other clips); true: z-score each speaker's features by
    # its own unlabelled clips (needs every speaker's clips, so aurora predict cannot use it)
    speaker_norm: bool = False
    compare_speaker_norm: bool = False  # cross-validate the other setting too, for the report
    use_augmented: bool = True
    # What counts once in training and model selection: every clip (a corpus weighs by its clip
    # count), every speaker, or every corpus (its speakers equally within it); classes are
    # balanced on top (class_weights).
    weighting: Literal["clips", "speakers", "corpora"] = "corpora"
    class_weights: bool = True
    smote: bool = False  # utterance-statistics models only
    loss: Literal["auto", "ce", "focal"] = "auto"  # auto: focal for cnn_bilstm, else ce
    focal_gamma: float = 2.0
    max_epochs: int = 60
    patience: int = 10  # epochs without a better validation UAR before stopping
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    dropout: float = 0.3
    hidden: int = 256
    logreg_c: float = 0.1
    # logreg: once C is picked on the validation actors, refit on training + validation actors
    # (the temperature stays the one fitted on validation by the model that never saw them).
    refit_with_val: bool = True
    # Scale each clip's softmax temperature by max(1, its input shift) (aurora.models.calibration).
    shift_temperature: bool = True
    sequence_input: Literal["frames", "logmel", "both"] = "frames"
    max_frames: int = 320
    frame_pool: int = 3  # sequence models average every N frames first (N x cheaper)
    spec_time_masks: int = 2
    spec_time_width: int = 20
    spec_freq_masks: int = 2
    spec_freq_width: int = 8
    workers: int = 0  # models fitted at once (one thread each); 0 = one per core
    seed: int = 42
    # Group mode (aurora predict --group-by folder): label-aware speaker offsets from a folder's
    # own clips; utterance models without SMOTE. Evaluated on skewed folders in CV.
    group_mode: bool = True
    group_rounds: int = 5
    group_min_clips: int = 12  # smaller folders keep lone-file predictions
    group_min_entropy: float = 0.70  # ... and so do folders whose lone-file predicted mix is less even

    @property
    def has_group_mode(self) -> bool:
        return self.group_mode and not self.is_sequence_model and not self.smote

    def cv_modes(self) -> list[bool]:
        """The speaker-norm settings cross-validated: this run's, then the other one when compared."""
        return [self.speaker_norm] + ([not self.speaker_norm] if self.compare_speaker_norm else [])

    def __post_init__(self) -> None:
        require(not (self.smote and self.weighting != "clips"),
                f"train.smote makes examples of no speaker; use it with train.weighting clips, not "
                f"{self.weighting}")
        require(not (self.smote and self.model in SEQUENCE_MODELS),
                 f"train.smote applies to utterance-statistics models (logreg, mlp), not "
                 f"{self.model}; sequence models are balanced with class weights")
        require(self.max_epochs >= 1 and self.patience >= 1, "train.max_epochs and patience must be >= 1")
        require(self.frame_pool >= 1, "train.frame_pool must be >= 1")
        require(self.batch_size >= 2, "train.batch_size must be >= 2")
        require(self.learning_rate > 0 and self.logreg_c > 0, "train.learning_rate and logreg_c must be > 0")
        require(0 <= self.dropout < 1, "train.dropout must be in [0, 1)")
        require(self.group_rounds >= 1 and self.group_min_clips >= 2 and 0 <= self.group_min_entropy <= 1,
                 "train.group_rounds >= 1, group_min_clips >= 2 and group_min_entropy in [0, 1] required")

    @property
    def is_sequence_model(self) -> bool:
        return self.model in SEQUENCE_MODELS

    @property
    def focal(self) -> bool:
        return self.loss == "focal" or (self.loss == "auto" and self.model == "cnn_bilstm")


AUDIO_EXTENSIONS = ("wav", "flac", "ogg", "oga", "mp3", "aif", "aiff", "au", "w64", "opus")


@dataclass(frozen=True)
class PredictConfig:
    """Bulk classification (aurora predict / the classify_folder flow)."""

    window_s: float = 6.0  # files longer than this are classified in windows of this length
    hop_s: float = 3.0  # step between windows
    min_duration_s: float = 0.25  # shorter files are error rows
    silence_dbfs: float = -70.0  # a file or window whose loudest 25 ms is below this is silent
    batch_files: int = 32  # files per Prefect task: a task costs ~10 ms plus logging
    workers: int = 0  # tasks at once on this machine; 0 = one per core
    extensions: tuple[str, ...] = AUDIO_EXTENSIONS
    classes: tuple[str, ...] = ()  # the user's label set (aurora.data.decision: a or a+b); () = all
    precision: str = ""  # the Whisper encoder's precision; "" = the model's whisper.inference_precision

    def __post_init__(self) -> None:
        require(self.precision in ("", *PRECISIONS),
                 f"predict.precision must be one of {', '.join(PRECISIONS)} (or empty: the model's own), "
                 f"not {self.precision!r}")
        require(self.window_s >= 1.0, "predict.window_s must be >= 1 second")
        require(0 < self.hop_s <= self.window_s, "predict.hop_s must be in (0, window_s]")
        require(self.min_duration_s > 0, "predict.min_duration_s must be > 0")
        require(self.batch_files >= 1, "predict.batch_files must be >= 1")
        require(self.workers >= 0, "predict.workers must be >= 0 (0 = one per core)")

    def with_options(self, **options) -> PredictConfig:
        """These settings with the options given (command-line or API), None keeping a setting;
        validated again."""
        return dataclasses.replace(self, **{k: v for k, v in options.items() if v is not None})


@dataclass(frozen=True)
class CompareConfig:
    """The comparison table: every run is cross-validated like `train` (same folds, same
    hyperparameters) with its feature set and model, in the speaker-norm modes train
    cross-validates (train.compare_speaker_norm), with group mode."""

    runs: tuple[str, ...] = ("whisper/logreg",)

    def pairs(self) -> list[tuple[str, str]]:
        """(features, model) per run; sequence models read handcrafted frames whatever is named."""
        return [tuple(run.split("/")) for run in self.runs]

    def __post_init__(self) -> None:
        features = typing.get_args(typing.get_type_hints(TrainConfig)["features"])
        models = typing.get_args(typing.get_type_hints(TrainConfig)["model"])
        for run in self.runs:
            parts = run.split("/")
            require(len(parts) == 2 and parts[0] in features and parts[1] in models,
                     f"compare.runs: {run!r} is not FEATURES/MODEL with FEATURES one of {features} "
                     f"and MODEL one of {models}")


@dataclass(frozen=True)
class Params:
    data: DataConfig = field(default_factory=DataConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    features: FeatureConfig = field(default_factory=FeatureConfig)
    whisper: WhisperConfig = field(default_factory=WhisperConfig)
    labels: LabelsConfig = field(default_factory=LabelsConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    compare: CompareConfig = field(default_factory=CompareConfig)
    predict: PredictConfig = field(default_factory=PredictConfig)
    dimensions: DimensionsConfig = field(default_factory=DimensionsConfig)
    crosscorpus: CrossCorpusConfig = field(default_factory=CrossCorpusConfig)

    def trains_on_handcrafted(self) -> bool:
        """Does the train section's model, or a compare run, read the handcrafted features (their
        statistics or frame sequences)? The augment stage computes the copies' only then."""
        runs = [(self.train.features, self.train.model), *self.compare.pairs()]
        return any(features in ("handcrafted", "fusion") or model in SEQUENCE_MODELS
                   for features, model in runs)

    def __post_init__(self) -> None:
        both = sorted(set(self.data.corpora) & set(self.crosscorpus.corpora))
        require(not both, f"{both} in both data.corpora and crosscorpus.corpora: a corpus the model "
                           "trains on is no cross-corpus evaluation; drop it from one of them")

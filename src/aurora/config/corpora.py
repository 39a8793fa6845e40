"""Labelled corpora on disk: where each is, and what its label codes mean in this project."""

from __future__ import annotations

import os
import typing
from dataclasses import dataclass, field
from pathlib import Path

from aurora.config.validation import check_corpus_names, require
from aurora.data.emotions import EMOTIONS
from aurora.data.readers import READERS, TABLE_READER


@dataclass(frozen=True)
class CorpusSource:
    """A labelled corpus on disk: where it is and what its label codes mean here."""

    reader: str  # how speakers and label codes are read (aurora.data.readers.READERS, or csv: a labels table)
    dir_env: str = ""  # an environment variable naming its folder; wins over `dir` when set
    dir: str = ""  # its folder otherwise ("" = none)
    # The corpus's label code -> a RAVDESS emotion; "" = no counterpart here (scored nowhere).
    # Reader csv only: {} = the table's labels are already emotion names.
    labels: dict[str, str] = field(default_factory=dict)
    table: str = "labels.csv"  # reader csv: the table in its folder (path, emotion, speaker[, corpus])
    # crosscorpus only: a model class the corpus lacks -> the corpus emotion it is scored as, in one
    # more label set beside "shared classes" (`aurora predict --classes neutral+calm,...`).
    fold: dict[str, str] = field(default_factory=dict)
    about: str = ""  # what the corpus is and whom to cite, for the model card

    def location(self, environ: typing.Mapping[str, str] = os.environ) -> tuple[Path | None, str]:
        """(its folder, or None; where that came from, in words)."""
        if self.dir_env and environ.get(self.dir_env, "").strip():
            return Path(environ[self.dir_env].strip()).expanduser(), f"${self.dir_env}"
        if self.dir:
            return Path(self.dir).expanduser(), "its dir in params.yaml"
        return None, f"${self.dir_env} is not set" if self.dir_env else "it has no dir"

    def emotion_of(self, code: str) -> str | None:
        """The emotion a label code means here, "" for no counterpart, None if the mapping lacks it."""
        if not self.labels:  # a csv table whose labels are emotion names
            return code.lower() if code.lower() in EMOTIONS else None
        return self.labels.get(code)

    def __post_init__(self) -> None:
        readers = sorted([*READERS, TABLE_READER])
        require(self.reader in readers, f"reader {self.reader!r} is not one of {readers}")
        wrong = sorted(v for v in self.labels.values() if v and v not in EMOTIONS)
        require(not wrong, f"labels map to {wrong}, which are not emotions {list(EMOTIONS)} "
                            "(use \"\" for a label with no counterpart)")
        require(any(self.labels.values()) or (self.reader == TABLE_READER and not self.labels),
                 "labels must map at least one code to an emotion")
        require(bool(self.table.strip()) and "/" not in self.table,
                 f"table {self.table!r} must be a file name in the corpus folder")
        scored = set(self.labels.values()) if self.labels else set(EMOTIONS)
        for kin, into in self.fold.items():
            require(kin in EMOTIONS and into in EMOTIONS, f"fold {kin}: {into} must map an emotion to an "
                                                           f"emotion {list(EMOTIONS)}")
            require(kin not in scored and into in scored,
                     f"fold {kin}: {into} must fold an emotion the corpus lacks into one it has")


@dataclass(frozen=True)
class CrossCorpusConfig:
    """Labelled corpora the trained model is evaluated on, never trained on (stage crosscorpus)."""

    corpora: dict[str, CorpusSource] = field(default_factory=dict)  # name -> corpus

    def __post_init__(self) -> None:
        check_corpus_names("crosscorpus.corpora", self.corpora)

"""Labelled speech corpora read from their own layout: who speaks, and which emotion code.

A reader turns one file's path (relative to the corpus folder) into its speaker
and the corpus's own label code. What a code means in this project's label
space is data, not code: each corpus in params.yaml maps its codes to emotions.
A file whose name does not parse, or whose code the mapping does not know, is
reported with the reason, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path, PurePath

from aurora.data.readers.labelled import FilenameError, LabelledFile, NameFields, Rejected
from aurora.data.readers.names import crema_d_name, emodb_name, emovo_name, savee_name, tess_name
from aurora.data.readers.names_folders import casia_name, emov_db_name, enterface_name
from aurora.data.readers.names_stem import (
    aesdd_name,
    asvp_esd_name,
    cafe_name,
    jl_corpus_name,
    mesd_name,
    oreau_name,
    polish_name,
    shemo_name,
    subesco_name,
    turev_db_name,
    urdu_name,
)
from aurora.data.readers.ravdess import ravdess_name
from aurora.data.readers.table import read_table
from aurora.util.files import walk_files

# Each reader: a file's path, relative to its corpus folder -> its NameFields (or FilenameError).
READERS: dict[str, Callable[[PurePath], NameFields]] = {
    "ravdess": ravdess_name, "emodb": emodb_name, "emovo": emovo_name, "crema_d": crema_d_name,
    "tess": tess_name, "savee": savee_name, "cafe": cafe_name, "subesco": subesco_name, "shemo": shemo_name,
    "mesd": mesd_name, "aesdd": aesdd_name, "jl_corpus": jl_corpus_name, "enterface": enterface_name,
    "oreau": oreau_name, "asvp_esd": asvp_esd_name, "emov_db": emov_db_name, "urdu": urdu_name,
    "turev_db": turev_db_name, "polish": polish_name, "casia": casia_name}
TABLE_READER = "csv"  # reads the generic labels table (aurora.data.readers.table) instead of names


def read_corpus(directory: Path, reader: str, extensions: Iterable[str],
                table: str = "labels.csv") -> tuple[list[LabelledFile], list[Rejected]]:
    """A corpus's labelled files: from its labels table (reader csv) or its file names."""
    if reader == TABLE_READER:
        return read_table(directory, table)
    return scan(directory, reader, extensions)


def scan(directory: Path, reader: str,
         extensions: Iterable[str]) -> tuple[list[LabelledFile], list[Rejected]]:
    """Every audio file under `directory` (by extension, sorted; hidden files left out), with its
    speaker and code, or the reason its name could not be read."""
    parse = READERS[reader]
    files, rejected = [], []
    for rel in walk_files(directory, extensions=extensions, hidden=False):
        try:
            fields = parse(PurePath(rel))
        except FilenameError as exc:
            rejected.append(Rejected(rel, str(exc)))
            continue
        files.append(LabelledFile(rel, fields.speaker, fields.code, gender=fields.gender))
    return files, rejected


__all__ = ["READERS", "TABLE_READER", "FilenameError", "LabelledFile", "NameFields", "Rejected", "read_corpus",
           "scan"]

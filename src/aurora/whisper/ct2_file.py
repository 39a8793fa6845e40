"""Read the variables of a CTranslate2 ``model.bin`` without CTranslate2.

The format (CTranslate2's ``ModelSpec._serialize``, binary version 6):
uint32 version; string spec name; uint32 revision; uint32 count; then per
variable: string name, uint8 rank, uint32 dims[rank], uint8 dtype id,
uint32 byte count, raw little-endian data; then aliases. A string is a
uint16 length (with the trailing NUL) followed by UTF-8 bytes and a NUL.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

from aurora.errors import AuroraError

# Order of CTranslate2's DataType enum (include/ctranslate2/types.h).
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


class ModelFileError(AuroraError, ValueError):
    pass


def _read(f: BinaryIO, fmt: str):
    size = struct.calcsize(fmt)
    data = f.read(size)
    if len(data) != size:
        raise ModelFileError("model.bin is truncated")
    return struct.unpack("<" + fmt, data)[0]


def _string(f: BinaryIO) -> str:
    length = _read(f, "H")
    return f.read(length)[:-1].decode("utf-8")


def read_variables(path: Path, prefix: str = "") -> tuple[str, dict[str, np.ndarray]]:
    """(spec name, {name: array}) for variables whose name starts with `prefix`.

    Other variables are skipped without reading their data, so taking the
    encoder's weights out of a whole Whisper model reads about a third of it.
    """
    out: dict[str, np.ndarray] = {}
    with open(path, "rb") as f:
        version = _read(f, "I")
        if version < 5:
            raise ModelFileError(f"{path}: CTranslate2 binary version {version} is not supported")
        spec = _string(f)
        _read(f, "I")  # revision
        for _ in range(_read(f, "I")):
            name = _string(f)
            shape = tuple(_read(f, "I") for _ in range(_read(f, "B")))
            dtype = _DTYPES[_read(f, "B")]
            size = _read(f, "I")
            if not name.startswith(prefix):
                f.seek(size, 1)
                continue
            if dtype == "bfloat16":
                raw = np.frombuffer(f.read(size), dtype="<u2").astype(np.uint32) << 16
                out[name] = raw.view(np.float32).reshape(shape)
            else:
                little_endian = np.dtype(dtype).newbyteorder("<")
                out[name] = np.frombuffer(f.read(size), dtype=little_endian).reshape(shape)
    return spec, out

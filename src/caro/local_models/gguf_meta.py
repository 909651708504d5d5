"""Read a GGUF file's header metadata cheaply: architecture, name, quantization, chat template.

Only the key/value header is read (a few KiB for the general.* keys); tensors are never touched, so
`caro models list` can describe a 1 GB model in milliseconds. Standard library only: this runs on the
CLI start path and must not need numpy or the `gguf` package.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"GGUF"

# llama.cpp's LLAMA_FTYPE values (general.file_type) -> the names users know from file names.
FILE_TYPES: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M",
    18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S",
    25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M",
    32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
}

# Quantization spelled in a file name, for files without general.file_type.
_NAME_QUANT = re.compile(
    r"(?<![A-Za-z0-9])(I?Q\d_(?:K_[SMLX]+|K|\d|[A-Z]+(?:_[A-Z]+)?)|BF16|F16|FP16|F32)(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# Value types of the GGUF spec: id -> struct format (scalars) or a marker.
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9

DEFAULT_KEYS = frozenset({"general.architecture", "general.name", "general.file_type", "general.size_label",
                          "general.basename"})


class NotGGUF(ValueError):
    """The file is not a GGUF model (wrong magic, truncated header, unknown value type)."""


@dataclass
class GGUFInfo:
    """What caro needs to know about a GGUF file without loading it."""

    path: Path
    size: int
    version: int
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture") or "")

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name") or self.metadata.get("general.basename") or self.path.stem)

    @property
    def quantization(self) -> str:
        """Q4_K_M, Q8_0, F16…: from general.file_type, else from the file name, else '?'."""
        file_type = self.metadata.get("general.file_type")
        if isinstance(file_type, int) and file_type in FILE_TYPES:
            return FILE_TYPES[file_type]
        return quantization_from_name(self.path.name) or "?"

    @property
    def chat_template(self) -> str:
        return str(self.metadata.get("tokenizer.chat_template") or "")


def quantization_from_name(name: str) -> str:
    match = _NAME_QUANT.search(name)
    if not match:
        return ""
    found = match.group(1).upper()
    return "F16" if found == "FP16" else found


def _read(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise NotGGUF("truncated GGUF header")
    return data


def _string(f: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", _read(f, 8))
    if length > 1 << 26:
        raise NotGGUF("implausible string length in GGUF header")
    return _read(f, length).decode("utf-8", errors="replace")


def _skip_value(f: BinaryIO, kind: int) -> None:
    if kind in _SCALARS:
        f.seek(struct.calcsize(_SCALARS[kind]), 1)
    elif kind == _STRING:
        (length,) = struct.unpack("<Q", _read(f, 8))
        f.seek(length, 1)
    elif kind == _ARRAY:
        item_kind, count = struct.unpack("<IQ", _read(f, 12))
        if item_kind in _SCALARS:
            f.seek(struct.calcsize(_SCALARS[item_kind]) * count, 1)
        else:
            for _ in range(count):
                _skip_value(f, item_kind)
    else:
        raise NotGGUF(f"unknown GGUF value type {kind}")


def _value(f: BinaryIO, kind: int) -> Any:
    if kind in _SCALARS:
        fmt = _SCALARS[kind]
        return struct.unpack(fmt, _read(f, struct.calcsize(fmt)))[0]
    if kind == _STRING:
        return _string(f)
    # Arrays (token lists, merges) are big and never needed here: record only their length.
    item_kind, count = struct.unpack("<IQ", _read(f, 12))
    f.seek(-12, 1)
    _skip_value(f, kind)
    return {"array_of": item_kind, "length": count}


def read(path: str | Path, keys: frozenset[str] | None = DEFAULT_KEYS) -> GGUFInfo:
    """Read the header of `path`. `keys` limits what is collected (None = every key; slower on big vocabularies)."""
    path = Path(path)
    size = path.stat().st_size
    metadata: dict[str, Any] = {}
    with path.open("rb") as f:
        if f.read(4) != MAGIC:
            raise NotGGUF(f"{path} is not a GGUF file")
        (version,) = struct.unpack("<I", _read(f, 4))
        if version == 1:
            _tensors, count = struct.unpack("<II", _read(f, 8))
        else:
            _tensors, count = struct.unpack("<QQ", _read(f, 16))
        if count > 1 << 20:
            raise NotGGUF("implausible key count in GGUF header")
        wanted = set(keys) if keys is not None else None
        for _ in range(count):
            key = _string(f)
            (kind,) = struct.unpack("<I", _read(f, 4))
            if wanted is None or key in wanted:
                metadata[key] = _value(f, kind)
                if wanted is not None:
                    wanted.discard(key)
                    if not wanted:
                        break
            else:
                _skip_value(f, kind)
    return GGUFInfo(path=path, size=size, version=version, metadata=metadata)


def is_gguf(path: str | Path) -> bool:
    """True when the file starts with the GGUF magic."""
    try:
        with Path(path).open("rb") as f:
            return f.read(4) == MAGIC
    except OSError:
        return False

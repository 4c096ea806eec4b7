""".npy headers and .npz members: shape, dtype and data offset, checked without unpickling.

Shared by the whole-trajectory readers (an n x d ``.npy``/``.npz``) and the per-checkpoint
ones (a folder of ``.npy`` files, or of ``.npz`` archives of named arrays). Object dtypes
are rejected from the header, so nothing is ever unpickled.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Header:
    """A parsed .npy header."""

    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype
    offset: int  # byte offset of the data in its file (or zip member)


def check_dtype(dtype: np.dtype, label: str) -> None:
    """ValueError unless ``dtype`` is a real numeric dtype (integer or floating point)."""
    if dtype.hasobject or dtype.fields is not None or dtype.kind not in "iuf":
        raise ValueError(
            f"{label} has dtype {dtype}: a trajectory needs a real numeric dtype "
            "(integer or floating point); object, structured, complex, bool and string "
            "arrays are not allowed"
        )


def read_header(stream: Any, label: str) -> Header:
    """Parse a .npy header from ``stream`` (positioned at the magic string)."""
    start = stream.tell()
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unsupported format version {version[0]}.{version[1]}")
    except (ValueError, EOFError, OSError, SyntaxError, TypeError, KeyError, struct.error) as e:
        message = " ".join(str(e).split()) or type(e).__name__
        raise ValueError(f"{label} is not a valid .npy file: {message}") from None
    check_dtype(dtype, label)
    return Header(tuple(int(s) for s in shape), bool(fortran), dtype, stream.tell() - start)


def check_size(header: Header, available: int, label: str) -> None:
    """ValueError unless the data after the header is exactly what the header promises."""
    expected = header.offset + int(np.prod(header.shape, dtype=np.int64)) * header.dtype.itemsize
    if available < expected:
        raise ValueError(
            f"{label} is truncated: it has {available} bytes, its header promises {expected}"
        )
    if available > expected:
        raise ValueError(
            f"{label} is corrupted: it has {available} bytes, its header promises {expected}"
        )


def open_npy(path: Path, label: str) -> Header:
    """The checked header of a .npy file."""
    with open(path, "rb") as stream:
        header = read_header(stream, label)
    check_size(header, path.stat().st_size, label)
    return header


def member_data_offset(path: Path, info: zipfile.ZipInfo, label: str) -> int:
    """Byte offset in the file of a stored zip member's data (after its local header)."""
    with open(path, "rb") as raw:
        raw.seek(info.header_offset)
        local = raw.read(30)
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise ValueError(f"{label} is corrupted: a zip member's local header is bad")
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    data = info.header_offset + 30 + name_length + extra_length
    if path.stat().st_size < data + info.file_size:
        raise ValueError(f"{label} is truncated: its array extends past the end")
    return data


def npz_members(path: Path, label: str) -> list[tuple[zipfile.ZipInfo, Header]]:
    """The members of an .npz archive with their checked headers (data not read)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise ValueError(f"{label} is not a valid .npz file: {e}") from None
    found = []
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if not info.filename.endswith(".npy"):
                raise ValueError(f"{label} holds {info.filename}, which is not a .npy array")
            member = f"{label}[{info.filename[:-4]}]"
            try:
                with archive.open(info) as stream:
                    header = read_header(stream, member)
            except (zipfile.BadZipFile, OSError, EOFError) as e:
                raise ValueError(f"{label} is not a valid .npz file: {e}") from None
            check_size(header, info.file_size, member)
            found.append((info, header))
    return found


def is_stored(info: zipfile.ZipInfo) -> bool:
    """Whether a zip member is stored uncompressed and unencrypted (so it can be read in place)."""
    return info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 1

"""Reading a Keras model file or JSON string defensively for :func:`convshape.load_keras`:
only regular files, every size checked before it is read, archives checked from their
directory, and every malformed input one ConvShapeError naming the file."""

from __future__ import annotations

import json
import os
import stat
import zipfile
import zlib
from _collections_abc import Mapping

from .errors import ConvShapeError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from typing import Any

__all__ = ["MAX_BYTES", "brief", "quoted", "read", "repeatable", "short"]

#: The default of ``load_keras(max_bytes=...)``: 64 MiB of JSON. Keras's largest
#: application, NASNetLarge (1,041 layers), has a config of 1 MB.
MAX_BYTES = 64 * 1024 * 1024


def brief(error: BaseException, limit: int = 200) -> str:
    """``Type: message`` of an exception, shortened: messages may repeat huge values.

    >>> brief(KeyError("keras_history"))
    "KeyError: 'keras_history'"
    """
    try:
        text = str(error)
    except Exception:  # a message that cannot be formatted
        text = ""
    text = " ".join(text.split())
    if len(text) > limit:
        text = f"{text[: limit - 3]}..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def quoted(text: str, limit: int = 120) -> str:
    """``repr(text)``, shortened in the middle.

    >>> quoted("x" * 10, limit=8)
    "'xxx...xxx'"
    """
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[: limit // 2]}...{shown[-limit // 2 :]}"


def repeatable(value: object) -> bool:
    """Whether ``value`` is short enough to be repeated as it is in a message.

    >>> repeatable("conv2d"), repeatable(["conv2d"])
    (True, False)
    """
    return value is None or (isinstance(value, str) and len(value) <= 100)


def short(value: object, limit: int = 60) -> str:
    """``repr(value)`` for a message, shortened; never fails.

    >>> short(7), short([1, 2]), short(10**5000)
    ('7', 'list', 'int')
    """
    if isinstance(value, str):
        return quoted(value, limit)
    try:
        shown = repr(value) if isinstance(value, (int, float, type(None))) else type(value).__name__
    except ValueError:  # an int too long to print
        shown = "int"
    return shown if len(shown) <= limit else f"{shown[: limit - 3]}..."


def read(
    source: str | os.PathLike[str] | Mapping[str, Any], max_bytes: int
) -> tuple[dict[str, Any], str]:
    """The config document in ``source``, and how messages name ``source``."""
    if isinstance(source, Mapping):
        document = dict(source)
        _check_values(document, "the config")
        return document, "the config"
    if isinstance(source, str) and source.lstrip().startswith("{"):
        where = "the JSON string"
        if len(source) > max_bytes:
            raise ConvShapeError(
                f"{where} is {len(source)} characters long, more than max_bytes={max_bytes}",
                argument="max_bytes",
                received={"max_bytes": max_bytes},
            )
        return _parse(source, where), where
    path = os.fspath(source)
    where = quoted(os.fsdecode(path))
    try:
        status = os.stat(path)
    except ValueError:  # a NUL character, which no path can hold
        raise ConvShapeError(
            f"{where} is not a path: it holds a NUL character", argument="source", received={}
        ) from None
    _check_regular(status, where)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    # O_NONBLOCK: should the file have been swapped for a FIFO since os.stat, opening it
    # does not wait for a writer; on a regular file it changes nothing.
    descriptor = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
    with open(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        _check_regular(status, where)
        archived = handle.read(2) == b"PK" or zipfile.is_zipfile(handle)
        handle.seek(0)
        if archived:
            data = _archived_config(handle, status.st_size, where, max_bytes)
            where = f"config.json in {where}"
        else:
            _check_size(status.st_size, where, max_bytes)
            data = _read_at_most(handle, max_bytes + 1, status.st_size)
            _check_size(len(data), where, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConvShapeError(
            f"{where} is not UTF-8 text (byte {error.start} cannot be decoded)",
            argument="source",
            received={},
        ) from None
    return _parse(text, where), where


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _check_regular(status: os.stat_result, where: str) -> None:
    if stat.S_ISREG(status.st_mode):
        return
    kind = next((name for test, name in _KINDS if test(status.st_mode)), "a special file")
    raise ConvShapeError(
        f"{where} is {kind}, not a regular file: load_keras reads .keras archives and JSON files",
        argument="source",
        received={},
    )


#: What a read beyond the announced size takes at a time (a file that grew, an archive
#: entry whose header lies).
_CHUNK = 2**20


def _read_at_most(stream: Any, limit: int, expected: int) -> bytes:
    """At most ``limit`` bytes of ``stream``: first the ``expected`` size (plus one, to see
    a file that grew), then chunks. ``read(limit)`` would allocate ``limit`` bytes at once
    (64 MiB by default), however short the file."""
    data: bytes = stream.read(min(expected, limit - 1) + 1)
    if len(data) <= expected:
        return data
    parts = [data]
    read = len(data)
    while read < limit:
        part: bytes = stream.read(min(_CHUNK, limit - read))
        if not part:
            break
        parts.append(part)
        read += len(part)
    return b"".join(parts)


def _check_size(size: int, where: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise ConvShapeError(
            f"{where} is {size} bytes, more than max_bytes={max_bytes} "
            "(pass a larger max_bytes to load_keras to read it)",
            argument="max_bytes",
            received={"max_bytes": max_bytes},
        )


#: The most bytes of an archive's directory read: a .keras archive lists a few files.
_MAX_DIRECTORY = 4 * 1024 * 1024
_END = b"PK\x05\x06"  # the end of central directory record
_END64_LOCATOR = b"PK\x06\x07"
_READABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _archived_config(handle: Any, size: int, where: str, max_bytes: int) -> bytes:
    """The bytes of ``config.json`` in the archive open as ``handle``, read with
    every size checked against the archive's directory before it is read."""
    _check_directory(handle, size, where)
    try:
        with zipfile.ZipFile(handle) as archive:
            try:
                entry = archive.getinfo("config.json")
            except KeyError:
                raise ConvShapeError(
                    "a .keras archive must hold config.json",
                    argument="source",
                    received={"source": where},
                ) from None
            if entry.flag_bits & 0x1:
                raise ConvShapeError(
                    f"config.json in {where} is encrypted", argument="source", received={}
                )
            if entry.compress_type not in _READABLE:
                raise ConvShapeError(
                    f"config.json in {where} is compressed with method {entry.compress_type}; "
                    "load_keras reads stored and deflated entries (Keras writes those)",
                    argument="source",
                    received={},
                )
            _check_size(entry.file_size, f"config.json in {where}", max_bytes)
            with archive.open(entry) as member:
                data = _read_at_most(member, max_bytes + 1, entry.file_size)
            _check_size(len(data), f"config.json in {where}", max_bytes)
            return data
    except ConvShapeError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,
        NotImplementedError,
        OverflowError,
    ) as error:
        raise ConvShapeError(
            f"{where} is not a readable .keras archive ({brief(error)})",
            argument="source",
            received={},
        ) from None


def _check_directory(handle: Any, size: int, where: str) -> None:
    """Refuse an archive whose directory is larger than ``_MAX_DIRECTORY`` bytes
    (zipfile reads all of it, and makes an object per entry), from its end record."""
    tail_size = min(size, 22 + 0xFFFF)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    end = tail.rfind(_END)
    if end < 0 or len(tail) - end < 22:
        return  # not an archive zipfile can open: it says so
    directory = int.from_bytes(tail[end + 12 : end + 16], "little")
    if end >= 20 and tail[end - 20 : end - 16] == _END64_LOCATOR:
        # ZIP64: zipfile takes the size from the record just before the locator.
        start = size - tail_size + end - 20 - 56
        if start >= 0:
            handle.seek(start)
            record = handle.read(56)
            directory = max(directory, int.from_bytes(record[40:48], "little"))
    handle.seek(0)
    if directory > _MAX_DIRECTORY:
        raise ConvShapeError(
            f"{where} has an archive directory of {directory} bytes, more than the "
            f"{_MAX_DIRECTORY} bytes load_keras reads (a .keras archive lists a few files)",
            argument="source",
            received={},
        )


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        # Converting each integer with a check costs as much as parsing: only a file with a
        # run of 20 digits (2**64 has 20), a rare thing, is parsed so.
        wide = text.translate(_DIGITS).find("0" * 20) >= 0
        document = json.loads(text, parse_int=_integer) if wide else json.loads(text)
    except _TooWide as error:
        raise ConvShapeError(
            f"{where} holds an integer of {error.digits} digits; no framework accepts "
            "integers over 64 bits in a model config",
            argument="source",
            received={},
        ) from None
    except json.JSONDecodeError as error:
        raise ConvShapeError(
            f"{where} is not valid JSON ({error.msg} at line {error.lineno})",
            argument="source",
            received={},
        ) from None
    except RecursionError:
        raise ConvShapeError(
            f"{where} nests its JSON too deeply to be a Keras model config",
            argument="source",
            received={},
        ) from None
    except ValueError as error:  # whatever else json refuses
        raise ConvShapeError(
            f"{where} is not a Keras model config ({brief(error)})", argument="source", received={}
        ) from None
    if not isinstance(document, dict):
        raise ConvShapeError(
            f"{where} does not hold a Keras model config (a JSON object)",
            argument="source",
            received={},
        )
    return document


_DIGITS = str.maketrans("123456789", "000000000")


class _TooWide(Exception):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _integer(text: str) -> int:
    """An integer of the JSON text, refused before it is converted if out of range."""
    value = int(text) if len(text) <= 21 else None
    if value is None or not -_LARGEST < value < _LARGEST:
        raise _TooWide(len(text.lstrip("-")))
    return value


#: Integers of a config: shapes, sizes, seeds; no framework accepts more than 64 bits.
_LARGEST = 2**64
#: How deep a config nests, more than any model nested in models needs.
_MAX_DEPTH = 200


def _check_values(document: dict[str, Any], where: str) -> None:
    """Refuse integers no framework accepts and configs nested without end (a dict that
    holds itself), walking without recursion."""
    stack: list[tuple[object, int]] = [(document, 0)]
    budget = 10**7
    while stack:
        value, depth = stack.pop()
        budget -= 1
        if isinstance(value, (dict, list, tuple)):
            if depth >= _MAX_DEPTH or budget < 0:
                raise ConvShapeError(
                    f"{where} nests deeper than {_MAX_DEPTH} levels or holds more than 10**7 "
                    "values (a dict or list that holds itself?)",
                    argument="source",
                    received={},
                )
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items if type(item) is not str)
        elif type(value) is int and not -_LARGEST < value < _LARGEST:
            raise ConvShapeError(
                f"{where} holds an integer of {value.bit_length()} bits; no framework "
                "accepts integers over 64 bits in a model config",
                argument="source",
                received={},
            )

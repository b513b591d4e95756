"""Hostile model files and configs: load_keras and the CLI's model subcommands refuse
each with one ConvShapeError naming the file and the part that is wrong (CLI: exit 2,
one line), within a time bound, and never block, crash or read without bound."""

from __future__ import annotations

import contextlib
import copy
import gzip
import json
import os
import random
import stat
import struct
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convshape as cs
from convshape import _keras_config, _keras_replay
from convshape._keras_files import MAX_BYTES
from convshape.cli import main

#: Seconds any hostile input may take to be refused.
BOUND = 20.0


@cache
def _config_text() -> str:
    """A small real config: a U-Net saved by Keras, as recorded in the test data."""
    with gzip.open(Path(__file__).parent / "data" / "keras_models.json.gz", "rt") as handle:
        return str(json.load(handle)["zoo:unet_same_none"]["json"])


def _config() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_config_text())
    return document


def _archive(path: Path, data: bytes, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        archive.writestr("metadata.json", '{"keras_version": "3.0.0"}')
        archive.writestr("config.json", data)
    return path


def _bounded(call: Callable[[], object]) -> BaseException | None:
    """What ``call`` raises, run in a thread that must end within ``BOUND`` seconds."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
        except BaseException as error:  # reported to the test
            outcome.append(error)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, daemon=True)
    started = time.perf_counter()
    thread.start()
    thread.join(BOUND)
    assert outcome, f"still running after {BOUND} s (blocked or unbounded)"
    assert time.perf_counter() - started < BOUND
    return outcome[0]


def _refused(source: Any, *fragments: str, **kwargs: Any) -> cs.ConvShapeError:
    error = _bounded(lambda: cs.load_keras(source, **kwargs))
    assert isinstance(error, cs.ConvShapeError), repr(error)
    message = str(error)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return error


# -- hostile files -------------------------------------------------------------------


def _non_utf8(tmp_path: Path) -> Path:
    path = tmp_path / "latin1.json"
    path.write_bytes(_config_text().replace('"unet', '"\xe9unet').encode("latin-1"))
    return path


def _truncated(tmp_path: Path) -> Path:
    whole = _archive(tmp_path / "whole.keras", _config_text().encode()).read_bytes()
    path = tmp_path / "truncated.keras"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _corrupted(tmp_path: Path) -> Path:
    path = _archive(tmp_path / "corrupted.keras", _config_text().encode())
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo("config.json")
    start = entry.header_offset + 30 + len(entry.filename)
    for offset in range(start + 100, start + 200):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def _crc_mismatch(tmp_path: Path) -> Path:
    path = _archive(tmp_path / "crc.keras", _config_text().encode(), zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo("config.json")
    data[entry.header_offset + 30 + len(entry.filename) + 10] ^= 0x01
    path.write_bytes(bytes(data))
    return path


def _central_entries(data: bytearray, name: str) -> list[int]:
    """Where the archive's directory lists ``name``."""
    found = []
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        (length,) = struct.unpack_from("<H", data, central + 28)
        if data[central + 46 : central + 46 + length] == name.encode():
            found.append(central)
        central = data.find(b"PK\x01\x02", central + 4)
    return found


def _set_flags(path: Path, name: str, flags: int) -> None:
    """Set general-purpose flag bits of ``name`` in both its headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo(name)
    data[entry.header_offset + 6] |= flags
    for central in _central_entries(data, name):
        data[central + 8] |= flags
    path.write_bytes(bytes(data))


def _encrypted(tmp_path: Path) -> Path:
    path = _archive(tmp_path / "encrypted.keras", _config_text().encode())
    _set_flags(path, "config.json", 0x01)
    return path


def _bzip2(tmp_path: Path) -> Path:
    return _archive(tmp_path / "bzip2.keras", _config_text().encode(), zipfile.ZIP_BZIP2)


def _lzma(tmp_path: Path) -> Path:
    return _archive(tmp_path / "lzma.keras", _config_text().encode(), zipfile.ZIP_LZMA)


def _deep_json(tmp_path: Path) -> Path:
    path = tmp_path / "deep.json"
    path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    return path


def _deep_json_1000(tmp_path: Path) -> Path:
    path = tmp_path / "deep1000.json"
    path.write_text('{"class_name": "Sequential", "config": ' + "[" * 1000 + "]" * 1000 + "}")
    return path


def _long_integer(tmp_path: Path) -> Path:
    path = tmp_path / "digits.json"
    path.write_text(_config_text().replace('"filters": 16', '"filters": ' + "7" * 5000, 1))
    return path


def _wide_integer(tmp_path: Path) -> Path:
    path = tmp_path / "wide.json"
    path.write_text(_config_text().replace('"filters": 16', '"filters": ' + "7" * 100, 1))
    return path


def _zip_bomb(tmp_path: Path) -> Path:
    # 96 MiB of zeros compress to about 100 KB, more than the default max_bytes.
    return _archive(tmp_path / "bomb.keras", b"0" * (MAX_BYTES + 32 * 1024 * 1024))


def _lying_bomb(tmp_path: Path) -> Path:
    """An entry whose headers say 100 bytes, holding 8 MiB."""
    path = _archive(tmp_path / "liar.keras", b" " * (8 * 1024 * 1024))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo("config.json")
    struct.pack_into("<I", data, entry.header_offset + 22, 100)
    for central in _central_entries(data, "config.json"):
        struct.pack_into("<I", data, central + 24, 100)
    path.write_bytes(bytes(data))
    return path


def _huge_directory(tmp_path: Path) -> Path:
    path = _archive(tmp_path / "directory.keras", _config_text().encode())
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 12, 64 * 1024 * 1024)
    path.write_bytes(bytes(data))
    return path


def _no_config(tmp_path: Path) -> Path:
    path = tmp_path / "weights_only.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("model.weights.h5", b"\x89HDF")
    return path


def _empty_archive(tmp_path: Path) -> Path:
    path = tmp_path / "empty.keras"
    with zipfile.ZipFile(path, "w"):
        pass
    return path


def _empty_file(tmp_path: Path) -> Path:
    path = tmp_path / "empty.json"
    path.write_bytes(b"")
    return path


def _byte_order_mark(tmp_path: Path) -> Path:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + _config_text().encode())
    return path


def _list_document(tmp_path: Path) -> Path:
    path = tmp_path / "list.json"
    path.write_text("[1, 2, 3]")
    return path


def _archived_non_utf8(tmp_path: Path) -> Path:
    return _archive(tmp_path / "latin1.keras", b'{"class_name": "\xff"}')


def _binary(tmp_path: Path) -> Path:
    path = tmp_path / "weights.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 16)
    return path


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.keras"
    os.mkfifo(path)
    return path


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "model.keras"
    path.mkdir()
    return path


def _dev_zero(tmp_path: Path) -> Path:
    return Path("/dev/zero")


def _link_to_dev_zero(tmp_path: Path) -> Path:
    path = tmp_path / "zero.keras"
    path.symlink_to("/dev/zero")
    return path


#: name -> (builder of the file in tmp_path, what the message must say besides the file)
FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "non_utf8_json": (_non_utf8, "is not UTF-8 text"),
    "non_utf8_archive": (_archived_non_utf8, "is not UTF-8 text"),
    "truncated_archive": (_truncated, "is not a readable .keras archive"),
    "corrupted_archive": (_corrupted, "is not a readable .keras archive"),
    "crc_mismatch": (_crc_mismatch, "is not a readable .keras archive"),
    "encrypted_archive": (_encrypted, "is encrypted"),
    "bzip2_archive": (_bzip2, "is compressed with method 12"),
    "lzma_archive": (_lzma, "is compressed with method 14"),
    "json_nested_100000_deep": (_deep_json, "nests its JSON too deeply"),
    "json_nested_1000_deep": (_deep_json_1000, "config"),
    "integer_of_5000_digits": (_long_integer, "holds an integer of 5000 digits"),
    "integer_of_100_digits": (_wide_integer, "holds an integer of 100 digits"),
    "zip_bomb": (_zip_bomb, "more than max_bytes"),
    "zip_bomb_lying_about_its_size": (_lying_bomb, "is not a readable .keras archive"),
    "huge_archive_directory": (_huge_directory, "archive directory"),
    "archive_without_config": (_no_config, "must hold config.json"),
    "empty_archive": (_empty_archive, "must hold config.json"),
    "empty_file": (_empty_file, "is not valid JSON"),
    "byte_order_mark": (_byte_order_mark, "is not valid JSON"),
    "json_list": (_list_document, "does not hold a Keras model config"),
    "binary_file": (_binary, "is not UTF-8 text"),
    "fifo": (_fifo, "is a FIFO, not a regular file"),
    "directory": (_directory, "is a directory, not a regular file"),
    "dev_zero": (_dev_zero, "is a character device, not a regular file"),
    "symlink_to_dev_zero": (_link_to_dev_zero, "is a character device, not a regular file"),
}


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("name", list(FILES))
def test_hostile_file_is_refused_with_one_error(name: str, tmp_path: Path) -> None:
    build, fragment = FILES[name]
    path = build(tmp_path)
    for source in (path, str(path)):
        _refused(source, repr(str(path)), fragment)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("command", ["summary", "sizes", "check"])
@pytest.mark.parametrize("name", list(FILES))
def test_cli_refuses_hostile_file_with_one_line(
    name: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = FILES[name][0](tmp_path)
    statuses: list[int] = []
    outcome = _bounded(lambda: statuses.append(main([command, str(path)])))
    assert outcome is None, repr(outcome)
    captured = capsys.readouterr()
    assert statuses == [2]
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"convshape {command}: error: ")
    assert str(path) in captured.err


def test_limits_are_overridable(tmp_path: Path) -> None:
    text = _config_text()
    path = tmp_path / "unet.json"
    path.write_text(text)
    archive = _archive(tmp_path / "unet.keras", text.encode())
    for source in (path, archive):
        limit = len(text) - 1
        _refused(source, repr(str(source)), f"more than max_bytes={limit}", max_bytes=limit)
        assert cs.load_keras(source, max_bytes=len(text)).output_shape == (None, None, None, 1)
    _refused(text, "the JSON string", "more than max_bytes=100", max_bytes=100)
    bomb = _zip_bomb(tmp_path)
    _refused(bomb, repr(str(bomb)), "more than max_bytes", max_bytes=10**6)


def test_wrong_types_are_type_errors() -> None:
    for source in (None, 5, 3.5, b'{"layers": []}', ["model.keras"]):
        with pytest.raises(TypeError, match="`source` must be a path, a JSON string or a config"):
            cs.load_keras(source)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`max_bytes` must be an int"):
        cs.load_keras(_config_text(), max_bytes="64")  # type: ignore[arg-type]
    with pytest.raises(cs.ConvShapeError, match="`max_bytes` must be an integer >= 1"):
        cs.load_keras(_config_text(), max_bytes=0)


def test_missing_file_and_nul_path() -> None:
    with pytest.raises(FileNotFoundError):
        cs.load_keras("no/such/model.keras")
    _refused("model\x00.keras", "'model\\x00.keras'", "NUL character")


# -- configs of the wrong shape --------------------------------------------------------


def _sequential(*layers: Any) -> dict[str, Any]:
    return {"class_name": "Sequential", "config": {"name": "s", "layers": list(layers)}}


def _dense(**config: Any) -> dict[str, Any]:
    return {"class_name": "Dense", "config": {"units": 3, **config}}


def _cyclic() -> dict[str, Any]:
    document: dict[str, Any] = {"class_name": "Sequential", "config": {"layers": []}}
    document["config"]["layers"].append(document)
    return document


def _deep_dict() -> dict[str, Any]:
    value: Any = 1
    for _ in range(5000):
        value = {"a": value}
    return {"class_name": "Sequential", "config": {"layers": [], "nested": value}}


def _functional(**changes: Any) -> dict[str, Any]:
    document = _config()
    document["config"].update(changes)
    return document


def _mutated(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = _config()
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


#: Configs found broken by hand, in the issue, and by the fuzzer below: each must be
#: refused with a ConvShapeError saying this.
CONFIGS: dict[str, tuple[Any, str]] = {
    "config_is_a_list": ({"class_name": "Sequential", "config": []}, "must be a mapping"),
    "layers_is_a_string": (
        {"class_name": "Sequential", "config": {"layers": "ab"}},
        "`layers` must be a list",
    ),
    "functional_layers_is_a_string": (
        {"class_name": "Functional", "config": {"layers": "ab"}},
        "`layers` must be a list",
    ),
    "layer_is_a_string": (_sequential("Dense"), "each layer of a model config must be a mapping"),
    "layer_config_is_a_list": (
        _sequential({"class_name": "Dense", "config": [1, 2]}),
        "layer 0 (Dense): a layer's config must be a mapping",
    ),
    "dtype_policy_config_is_a_list": (
        _sequential(_dense(dtype={"class_name": "DTypePolicy", "config": [1]})),
        "layer 0 (Dense): `dtype` of a layer config is a dtype policy whose config is not",
    ),
    "dtype_policy_config_is_a_string": (
        _sequential(_dense(dtype={"class_name": "FloatDTypePolicy", "config": "float32"})),
        "layer 0 (Dense): `dtype` of a layer config is a dtype policy whose config is not",
    ),
    "dtype_policy_name_is_an_int": (
        _sequential(_dense(dtype={"class_name": "DTypePolicy", "config": {"name": 5}})),
        "layer 0 (Dense): `dtype` of a layer config is a dtype policy whose config is not",
    ),
    "dtype_is_an_int": (_sequential(_dense(dtype=5)), "layer 0 (Dense)"),
    "dtype_is_unknown": (_sequential(_dense(dtype="float7")), "layer 0 (Dense)"),
    "dtype_policy_is_a_list": (_sequential(_dense(dtype=["float32"])), "layer 0 (Dense)"),
    "units_is_a_string": (_sequential(_dense(units="3")), "layer 0 (Dense)"),
    "units_is_100_digits": (_sequential(_dense(units=7**120)), "holds an integer of"),
    "config_keys_are_not_strings": (
        _sequential({"class_name": "Dense", "config": {1: 2}}),
        "layer 0 (Dense)",
    ),
    "class_name_is_a_list": (
        _sequential({"class_name": ["Dense"]}),
        "layer 0: a layer's class_name must be a string",
    ),
    "model_class_name_is_a_dict": ({"class_name": {}, "config": {}}, "not a Keras model"),
    "build_input_shape_is_a_string": (
        {"class_name": "Sequential", "config": {"layers": [_dense()], "build_input_shape": "ab"}},
        "build_input_shape",
    ),
    "cyclic_config": (_cyclic(), "nests deeper than 200 levels"),
    "dict_nested_5000_deep": (_deep_dict(), "nests deeper than 200 levels"),
    "inbound_nodes_is_a_string": (
        _mutated(("config", "layers", 1, "inbound_nodes"), "ab"),
        "`inbound_nodes` must be a list",
    ),
    "inbound_node_is_an_int": (
        _mutated(("config", "layers", 1, "inbound_nodes"), [5]),
        "call of layer",
    ),
    "inbound_node_args_is_an_int": (
        _mutated(("config", "layers", 1, "inbound_nodes"), [{"args": 5}]),
        "call of layer",
    ),
    "keras_history_too_short": (
        _mutated(
            ("config", "layers", 1, "inbound_nodes", 0, "args", 0, "config", "keras_history"),
            ["input_layer"],
        ),
        "call of layer",
    ),
    "keras_history_names_no_layer": (
        _mutated(
            ("config", "layers", 1, "inbound_nodes", 0, "args", 0, "config", "keras_history"),
            ["nowhere", 0, 0],
        ),
        "which is not in the model",
    ),
    "input_layers_is_a_string": (
        _functional(input_layers="ab"),
        "must be [layer, node, tensor] lists",
    ),
    "input_layers_name_no_layer": (
        _functional(input_layers=[["nowhere", 0, 0]]),
        "name a layer that is not in it",
    ),
    "output_layers_node_out_of_range": (
        _functional(output_layers=[["image", 7, 0]]),
        "the model's inputs and outputs is malformed",
    ),
    "layer_name_is_a_list": (_mutated(("config", "layers", 1, "name"), ["x"]), "layer 1"),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_malformed_config_is_refused_with_one_error(name: str) -> None:
    document, fragment = CONFIGS[name]
    _refused(document, "the config", fragment)
    try:
        text = json.dumps(document)
    except (ValueError, TypeError, RecursionError):
        return  # not JSON: a cycle, nesting beyond json's, keys that are not strings
    _refused(text, "the JSON string", fragment)


def test_malformed_config_in_a_file_names_file_and_layer(tmp_path: Path) -> None:
    path = _archive(
        tmp_path / "odd.keras",
        json.dumps(_sequential(_dense(), {"class_name": "Dense", "config": [1]})).encode(),
    )
    _refused(path, f"config.json in {str(path)!r}, layer 1 (Dense): a layer's config must be")


def test_a_valid_config_still_loads_from_every_kind_of_source(tmp_path: Path) -> None:
    text = _config_text()
    path = tmp_path / "unet.json"
    path.write_text(text)
    sources: list[Any] = [text, _config(), path, _archive(tmp_path / "unet.keras", text.encode())]
    for source in sources:
        assert cs.load_keras(source).output_shape == (None, None, None, 1)


# -- fuzzing -----------------------------------------------------------------------------

_KEYS = st.sampled_from(
    [
        "class_name", "config", "layers", "name", "inbound_nodes", "input_layers",
        "output_layers", "batch_shape", "dtype", "units", "filters", "kernel_size", "strides",
        "padding", "build_input_shape", "module", "args", "kwargs", "keras_history",
        "trainable", "axis", "target_shape", "pool_size", "rate", "size",
    ]
)  # fmt: skip
_NAMES = st.sampled_from(
    [
        "Sequential", "Functional", "Model", "InputLayer", "Dense", "Conv2D", "Conv2DTranspose",
        "MaxPooling2D", "Reshape", "Flatten", "Concatenate", "Add", "__keras_tensor__",
        "__tuple__", "DTypePolicy", "BatchNormalization", "Embedding", "UpSampling2D",
    ]
)  # fmt: skip
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0, 1, 2, 3, -1, 7, 28])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | _NAMES
    | st.sampled_from(["same", "valid", "causal", "float32", "input_layer", "conv2d"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_KEYS | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=30,
)


def _load_only_refuses(source: Any) -> None:
    started = time.perf_counter()
    with contextlib.suppress(cs.ConvShapeError, TypeError):
        cs.load_keras(source)
    assert time.perf_counter() - started < BOUND


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_VALUES)
def test_fuzz_random_documents_only_raise_convshape_errors(document: Any) -> None:
    for source in (
        {"class_name": "Sequential", "config": document},
        {"class_name": "Functional", "config": document},
        _sequential(document),
        document if isinstance(document, dict) else {"layers": document},
    ):
        _load_only_refuses(source)
        _load_only_refuses(json.dumps(source))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@cache
def _config_paths() -> list[tuple[Any, ...]]:
    return _paths(_config())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_real_config_only_raises_convshape_errors(data: st.DataObject) -> None:
    _load_only_refuses(_mutate(data))


def _mutate(data: st.DataObject) -> dict[str, Any]:
    """The recorded U-Net's config with one to three values replaced or removed."""
    document = copy.deepcopy(_config())
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_config_paths()))
        target: Any = document
        try:
            for key in path[:-1]:
                target = target[key]
            if data.draw(st.booleans()) and isinstance(target, dict):
                del target[path[-1]]
            else:
                target[path[-1]] = data.draw(_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    return document


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_fuzz_cli_on_mutated_files_exits_0_or_2_with_one_line(
    data: st.DataObject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mutated.json"
    path.write_text(json.dumps(_mutate(data)))
    for command in (["summary"], ["sizes", "--range", "1:64"], ["check"]):
        started = time.perf_counter()
        status = main([command[0], str(path), *command[1:]])
        assert time.perf_counter() - started < BOUND
        captured = capsys.readouterr()
        assert status in (0, 2)
        if status == 2:
            assert captured.err.count("\n") == 1
            assert captured.err.startswith(f"convshape {command[0]}: error: ")


def test_stat_refusal_happens_before_opening(tmp_path: Path) -> None:
    """A FIFO with no writer would block open(); it is refused from os.stat alone."""
    path = _fifo(tmp_path)
    assert stat.S_ISFIFO(path.stat().st_mode)
    _refused(path, "is a FIFO")


# -- out-of-order functional files -------------------------------------------------------


def _chain(count: int) -> dict[str, Any]:
    """A functional chain of ``count`` ReLU layers, listed last first."""

    def read(name: str) -> dict[str, Any]:
        history = {"shape": [None, 4], "dtype": "float32", "keras_history": [name, 0, 0]}
        return {"class_name": "__keras_tensor__", "config": history}

    layers: list[dict[str, Any]] = []
    previous = "x"
    for index in range(count):
        name = f"relu_{index}"
        call = {"args": [read(previous)], "kwargs": {}}
        layers.append({"class_name": "ReLU", "name": name, "config": {}, "inbound_nodes": [call]})
        previous = name
    entry = {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [None, 4]}}
    config = {
        "name": "chain",
        "layers": [entry, *layers[::-1]],
        "input_layers": [["x", 0, 0]],
        "output_layers": [[previous, 0, 0]],
    }
    return {"class_name": "Functional", "config": config}


def test_layers_listed_last_first_load_in_linear_time() -> None:
    """Keras's replay loop makes a pass over all layers per call it can make when the
    file lists them last first: 8,000 layers (a 2 MB file) took a minute."""
    started = time.perf_counter()
    model = cs.load_keras(json.dumps(_chain(6000)))
    assert time.perf_counter() - started < 10
    assert model.output_shape == (None, 4)
    assert len(model.layers) == 6001


def _passes(order: list[str], pending: dict[str, list[Any]], created: dict[str, Any]) -> None:
    """The replay as Keras's loop makes it: the reference for the scheduled one."""
    while any(pending.values()):
        progressed = False
        for name in order:
            calls = pending[name]
            while calls:
                try:
                    args, kwargs = _keras_replay._arguments(calls[0], created)
                except _keras_replay._NotYet:
                    break
                created[name](*args, **kwargs)
                calls.pop(0)
                progressed = True
        assert progressed


@pytest.mark.parametrize("key", ["zoo:siamese", "zoo:shared_layers", "zoo:unet_same_none"])
def test_shuffled_files_replay_as_keras_loop_does(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with gzip.open(Path(__file__).parent / "data" / "keras_models.json.gz", "rt") as handle:
        document = json.loads(json.load(handle)[key]["json"])
    for seed in range(8):
        shuffled = copy.deepcopy(document)
        random.Random(seed).shuffle(shuffled["config"]["layers"])
        ours = cs.load_keras(copy.deepcopy(shuffled)).summarize().to_dict()
        with monkeypatch.context() as patch:
            patch.setattr(_keras_config, "_replay", _passes)
            theirs = cs.load_keras(copy.deepcopy(shuffled)).summarize().to_dict()
        assert ours == theirs


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="Linux's procfs")
def test_read_errors_stay_oserrors_and_the_cli_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that cannot be opened or read is not a malformed file: load_keras raises
    the OSError, as open() does, and the CLI prints it on one line."""
    missing = tmp_path / "missing.keras"
    for path, error in ((missing, FileNotFoundError), (Path("/proc/self/mem"), OSError)):
        with pytest.raises(error):
            cs.load_keras(path)
        assert main(["summary", str(path)]) == 2
        captured = capsys.readouterr()
        assert captured.err.count("\n") == 1
        assert captured.err.startswith("convshape summary: error: ")


def test_models_nested_deep_name_the_layer_in_a_short_message() -> None:
    document = _sequential(_dense(units=-1))
    for index in range(300):
        config = {"name": f"s{index}", "layers": [document]}
        document = {"class_name": "Sequential", "config": config}
    error = _refused(json.dumps(document), "the JSON string, layer 0 's298' (Sequential) > ")
    assert str(error).endswith(
        "> layer 0 (Dense): `units` must be an integer >= 1. Received: units=-1"
    )
    assert len(str(error)) < 400
    _refused(document, "the config nests deeper than 200 levels")

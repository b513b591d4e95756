"""``input_sizes`` and ``diagnose`` against real Keras, on the encoder-decoder models of
``tests/size_models.py`` built once in each framework.

1. Every length 1..300 (the height, the width held at a valid size; the square too):
   Keras's answer and the layer it fails at, from Keras's own graph walked op by op,
   against ``failures`` and ``output_lengths``; a sample also on real tensors.
2. Each fix ``diagnose`` proposes, applied in Keras: the model then builds and runs.
3. Hypothesis: the closed form, ``nearest`` and sub-ranges agree with ``values``.
4. The README's question: the depth-4 "same" U-Net at 358x358.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from functools import partial
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convshape as cs
from convshape._record import fields
from tests.oracles import ORACLE_COUNTS, oracle
from tests.size_models import (
    README_MODEL,
    SIZE_MODELS,
    Edits,
    SizeModel,
    UNet,
    build_unet,
    inserted_layer,
)

CONVSHAPE = SimpleNamespace(Model=cs.Model, Input=cs.Input, layers=cs.layers)
LENGTHS = range(1, 301)
#: Real tensors: every 13th length, and every valid one up to this.
TENSOR_STEP = 13
TENSOR_VALID_UP_TO = 64


def _params(models: Iterable[SizeModel]) -> list[Any]:
    return [pytest.param(model, id=model.name) for model in models]


@pytest.fixture(scope="module")
def keras() -> ModuleType:
    return oracle("keras")


@pytest.fixture(scope="module")
def np() -> ModuleType:
    return oracle("numpy")


@pytest.fixture(scope="module")
def tf_errors(keras: ModuleType) -> tuple[type[BaseException], ...]:
    """What running a model on a tensor it cannot take raises."""
    tf = oracle("tensorflow")
    return (ValueError, tf.errors.OpError)


@functools.cache
def _keras_model(name: str) -> Any:
    import keras

    return _entry(name).build(keras)


@functools.cache
def _convshape_model(name: str) -> Any:
    return _entry(name).build(CONVSHAPE)


@functools.cache
def _sizes(name: str) -> cs.InputSizes:
    return cs.input_sizes(_convshape_model(name), LENGTHS)


def _entry(name: str) -> SizeModel:
    return next(model for model in SIZE_MODELS if model.name == name)


# -- Keras's own answer -----------------------------------------------------------


def keras_walk(keras: ModuleType, model: Any, shape: tuple[int, ...]) -> tuple[str | None, Any]:
    """Keras's graph, op by op on ``shape`` as Keras runs it (``_nodes_by_depth`` from the
    deepest): each layer without weights is also built on its input shapes as a fresh
    copy (the check a model built at that size runs: ``Concatenate`` compares shapes only
    there), then every layer's ``compute_output_spec``. The first that raises is the
    failing layer; else (None, the output's shape)."""
    specs: dict[int, Any] = {id(model.inputs[0]): keras.KerasTensor(shape)}
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            if node.is_input:
                continue
            operation = node.operation
            args, kwargs = node.arguments.fill_in(specs)
            try:
                if not operation.weights:
                    shapes = keras.tree.map_structure(lambda spec: spec.shape, args[0])
                    type(operation).from_config(operation.get_config()).build(shapes)
                output = operation.compute_output_spec(*args, **kwargs)
            except ValueError:
                return operation.name, None
            for tensor, spec in zip(node.outputs, keras.tree.flatten(output), strict=True):
                specs[id(tensor)] = spec
    return None, specs[id(model.outputs[0])].shape


def keras_whole(keras: ModuleType, model: Any, shape: tuple[int, ...]) -> Any:
    """``model.compute_output_spec`` on ``shape``: the output's shape, or None."""
    try:
        return model.compute_output_spec(keras.KerasTensor(shape)).shape
    except ValueError:
        return None


def keras_runs(
    np: ModuleType, errors: tuple[type[BaseException], ...], model: Any, shape: tuple[int, ...]
) -> Any:
    """The output's shape of ``model`` on zeros, or None where it raises or gives an
    empty tensor."""
    try:
        output = model(np.zeros(shape, "float32"))
    except errors:
        return None
    found = tuple(output.shape)
    return None if 0 in found else found


def _other_sizes(entry: SizeModel, sizes: cs.InputSizes) -> tuple[int, ...]:
    """The spatial sizes after the height: the model's own, or for a free width the
    smallest valid width >= 8 (the square case checks Keras takes it)."""
    rest = entry.shape[1:-1]
    if not rest or rest[0] is not None:
        return tuple(n for n in rest if n is not None)
    width = next(n for n in sizes.axes[1].values if n >= 8)
    return (width,)


def _first(order: dict[str, int], *names: str | None) -> str | None:
    found = [name for name in names if name is not None]
    return min(found, key=order.__getitem__, default=None)


# -- 1. accept/reject for every length --------------------------------------------


@pytest.mark.parametrize("entry", _params(SIZE_MODELS))
def test_every_length_against_keras(keras: ModuleType, entry: SizeModel) -> None:
    sizes = _sizes(entry.name)
    model = _keras_model(entry.name)
    height = sizes.axes[0]
    rest = _other_sizes(entry, sizes)
    ORACLE_COUNTS["keras sizes models"] += 1
    if isinstance(entry.config, UNet) and entry.config.crop:
        _check_crops(entry, model)
    mismatches: list[str] = []
    lenient = 0
    for n in LENGTHS:
        shape = (1, n, *rest, 1)
        failed, output = keras_walk(keras, model, shape)
        whole = keras_whole(keras, model, shape)
        ORACLE_COUNTS["keras sizes lengths (symbolic, height)"] += 1
        expected = height.failures.get(n)
        if failed != expected:
            mismatches.append(f"{shape}: Keras fails at {failed}, convshape at {expected}")
        if failed is None and (output[1] != height.output_lengths.get(n) or whole != output):
            mismatches.append(
                f"{shape}: Keras gives {output} ({whole} for the model), convshape's output "
                f"length is {height.output_lengths.get(n)}"
            )
        if whole is None and failed is None:
            mismatches.append(f"{shape}: the model rejects it, its layers accept it")
        lenient += whole is not None and failed is not None
    if entry.rank == 2 and entry.shape[1] is None:
        nodes = _convshape_model(entry.name)._nodes()
        order = {node.operation.name: i for i, node in enumerate(nodes)}
        width = sizes.axes[1]
        for n in LENGTHS:
            failed, _ = keras_walk(keras, model, (1, n, n, 1))
            ORACLE_COUNTS["keras sizes lengths (symbolic, square)"] += 1
            expected = _first(order, height.failures.get(n), width.failures.get(n))
            if failed != expected:
                mismatches.append(f"{n}x{n}: Keras fails at {failed}, convshape at {expected}")
    assert not mismatches, "\n".join(mismatches)
    # Keras's own compute_output_spec lets a Concatenate of mismatched shapes through
    # (its build compares them, its compute_output_shape does not): the walk builds it.
    ORACLE_COUNTS["keras sizes lengths Keras's model-level spec let through"] += lenient


def _check_crops(entry: SizeModel, model: Any) -> None:
    """Both frameworks read the same crops at the probe size."""
    mine = _convshape_model(entry.name)
    for layer in mine.layers:
        if layer.name.endswith("_crop"):
            theirs = model.get_layer(layer.name).cropping
            if entry.rank > 1:
                theirs = tuple(map(tuple, theirs))
            assert tuple(theirs) == layer.cropping, layer.name


@pytest.mark.parametrize("entry", _params(SIZE_MODELS))
def test_lengths_on_real_tensors(
    keras: ModuleType,
    np: ModuleType,
    tf_errors: tuple[type[BaseException], ...],
    entry: SizeModel,
) -> None:
    sizes = _sizes(entry.name)
    model = _keras_model(entry.name)
    height = sizes.axes[0]
    rest = _other_sizes(entry, sizes)
    sample = sorted(
        {*LENGTHS[::TENSOR_STEP], *(n for n in height.values if n <= TENSOR_VALID_UP_TO)}
    )
    mismatches: list[str] = []
    for n in sample:
        shape = (1, n, *rest, 1)
        output = keras_runs(np, tf_errors, model, shape)
        ORACLE_COUNTS["keras sizes lengths (real tensors)"] += 1
        if (output is not None) != (n in height.values):
            mismatches.append(f"{shape}: TensorFlow runs it: {output}, convshape: {n in height}")
        elif output is not None and output[1] != height.output_lengths[n]:
            mismatches.append(f"{shape}: output {output}, convshape {height.output_lengths[n]}")
        found = cs.diagnose(_convshape_model(entry.name), (None, n, *rest, 1))
        ORACLE_COUNTS["keras sizes diagnoses (failing layer)"] += 1
        failed, _ = keras_walk(keras, model, shape)
        if (found.layer if found else None) != failed:
            mismatches.append(f"{shape}: diagnose names {found and found.layer}, Keras {failed}")
    assert not mismatches, "\n".join(mismatches)


# -- 2. the fixes, applied in Keras -----------------------------------------------


def edits_of(model: cs.Model, fix: Any) -> Edits:
    """A fix's edits as the builders' hooks: the fields a replacement changes, the layers
    inserted before a merge (Keras classes of the same names)."""
    replace: dict[str, dict[str, Any]] = {}
    insert: dict[tuple[str, int], Any] = {}
    for edit in fix.edits:
        layer = edit.layer
        class_name = type(layer).__name__
        if edit.position is None:
            old = model.get_layer(edit.target)
            assert type(old) is type(layer)
            replace[edit.target] = {
                spec.name: getattr(layer, spec.name)
                for spec in fields(layer)
                if spec.init
                and not spec.name.startswith("_")
                and spec.name != "name"
                and getattr(layer, spec.name) != getattr(old, spec.name)
            }
            assert replace[edit.target], edit
            continue
        argument = layer.cropping if class_name.startswith("Cropping") else layer.padding
        name = f"{edit.target}_fix{edit.position}"
        insert[(edit.target, edit.position)] = partial(inserted_layer, class_name, argument, name)
    return Edits(replace, insert)


def _fix_lengths(entry: SizeModel, sizes: cs.InputSizes) -> list[int]:
    """Three failing heights, preferring those that fail at a merge (they have edits)."""
    failures = sizes.axes[0].failures
    merges = [n for n, name in failures.items() if "concat" in name or "add" in name]
    pool = merges or sorted(failures)
    picks = [pool[len(pool) // 4], pool[len(pool) // 2], pool[-1]]
    if entry.same_2d:
        picks = [358, *picks[1:]]
    return list(dict.fromkeys(picks))


def _fix_shape(entry: SizeModel, n: int) -> tuple[int | None, ...]:
    rest = entry.shape[1:-1]
    if rest and rest[0] is None:
        return (None, n, n, 1)
    return (None, n, *rest, 1)


@functools.cache
def _diagnoses(name: str) -> tuple[tuple[tuple[int | None, ...], Any], ...]:
    """The failing shapes of ``_fix_lengths`` and their diagnoses."""
    entry, mine = _entry(name), _convshape_model(name)
    found = []
    for n in _fix_lengths(entry, _sizes(name)):
        shape = _fix_shape(entry, n)
        diagnosis = cs.diagnose(mine, shape)
        assert diagnosis is not None, shape
        assert diagnosis.fixes, diagnosis
        found.append((shape, diagnosis))
    return tuple(found)


@pytest.mark.parametrize("entry", _params(SIZE_MODELS))
def test_fixes_build_and_run_in_keras(
    keras: ModuleType,
    np: ModuleType,
    tf_errors: tuple[type[BaseException], ...],
    entry: SizeModel,
) -> None:
    mine, original = _convshape_model(entry.name), _keras_model(entry.name)
    problems: list[str] = []
    for shape, found in _diagnoses(entry.name):
        concrete = _one(shape)
        assert keras_walk(keras, original, concrete)[0] == found.layer
        for fix in found.fixes:
            ORACLE_COUNTS[f"keras sizes fixes applied ({fix.kind})"] += 1
            if fix.kind == "input-size":
                for alternative in fix.input_shapes:
                    size = _one(alternative)
                    failed, output = keras_walk(keras, original, size)
                    runs = keras_runs(np, tf_errors, original, size)
                    if failed is not None or runs is None or runs != output:
                        problems.append(f"{shape} -> {alternative}: Keras {failed}, runs {runs}")
                continue
            fixed = entry.build(keras, edits_of(mine, fix))
            failed, output = keras_walk(keras, fixed, concrete)
            runs = keras_runs(np, tf_errors, fixed, concrete)
            if failed is not None or runs is None or runs != output:
                problems.append(f"{shape} {fix.kind} {fix}: Keras {failed}, runs {runs}")
    assert not problems, "\n".join(problems)


#: The 1D fixes crop or pad with Cropping1D/ZeroPadding1D, which input_sizes cannot read.


@pytest.mark.parametrize("entry", _params(SIZE_MODELS))
def test_fixed_models_pass_input_sizes(entry: SizeModel) -> None:
    """convshape's own input_sizes takes each fix: the model rebuilt with the same hooks,
    or the original at the suggested input shape."""
    mine = _convshape_model(entry.name)
    problems: list[str] = []
    for shape, found in _diagnoses(entry.name):
        for fix in found.fixes:
            ORACLE_COUNTS[f"keras sizes fixes checked by input_sizes ({fix.kind})"] += 1
            if fix.kind == "input-size":
                problems += [
                    f"{shape} -> {alternative}: input_sizes rejects it"
                    for alternative in fix.input_shapes
                    if not _accepts(mine, alternative)
                ]
            elif not _accepts(entry.build(CONVSHAPE, edits_of(mine, fix)), shape):
                problems.append(f"{shape} {fix.kind} {fix}: input_sizes rejects it")
    assert not problems, "\n".join(problems)


def _one(shape: tuple[int | None, ...]) -> tuple[int, ...]:
    """A batch of one of this (fully known) shape."""
    sizes = shape[1:]
    assert None not in sizes, shape
    return (1, *(n for n in sizes if n is not None))


def _accepts(model: cs.Model, shape: tuple[int | None, ...]) -> bool:
    """``input_sizes`` of ``model`` takes every spatial size of ``shape``."""
    sizes = [n for n in shape[1:-1] if n is not None]
    found = cs.input_sizes(model, range(1, max(sizes) + 1))
    return all(n in axis for n, axis in zip(shape[1:-1], found.axes, strict=True) if n)


# -- 3. properties ----------------------------------------------------------------

unets = st.builds(
    lambda depth, valid, down, up, kernel, down_kernel, up_kernel, resample: UNet(
        depth=depth,
        padding="valid" if valid else "same",
        kernel=kernel,
        down=down,
        down_kernel=down_kernel,
        up=up,
        up_kernel=up_kernel,
        resample_padding=resample,
        crop=valid,
        filters=1,
    ),
    st.integers(1, 4),
    st.booleans(),
    st.sampled_from(["pool", "strided"]),
    st.sampled_from(["transpose", "upsample"]),
    st.integers(2, 4),
    st.integers(2, 4),
    st.integers(2, 4),
    st.sampled_from(["same", "valid"]),
)


def _expected_nearest(axis: cs.AxisSizes, n: int) -> tuple[int | None, int | None]:
    below = max((v for v in axis.values if v <= n), default=None)
    above = min((v for v in axis.values if v >= n), default=None)
    if above is None and axis.period is not None and axis.offsets is not None:
        smallest = axis.smallest or 0
        above = next(
            m
            for m in range(max(n, smallest), max(n, smallest) + axis.period)
            if m % axis.period in axis.offsets
        )
    return below, above


@settings(max_examples=30, deadline=None, database=None)
@given(config=unets, top=st.integers(20, 500), data=st.data())
def test_closed_form_nearest_and_sub_ranges(config: UNet, top: int, data: st.DataObject) -> None:
    model = build_unet(CONVSHAPE, (None, None, 1), config)
    found = cs.input_sizes(model, range(1, top))
    start = data.draw(st.integers(1, top - 2), label="start")
    stop = data.draw(st.integers(start + 1, top), label="stop")
    part = cs.input_sizes(model, range(start, stop))
    beyond = cs.input_sizes(model, range(1, 2 * top)).axes
    for axis, sub, longer in zip(found.axes, part.axes, beyond, strict=True):
        ORACLE_COUNTS["keras sizes properties (axes)"] += 1
        values = set(axis.values)
        assert axis.smallest == (min(values) if values else None)
        if axis.period is not None:
            assert axis.offsets is not None
            assert axis.smallest is not None
            for n in axis.tried:
                closed = n >= axis.smallest and n % axis.period in axis.offsets
                assert closed == (n in values), (n, axis)
                assert (n in axis) == closed
            # The closed form holds beyond the tried range (what ``in`` answers there).
            assert [n for n in range(top, 2 * top) if n in axis] == [
                n for n in longer.values if n >= top
            ], axis
        for n in data.draw(st.lists(st.integers(1, top + 40), max_size=8), label="probes"):
            assert axis.nearest(n) == _expected_nearest(axis, n), (n, axis)
        window = range(start, stop)
        assert sub.values == tuple(n for n in axis.values if n in window)
        assert sub.failures == {n: f for n, f in axis.failures.items() if n in window}
        assert sub.output_lengths == {n: m for n, m in axis.output_lengths.items() if n in window}
    # diagnose and input_sizes agree on square inputs (the probe size among them).
    height, width = found.axes
    for n in {config.probe_size(), *data.draw(st.lists(st.integers(1, top - 1), max_size=3))}:
        if n >= top:
            continue
        diagnosis = cs.diagnose(model, (None, n, n, 1))
        ORACLE_COUNTS["keras sizes properties (diagnose vs input_sizes)"] += 1
        expected = height.failures.get(n) or width.failures.get(n)
        assert (diagnosis.layer if diagnosis else None) == expected, n


# -- 4. the README's question -----------------------------------------------------


def test_readme_unet_at_358(
    keras: ModuleType, np: ModuleType, tf_errors: tuple[type[BaseException], ...]
) -> None:
    entry = README_MODEL
    assert isinstance(entry.config, UNet)
    found = cs.diagnose(_convshape_model(entry.name), (None, 358, 358, 1))
    assert found is not None
    failed, _ = keras_walk(keras, _keras_model(entry.name), (1, 358, 358, 1))
    assert found.layer == failed == "up2_concat"
    assert {shape[1] for shape in found.shapes} == {88, 89}
    assert {shape[2] for shape in found.shapes} == {88, 89}
    assert cs.input_sizes(_convshape_model(entry.name)).axes[0].nearest(358) == (352, 368)
    assert keras_runs(np, tf_errors, _keras_model(entry.name), (1, 358, 358, 1)) is None
    # Built for 358x358, Keras itself stops at the same merge with the same shapes.
    with pytest.raises(ValueError, match=r"matching shapes.*\(None, 89, 89, 2\), \(None, 88, 88"):
        build_unet(keras, (358, 358, 1), entry.config)
    ORACLE_COUNTS["keras sizes README question"] += 1

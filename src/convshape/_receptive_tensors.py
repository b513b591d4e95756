"""A tensor's receptive fields while a model is folded: the *origin* its positions are
counted from and, per spatial axis, its :class:`~convshape._receptive_spans.AxisSpans`
(or the whole origin), with what every framework's layers do to them alike: a map per
axis, the whole origin, a new origin where spatial axes appear, and merges.

The rules (origins, merges of paths from other origins, broadcasting) are those of
``convshape.receptive``'s documentation.

>>> from convshape._receptive_spans import window
>>> state = origin_state("input", (None, 8, 1), keras_axes((None, 8, 1)))
>>> state.mapped({1: window(3, 2, 1, 0)}).axes[1].at(1)  # kernel 3, stride 2: 2 .. 4
(2, 4)
"""

from __future__ import annotations

from dataclasses import dataclass

from ._geometry import Shape
from ._receptive_spans import BROADCAST, AxisSpans, PositionMap, apply, fresh, union

__all__ = [
    "Origin",
    "TensorState",
    "keras_axes",
    "merge",
    "new_origin",
    "origin_state",
    "torch_axes",
]


@dataclass(frozen=True)
class Origin:
    """The tensor whose positions the fields count."""

    name: str
    #: The origin's length along each of its spatial axes.
    lengths: dict[int, int | None]
    #: The origins this one depends on as a whole (the tensor it was made from did).
    within: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TensorState:
    """A tensor's fields: its origin and, per spatial axis, its spans."""

    origin: Origin
    #: Per spatial axis of the tensor (the origin's axis of the same index), the fields;
    #: None for the whole origin along that axis. None: no spatial structure left.
    axes: dict[int, AxisSpans | None] | None

    def whole(self) -> TensorState:
        return TensorState(self.origin, None)

    def mapped(
        self, maps: dict[int, PositionMap], placed: dict[int, bool] | None = None
    ) -> TensorState:
        if self.axes is None:
            return self
        axes = dict(self.axes)
        for axis, mapping in maps.items():
            if axis not in axes:
                return self.whole()
            axes[axis] = apply(axes[axis], mapping, placed=(placed or {}).get(axis, True))
        return TensorState(self.origin, axes)


def origin_state(
    name: str, shape: Shape, axes: range, within: frozenset[str] = frozenset()
) -> TensorState:
    """A new origin: each position its own field."""
    origin = Origin(name, {axis: shape[axis] for axis in axes}, within)
    if not axes:
        return TensorState(origin, None)
    return TensorState(origin, {axis: fresh() for axis in axes})


def keras_axes(shape: Shape, layout: str = "channels_last") -> range:
    """Spatial axes of a Keras tensor: between the batch and the channels (after both for
    a channels_first model)."""
    return range(1, len(shape) - 1) if layout == "channels_last" else range(2, len(shape))


def torch_axes(shape: Shape) -> range:
    """Spatial axes of an NCHW tensor: after the batch and the channels."""
    return range(2, len(shape))


def new_origin(name: str, state: TensorState, shape: Shape, axes: range) -> TensorState:
    """A layer made spatial axes out of a tensor without any: its output is the origin."""
    within = state.origin.within | {state.origin.name}
    return origin_state(name, shape, axes, within)


def merge(states: list[TensorState], shapes: list[Shape], out: Shape, axes: range) -> TensorState:
    """Elementwise merges (broadcasting) and channel concatenation: fields joined."""
    reference = states[0].origin
    parts: list[dict[int, AxisSpans | None]] = []
    whole = False
    for state, shape in zip(states, shapes, strict=True):
        if state.origin.name != reference.name:
            whole = whole or reference.name in state.origin.within
            continue
        if state.axes is None or len(shape) != len(out):
            whole = whole or state.axes is None or bool(axes)
            continue
        fields = dict(state.axes)
        for axis in axes:
            if axis in fields and shape[axis] == 1 and out[axis] != 1:
                fields[axis] = apply(fields[axis], BROADCAST)
        parts.append(fields)
    if whole or not parts or any(set(part) != set(axes) for part in parts):
        return states[0].whole()
    return TensorState(reference, {axis: union([part[axis] for part in parts]) for axis in axes})

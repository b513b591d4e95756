"""How counts, byte sizes and shapes are written: "3 layers", "8.89 MB", "(None, 7, 7, 256)".

Part of the renderers (:mod:`convshape._render`); the analyses' texts use the same words.
"""

from __future__ import annotations

__all__ = ["counted", "format_shape", "readable_memory_size"]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, the noun in the plural unless the count is 1.

    >>> counted(1, "layer"), counted(3, "layer"), counted(0, "zero", "zeros")
    ('1 layer', '3 layers', '0 zeros')
    """
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"


def readable_memory_size(size: float) -> str:
    """Bytes as Keras prints them.

    >>> readable_memory_size(2330944 * 4)
    '8.89 MB'
    >>> readable_memory_size(25472 * 4)
    '99.50 KB'
    """
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def format_shape(shape: object) -> str:
    """A shape as Keras's summary writes it; "?" when unknown; several outputs as Keras
    writes their structure.

    >>> format_shape((None, 7, 7, 256))
    '(None, 7, 7, 256)'
    >>> format_shape([(None, 3), (None, 4)])
    '[(None, 3), (None, 4)]'
    """
    if shape is None:
        return "?"
    if isinstance(shape, tuple):
        return f"({', '.join(str(dim) for dim in shape)})"
    texts = _shape_texts(shape)
    if not isinstance(texts, str) and len(_leaves(texts)) == 1:
        return str(_leaves(texts)[0])
    return str(texts).replace("'", "")


def _shape_texts(shapes: object) -> object:
    if isinstance(shapes, dict):
        return {key: _shape_texts(value) for key, value in shapes.items()}
    if isinstance(shapes, list):
        return [_shape_texts(value) for value in shapes]
    return format_shape(shapes)


def _leaves(texts: object) -> list[object]:
    if isinstance(texts, dict):
        return [leaf for key in sorted(texts) for leaf in _leaves(texts[key])]
    if isinstance(texts, list):
        return [leaf for value in texts for leaf in _leaves(value)]
    return [texts]

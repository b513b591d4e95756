"""The exceptions and warnings convshape raises.

Every rejected argument raises :class:`ConvShapeError` (a :class:`ValueError`)
or :class:`TypeError`. The message names the argument, the rule and what was
received; the same facts are kept as attributes for programs that catch it.

>>> import convshape as cs
>>> try:
...     cs.conv_output_length(3, kernel_size=5)
... except cs.EmptyOutputError as error:
...     print(error.argument)
size
"""

from __future__ import annotations

__all__ = ["ConvShapeError", "ConvShapeWarning", "EmptyOutputError"]


class ConvShapeError(ValueError):
    """An argument has the right type but a value no framework accepts.

    ``argument`` names the offending argument, ``received`` maps each argument
    the rule involves to the value the caller passed.

    >>> error = ConvShapeError("`stride` must be at least 1", argument="stride",
    ...                        received={"stride": 0})
    >>> str(error)
    '`stride` must be at least 1. Received: stride=0'
    >>> isinstance(error, ValueError)
    True
    """

    def __init__(
        self,
        rule: str,
        *,
        argument: str | None = None,
        received: dict[str, object] | None = None,
    ) -> None:
        self.rule = rule
        self.argument = argument
        self.received: dict[str, object] = dict(received or {})
        message = rule
        if self.received:
            values = ", ".join(f"{name}={value!r}" for name, value in self.received.items())
            message = f"{rule}. Received: {values}"
        super().__init__(message)


class EmptyOutputError(ConvShapeError):
    """The configuration would produce an empty or negative output length.

    >>> issubclass(EmptyOutputError, ConvShapeError)
    True
    """


class ConvShapeWarning(UserWarning):
    """A configuration a framework accepts on paper but fails on at run time.

    >>> issubclass(ConvShapeWarning, UserWarning)
    True
    """

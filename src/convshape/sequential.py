"""``convshape.sequential.Sequential``, kept where earlier releases had it; the model
lives in :mod:`convshape.models`."""

from __future__ import annotations

from .models.sequential import Sequential

__all__ = ["Sequential"]

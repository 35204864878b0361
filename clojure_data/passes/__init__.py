"""Sanitizer passes. Each module registers its pass with ``@register_pass``; see ``base.Pass``."""

from .base import CHANGED, KEEP, Outcome, Pass, PassConfig, drop

__all__ = ["CHANGED", "KEEP", "Outcome", "Pass", "PassConfig", "drop"]

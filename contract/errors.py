"""The base of every error a user may see: bad input, a missing file, an unreachable Neo4j.

Each layer subclasses :class:`OncoKGError` for its own failures; the CLI catches this one base
and prints its message as one line. Anything else escaping is a bug and keeps its traceback.
"""

from __future__ import annotations


class OncoKGError(Exception):
    """An expected failure whose message, alone, tells the user what went wrong."""


class UnknownSettingError(OncoKGError, ValueError):
    """A setting names something OncoKG does not have (a model, decoder, baseline, option)."""

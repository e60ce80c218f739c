"""The one error type of the query layer."""

from __future__ import annotations

from oncokg.contract.errors import OncoKGError


class QueryError(OncoKGError, ValueError):
    """A query cannot be run: unknown name, bad parameter, syntax error, a write, a timeout.

    The message is the whole story, written for the person who typed the query.
    """

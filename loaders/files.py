"""What a source declares about its files, and the error every loader raises on bad input."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oncokg.contract.errors import OncoKGError


class SourceError(OncoKGError):
    """A source file is missing, malformed, truncated or not what the loader expects.

    The message names the file and, where it is known, the line.
    """

    def __init__(self, message: str, file: str | Path | None = None,
                 line: int | None = None) -> None:
        self.file = None if file is None else str(file)
        self.line = line
        where = ""
        if file is not None:
            where = f"{file}" + (f", line {line}" if line is not None else "") + ": "
        super().__init__(where + message)
        self._parts = (message, self.file, line)

    def __reduce__(self):
        """Pickled with its parts (a source parsed in another process raises it here)."""
        return type(self), self._parts


@dataclass(frozen=True)
class SourceFile:
    """One file of a source: where it sits in a data dir and where it is downloaded from.

    ``path`` is relative to a data dir laid out like the reference data
    (``gdsc_v17/IC50_v17.csv.gz``) and is also the file's place in the download cache.
    ``member`` names the file inside a zip or tar archive when ``url`` is an archive.
    ``sha256`` pins the expected checksum of the (extracted) file when it is known.
    """

    path: str
    url: str
    member: str | None = None
    sha256: str | None = None

"""The licences sources come under, declared once.

Each source (``loaders.SOURCES``) names one of these ids; loading a source records its
provenance tag (``name:release``) with that licence id in the graph as a ``Source`` node, so
every node and relationship traces to its sources' licences through its ``sources`` list. An id
is the SPDX identifier where one exists, else a short name with the terms' URL. ``open`` marks
licences that allow commercial use and redistribution (the ``--open`` preset).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from oncokg.contract.errors import OncoKGError


@dataclass(frozen=True)
class Licence:
    """A licence: its id (SPDX where one exists), a name, the terms' URL, whether it is open."""

    id: str
    name: str
    url: str
    open: bool
    spdx: bool = True


#: The licence of a provenance tag no ``Source`` node describes (a graph loaded before
#: licences were recorded, or a tag no source declares).
UNKNOWN = "unknown"

LICENCES: dict[str, Licence] = {lic.id: lic for lic in (
    Licence("CC0-1.0", "Creative Commons Zero 1.0",
            "https://creativecommons.org/publicdomain/zero/1.0/", True),
    Licence("CC-BY-4.0", "Creative Commons Attribution 4.0",
            "https://creativecommons.org/licenses/by/4.0/", True),
    Licence("MIT", "MIT License", "https://opensource.org/license/mit", True),
    Licence("Apache-2.0", "Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0",
            True),
    Licence("CC-BY-NC-4.0", "Creative Commons Attribution-NonCommercial 4.0",
            "https://creativecommons.org/licenses/by-nc/4.0/", False),
    Licence("GDSC-terms", "GDSC terms of use (academic use; commercial use by agreement)",
            "https://www.cancerrxgene.org/", False, spdx=False),
    Licence(UNKNOWN, "no licence stated", "", False, spdx=False),
)}

#: Presets that stand for several licence ids wherever licences are named.
LICENCE_PRESETS: dict[str, tuple[str, ...]] = {
    "open": tuple(lic.id for lic in LICENCES.values() if lic.open),
}


class LicenceError(OncoKGError, ValueError):
    """A licence id or preset nobody declared."""


def licence(licence_id: str) -> Licence:
    """The declared licence ``licence_id``, or ``LicenceError`` naming it."""
    try:
        return LICENCES[licence_id]
    except KeyError:
        raise LicenceError(f"unknown licence {licence_id!r}; known: {', '.join(LICENCES)}; "
                           f"presets: {', '.join(LICENCE_PRESETS)}") from None


def parse_licences(names: Iterable[str]) -> tuple[str, ...]:
    """Licence ids (comma-separated lists and presets expanded), in order, each once."""
    chosen: list[str] = []
    for text in names:
        for name in (part.strip() for part in str(text).split(",")):
            if not name:
                continue
            members = LICENCE_PRESETS.get(name) or (licence(name).id,)
            chosen += [m for m in members if m not in chosen]
    return tuple(chosen)

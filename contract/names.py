"""One way to turn what a user typed into a node: the name normalizer and a tiered index.

Drug names arrive as ``AZD-6244``, ``azd6244``, ``Selumetinib ``, ``Imatinib Mesylate`` or
``Erlotinib hydrochloride``. :func:`normalize_name` folds case, accents and punctuation, and
:func:`strip_salt` drops a trailing salt or hydrate word; :class:`NameIndex` looks a text up by
key, then by name, then by synonym, then by the salt-free form, and reports a text that two
nodes share at the first tier it reaches as ambiguous instead of picking one. The loaders'
drug resolver, the query runner and ``Predictor`` all resolve names through this module.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from oncokg.contract.errors import OncoKGError

SALT_WORDS = (
    "hydrochloride", "dihydrochloride", "hcl", "mesylate", "dimesylate", "mesilate",
    "maleate", "malate", "tosylate", "ditosylate", "besylate", "sulfate", "sulphate",
    "phosphate", "diphosphate", "citrate", "tartrate", "bitartrate", "acetate", "sodium",
    "disodium", "potassium", "calcium", "fumarate", "succinate", "bromide", "chloride",
    "hydrobromide", "lactate", "trihydrate", "monohydrate", "dihydrate", "hydrate",
    "free base", "freebase",
)
_SALT = re.compile(r"\s+(?:" + "|".join(SALT_WORDS) + r")\s*$", re.IGNORECASE)

#: Indexed tiers; a text is tried as a key, a name, a synonym, then (without a salt word)
#: as a name or synonym again.
TIERS = ("key", "name", "synonym")

Item = TypeVar("Item", bound=Hashable)


class NameNotFound(OncoKGError, LookupError):
    """No node of the label carries this key, name or synonym."""


class AmbiguousName(OncoKGError, LookupError):
    """Several nodes share this name; the message lists them."""


def normalize_name(name: str) -> str:
    """Matching form of a name: case- and accent-folded letters and digits only."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def strip_salt(name: str) -> str:
    """The name without a trailing salt/hydrate word (``Imatinib Mesylate`` → ``Imatinib``)."""
    previous = None
    while previous != name:
        previous, name = name, _SALT.sub("", name)
    return name


def name_forms(names: Iterable[str | None]) -> list[str]:
    """The normalized forms of some names, sorted and without duplicates.

    Stored on ``Drug`` nodes as ``name_forms`` (of the name and synonyms) so that a lookup can
    find the candidates for a typed text, in any spelling, with one indexed-free scan.
    """
    return sorted({normalize_name(n) for n in names if n and str(n).strip()} - {""})


def text_forms(text: str) -> list[str]:
    """The forms a typed text is looked up under: normalized, and without a salt word."""
    text = str(text).strip()
    return sorted({normalize_name(text), normalize_name(strip_salt(text))} - {""})


@dataclass(frozen=True)
class NameMatch(Generic[Item]):
    """The result of a lookup: the item, the tier that found it, or why none was found."""

    item: Item | None
    status: str  # key | name | synonym | salt | ambiguous | unknown
    candidates: tuple[Item, ...] = ()

    @property
    def ok(self) -> bool:
        return self.item is not None


class NameIndex(Generic[Item]):
    """Items looked up by key (exact, any case), then name, synonym, and salt-free name/synonym.

    ``noun`` names the items in error messages (``"drug"``, ``"cell line"``).
    """

    def __init__(self, noun: str = "name") -> None:
        self.noun = noun
        self._tiers: dict[str, dict[str, set]] = {tier: defaultdict(set) for tier in TIERS}

    def add(self, item: Item, *, key: str | None = None, names: Iterable[str | None] = (),
            synonyms: Iterable[str | None] = ()) -> None:
        """Index ``item`` under its key, names and synonyms."""
        if key:
            self._tiers["key"][str(key).strip().casefold()].add(item)
        for tier, texts in (("name", names), ("synonym", synonyms)):
            for text in texts:
                if text and str(text).strip():
                    self._tiers[tier][normalize_name(text)].add(item)
        for tier in ("name", "synonym"):
            self._tiers[tier].pop("", None)

    def match(self, text: str | None) -> NameMatch[Item]:
        """The item ``text`` names, the tier that found it, or ``ambiguous``/``unknown``."""
        if text is None or not str(text).strip():
            return NameMatch(None, "unknown")
        text = str(text).strip()
        norm, stripped = normalize_name(text), normalize_name(strip_salt(text))
        lookups = [("key", self._tiers["key"].get(text.casefold())),
                   ("name", self._tiers["name"].get(norm)),
                   ("synonym", self._tiers["synonym"].get(norm))]
        if stripped != norm:
            lookups.append(("salt", self._tiers["name"].get(stripped)
                            or self._tiers["synonym"].get(stripped)))
        for tier, found in lookups:
            if found:
                if len(found) == 1:
                    return NameMatch(next(iter(found)), tier)
                return NameMatch(None, "ambiguous", tuple(sorted(found, key=str)))
        return NameMatch(None, "unknown")

    def resolve(self, text: str | None) -> Item:
        """The item ``text`` names; :class:`NameNotFound` or :class:`AmbiguousName` if none."""
        found = self.match(text)
        if found.ok:
            return found.item
        if found.status == "ambiguous":
            shown = ", ".join(map(str, found.candidates[:6]))
            more = f" and {len(found.candidates) - 6} more" if len(found.candidates) > 6 else ""
            raise AmbiguousName(f"ambiguous {self.noun} {text!r}: it names {shown}{more}; "
                                "use the key")
        raise NameNotFound(f"unknown {self.noun} {text!r} (no key, name or synonym matches)")

"""Normalization report: what a loader read, loaded, merged and dropped, and why.

Nothing a loader drops is silent: every dropped or ambiguous identifier is recorded here with
its reason (and the file and line where it came from when that is known). The report is
written next to a load as JSON or TSV and summarised in a few lines for the CLI.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Issue kinds. ``dropped``: the row or identifier did not make it into the tables.
#: ``ambiguous``: an identifier matched several candidates and was not guessed (also dropped).
#: ``merged``: several input identifiers became one graph key (kept, for the record).
#: ``note``: a correction or a choice worth knowing (kept).
ISSUE_KINDS = ("dropped", "ambiguous", "merged", "note")


@dataclass(frozen=True)
class Issue:
    """One reported identifier."""

    kind: str
    reason: str
    identifier: str
    file: str | None = None
    line: int | None = None


@dataclass
class Report:
    """Counts and issues for one load of one source."""

    source: str
    release: str
    rows_read: dict[str, int] = field(default_factory=dict)
    loaded: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    # -- recording ---------------------------------------------------------------------------
    def read(self, file: str, rows: int) -> None:
        """Record that ``rows`` data rows were read from ``file`` (adds up over calls)."""
        self.rows_read[file] = self.rows_read.get(file, 0) + rows

    def drop(self, reason: str, identifier: object, file: str | None = None,
             line: int | None = None) -> None:
        """Record an identifier that was left out, and why."""
        self._add("dropped", reason, identifier, file, line)

    def ambiguous(self, reason: str, identifier: object, file: str | None = None,
                  line: int | None = None) -> None:
        """Record an identifier that matched several candidates and was not guessed."""
        self._add("ambiguous", reason, identifier, file, line)

    def merged(self, reason: str, identifier: object, file: str | None = None,
               line: int | None = None) -> None:
        """Record input identifiers that were merged into one graph key."""
        self._add("merged", reason, identifier, file, line)

    def note(self, reason: str, identifier: object, file: str | None = None,
             line: int | None = None) -> None:
        """Record a correction or documented choice that kept the row."""
        self._add("note", reason, identifier, file, line)

    def _add(self, kind: str, reason: str, identifier: object, file: str | None,
             line: int | None) -> None:
        self.issues.append(Issue(kind, reason, str(identifier), file, line))

    # -- reading -----------------------------------------------------------------------------
    def count(self, kind: str) -> int:
        """Number of issues of one kind."""
        return sum(1 for issue in self.issues if issue.kind == kind)

    @property
    def dropped(self) -> int:
        """Identifiers left out (dropped or ambiguous)."""
        return self.count("dropped") + self.count("ambiguous")

    def reasons(self, kind: str | None = None) -> Counter[str]:
        """Issue counts per reason, optionally for one kind only."""
        return Counter(i.reason for i in self.issues if kind is None or i.kind == kind)

    def identifiers(self, reason: str) -> list[str]:
        """The identifiers reported with one reason, in report order."""
        return [i.identifier for i in self.issues if i.reason == reason]

    def summary(self, top: int = 5) -> str:
        """A few human-readable lines: rows in, tables out, the main reasons for drops."""
        lines = [
            f"{self.source} {self.release}: read {sum(self.rows_read.values())} rows from "
            f"{len(self.rows_read)} file(s); loaded "
            + ", ".join(f"{n} {name}" for name, n in self.loaded.items())
        ]
        merged, notes = self.count("merged"), self.count("note")
        lines.append(f"  dropped {self.count('dropped')}, ambiguous {self.count('ambiguous')}, "
                     f"merged {merged}, notes {notes}")
        for kind in ("dropped", "ambiguous"):
            for reason, n in self.reasons(kind).most_common(top):
                lines.append(f"  {kind}: {n} × {reason}")
        return "\n".join(lines)

    # -- writing -----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-ready dict of counts and issues."""
        return {
            "source": self.source,
            "release": self.release,
            "rows_read": dict(self.rows_read),
            "loaded": dict(self.loaded),
            "counts": {kind: self.count(kind) for kind in ISSUE_KINDS},
            "reasons": {kind: dict(sorted(self.reasons(kind).items())) for kind in ISSUE_KINDS},
            "issues": [asdict(i) for i in self.issues],
        }

    def write(self, path: str | Path) -> Path:
        """Write the report as JSON (``.json``) or as a TSV of issues (any other suffix)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".json":
            path.write_text(json.dumps(self.to_dict(), indent=1, sort_keys=False) + "\n",
                            encoding="utf-8")
            return path
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
            writer.writerow(["source", "release", "kind", "reason", "identifier", "file", "line"])
            for i in self.issues:
                writer.writerow([self.source, self.release, i.kind, i.reason, i.identifier,
                                 i.file or "", "" if i.line is None else i.line])
        return path

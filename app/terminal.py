"""Whether progress bars may be drawn: only on a terminal, so a log gets plain lines."""

from __future__ import annotations

import sys


def progress_bars() -> bool:
    """True when stderr (where the bars go) is a terminal; a redirected run prints no
    carriage-return bars."""
    return sys.stderr.isatty()

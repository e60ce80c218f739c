"""The CPU threads the learning code may use: one budget for torch, LightGBM and ALS fits.

The default, at most 2, is the project's machine size. The benchmark runs several trainings
side by side in worker processes with one thread each (``bench.bench_gnn --jobs``).
"""

from __future__ import annotations

import os

import torch

_budget: int | None = None


def set_threads(n: int | None = None) -> None:
    """Use ``n`` CPU threads from now on (default: at most 2)."""
    global _budget
    _budget = n
    torch.set_num_threads(cpu_threads())


def cpu_threads() -> int:
    """The thread budget set by :func:`set_threads` (at most 2 unless set)."""
    return _budget or min(2, os.cpu_count() or 1)

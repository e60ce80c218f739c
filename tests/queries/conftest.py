"""Fixtures for the query tests: the small hand-made graph, and graph snapshots."""

from __future__ import annotations

import pytest

from tests.queries.smallgraph import write_small_graph


@pytest.fixture
def small_graph(empty_graph):
    """The small graph of ``smallgraph.py`` in the emptied test database."""
    write_small_graph(empty_graph)
    return empty_graph

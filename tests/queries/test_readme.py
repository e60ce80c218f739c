"""The README's query examples run as written, and its table lists every curated query."""

from __future__ import annotations

import re
import shlex
import warnings

import pandas as pd
import pytest
from click.testing import CliRunner

from oncokg import queries
from oncokg.app.cli import main
from tests.conftest import REPO

FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def queries_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Queries\n(.*?)(?=^## |\Z)", readme, re.S | re.M)
    assert match, "README.md has no '## Queries' section"
    return match.group(0)


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(queries_section()) if lang == language]


def test_the_table_lists_every_query():
    listed = re.findall(r"^\| `(\w+)` \|", queries_section(), re.M)
    assert sorted(listed) == sorted(queries.library())


def test_python_examples_run(loaded_graph):
    code = blocks("python")
    assert code, "no python example in the README's query section"
    for snippet in code:
        namespace: dict = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", queries.TruncatedWarning)
            exec(compile(snippet, "README.md", "exec"), namespace)
        frames = [v for v in namespace.values() if isinstance(v, pd.DataFrame)]
        assert frames and all(not f.empty for f in frames)


def command_lines() -> list[str]:
    lines = []
    for body in blocks("sh"):
        for line in body.replace("\\\n", " ").splitlines():
            if re.match(r"oncokg (query|cypher)\b", line.strip()):
                lines.append(line.strip())
    return lines


@pytest.mark.parametrize("line", command_lines())
def test_command_line_examples_run(loaded_graph, line):
    args = shlex.split(line)[1:]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() and "(no rows)" not in result.stdout


def test_the_refusal_shown_is_the_real_message(loaded_graph):
    shown = [body for lang, body in FENCE.findall(queries_section()) if lang == "text"]
    command, expected = shown[0].splitlines()[:2]
    result = CliRunner().invoke(main, shlex.split(command.removeprefix("$ "))[1:])
    assert result.exit_code == 1 and result.stderr.strip() == expected

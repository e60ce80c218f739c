"""Strict readers for the file formats the sources ship: delimited text, GMT, JSON, XLS.

Every reader turns a problem into a ``SourceError`` that names the file and, where it can,
the line: a row with the wrong number of fields, a missing column, a file that is not
tab/comma separated as declared, bytes that are not UTF-8, a truncated or corrupt gzip.
pandas' own CSV parser silently pads short rows, so delimited files are parsed with the
``csv`` module and every row's field count is checked.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import pickle
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import torch
import xlrd

from oncokg.loaders.files import SourceError

csv.field_size_limit(1 << 27)

#: Column added by the readers: the row's line number in its file.
LINE = "src_line"
#: The longest field a delimited file may hold (characters); the longest in the reference data
#: is a CIViC evidence statement of 2,215.
MAX_FIELD = 32_768


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when the name ends in ``.gz``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file ({exc.strerror or exc})", path) from exc
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise SourceError(f"corrupt or truncated gzip file ({exc})", path) from exc
    return data


def read_text(path: Path) -> str:
    """The file decoded as UTF-8 (a BOM is accepted); undecodable bytes are an error."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}; "
            "wrong encoding?", path, line) from exc


#: The only globals a data pickle may name: how torch rebuilds a tensor, and an ordered dict.
#: ``torch.storage._load_from_bytes`` is answered by :func:`_storage_from_bytes`, which reads
#: the storage with ``weights_only=True`` (torch's own would run any pickled code).
_PICKLE_GLOBALS = {("torch._utils", "_rebuild_tensor_v2"), ("collections", "OrderedDict")}


def _storage_from_bytes(data: bytes) -> object:
    return torch.load(io.BytesIO(data), weights_only=True)


class _DataUnpickler(pickle.Unpickler):
    """Unpickles plain data and tensors only; any other global is refused before it runs."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) == ("torch.storage", "_load_from_bytes"):
            return _storage_from_bytes
        if (module, name) in _PICKLE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused to load {module}.{name}: a data pickle may hold "
                                     "only tensors, lists, dicts, numbers and strings")


def read_pickle(path: Path) -> Any:
    """A pickle of plain data (dicts, lists, numbers, strings, torch tensors), read with an
    allow-list: a pickle that names any other callable is refused and never runs."""
    data = read_bytes(path)
    try:
        return _DataUnpickler(io.BytesIO(data)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            RuntimeError) as exc:
        raise SourceError(f"not a safe data pickle ({exc})", path) from None


def read_delimited(path: Path, *, sep: str, required: Iterable[str] = (),
                   columns: list[str] | None = None, quoting: int = csv.QUOTE_MINIMAL,
                   skip_comments: bool = False) -> pd.DataFrame:
    """Read a delimited text file into a DataFrame of strings (blank cells are None).

    The extra column ``LINE`` holds each row's line number in the file, for reports.
    With ``columns`` the file has no header and those are its column names. Every data row
    must have exactly as many fields as the header; ``required`` columns must be present; a
    file with a header and no data row is an error (a truncated download, not an empty source).
    """
    rows = iter_delimited(path, sep=sep, required=required, columns=columns,
                          quoting=quoting, skip_comments=skip_comments)
    _, header = next(rows)
    lines, body = [], []
    for line, fields in rows:
        lines.append(line)
        body.append([cell if cell != "" else None for cell in fields])
    if not body:
        raise SourceError("has a header but no data rows (truncated?)", path)
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame[LINE] = lines
    return frame


def iter_delimited(path: Path, *, sep: str, required: Iterable[str] = (),
                   columns: list[str] | None = None, quoting: int = csv.QUOTE_MINIMAL,
                   skip_comments: bool = False) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, fields)``: first the header (line 0 when given as ``columns``).

    Raises ``SourceError`` for a missing column or a row with the wrong field count. A record
    that spans several lines (a quote opened and closed lines later) is reported from the line
    it starts on, where a stray quote would be.
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quoting=quoting)
    kind = {"\t": "tab", ",": "comma"}.get(sep, repr(sep))
    header: list[str] | None = None
    if columns is not None:
        header = list(columns)
        yield 0, header
    ended = 0

    def where(start: int, end: int) -> tuple[str, int]:
        if end > start:
            return (f" (the record runs from line {start} to line {end}: "
                    f"an unclosed quote on line {start}?)", start)
        return "", end

    try:
        for fields in reader:
            start, line, ended = ended + 1, reader.line_num, reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if skip_comments and fields[0].startswith("#"):
                continue
            if header is None:
                header = [name.strip() for name in fields]
                missing = [c for c in required if c not in header]
                if missing:
                    hint = ""
                    if len(header) == 1:
                        hint = f" (the header has a single column: is the file {kind}-separated?)"
                    raise SourceError(
                        f"missing column(s) {missing}; found {header[:12]}"
                        f"{' …' if len(header) > 12 else ''}{hint}", path, line)
                yield line, header
                continue
            if len(fields) != len(header):
                hint, at = where(start, line)
                raise SourceError(
                    f"malformed row: expected {len(header)} {kind}-separated fields, "
                    f"found {len(fields)}{hint}", path, at)
            long = next((i for i, cell in enumerate(fields) if len(cell) > MAX_FIELD), None)
            if long is not None:
                raise SourceError(
                    f"field {header[long]!r} holds {len(fields[long]):,} characters, more than "
                    f"the {MAX_FIELD:,} any field of a source may hold", path, line)
            yield line, fields
    except csv.Error as exc:
        hint, at = where(ended + 1, reader.line_num)
        raise SourceError(f"unparseable row ({exc}){hint}", path, at) from exc
    if header is None:
        raise SourceError("file is empty", path)


def read_gmt(path: Path) -> list[tuple[int, str, str, list[str]]]:
    """Read a GMT gene-set file: ``(line, name, description, genes)`` per set."""
    sets = []
    for number, raw in enumerate(read_text(path).splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 3 or not fields[0].strip() or not fields[1].strip():
            raise SourceError(
                f"malformed GMT line: expected name<TAB>description<TAB>genes…, "
                f"found {len(fields)} tab-separated field(s)", path, number)
        genes = [g.strip() for g in fields[2:] if g.strip()]
        sets.append((number, fields[0].strip(), fields[1].strip(), genes))
    if not sets:
        raise SourceError("file has no gene sets", path)
    return sets


def read_json(path: Path) -> Any:
    """Parse a JSON file; syntax errors name the line and column."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"invalid JSON: {exc.msg} (column {exc.colno})", path,
                          exc.lineno) from exc


def read_xls_sheets(path: Path, required: dict[str, Iterable[str]]) -> dict[str, pd.DataFrame]:
    """Read named sheets of a legacy ``.xls`` workbook (first row = header) as strings.

    ``required`` maps sheet name to the columns it must have. Cell values keep their text
    form; numbers that are whole are written without ``.0``.
    """
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # xlrd raises many types for damaged workbooks
        raise SourceError(f"cannot open Excel workbook ({type(exc).__name__}: {exc})",
                          path) from exc
    frames = {}
    try:
        for name, columns in required.items():
            try:
                sheet = book.sheet_by_name(name)
            except xlrd.XLRDError as exc:
                raise SourceError(f"missing sheet {name!r}; found {book.sheet_names()}",
                                  path) from exc
            if sheet.nrows == 0:
                raise SourceError(f"sheet {name!r} is empty", path)
            header = [_xls_text(v) or "" for v in sheet.row_values(0)]
            missing = [c for c in columns if c not in header]
            if missing:
                raise SourceError(f"sheet {name!r}: missing column(s) {missing}", path, 1)
            body = [[_xls_text(v) for v in sheet.row_values(r)] for r in range(1, sheet.nrows)]
            frame = pd.DataFrame(body, columns=header, dtype=object)
            frame[LINE] = list(range(2, sheet.nrows + 1))
            frames[name] = frame
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(f"cannot read Excel workbook ({type(exc).__name__}: {exc})",
                          path) from exc
    finally:
        book.release_resources()
    return frames


def _xls_text(value: Any) -> str | None:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    return text or None

"""CSV files: bytes to a table of strings, with the physical line number of each row."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from ..errors import DataError
from .formats import check_not_binary, decompressed
from .messages import Rows, describe_source, preview
from .timestamps import mostly_dates
from .values import NA_TOKENS

_DELIMITERS = (",", ";", "\t", "|")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
#: A number with a decimal comma, points (if any) only between thousands: 3,5  -1.234,25  7
_DECIMAL_COMMA = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")


def read_csv(path: str, source: str | None = None) -> tuple[pd.DataFrame, Rows]:
    """Read a CSV file into string columns (missing cells NaN) and its data lines.

    The file is UTF-8 (a BOM is fine); the delimiter is the most frequent of ``,`` ``;``
    tab and ``|`` in the header line; blank lines are skipped. In a file not delimited by
    commas, a column whose every value is a number written with a decimal comma (``3,5``;
    ``1.234,5`` with points between thousands) is read with decimal points, as spreadsheets
    save them in much of Europe (:func:`decimal_points`). Messages name the file by
    ``source`` (default: ``path``), e.g. ``"dataset 'co2'"`` for a shipped dataset.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("date;y\\n\\n2024-01-01;1\\n")
    >>> raw, rows = read_csv(str(path))
    >>> raw.to_dict("list"), rows.at(0)
    ({'date': ['2024-01-01'], 'y': ['1']}, 'line 3')
    """
    source = path if source is None else source
    text = _read_text(path, source)
    lines = text.split("\n")
    header_at = next((i for i, line in enumerate(lines) if line.strip(" \t\r")), None)
    if header_at is None:
        raise DataError(f"{describe_source(source)} is empty (only blank lines). Expected a header line such "
                        f"as 'date,value' followed by data rows.")
    header = lines[header_at].rstrip("\r")
    delimiter = max(_DELIMITERS, key=header.count)  # ties, and none at all: the first, ","
    names = _column_names(header, delimiter, source, header_at + 1)
    _check_header_is_names(names, delimiter, source, header_at + 1)
    _check_delimiter(lines, header_at, delimiter, names, source)
    table = _split_fields(text, delimiter, len(names), source)
    if len(table) <= 1:
        raise DataError(f"{describe_source(source)} has a header but no data rows (columns: {names}). Add "
                        f"at least one row below the header.")
    raw = table.iloc[1:].reset_index(drop=True)
    raw.columns = names
    if names[0] == "" and raw.iloc[:, 0].astype(str).str.strip().tolist() == [str(i) for i in range(len(raw))]:
        raw = raw.iloc[:, 1:]  # pandas' row numbers (to_csv with its index): not data
    if delimiter != ",":
        raw = raw.apply(decimal_points)
    return raw, Rows(source, lines=_data_lines(text, lines, len(raw), delimiter))


def decimal_points(column: pd.Series) -> pd.Series:
    """``column`` with its decimal commas made points, when every present value is a number
    written with a decimal comma (points, if any, only between thousands) and one at least
    has the comma; else ``column`` unchanged (a column mixing ``3,5`` and ``3.5`` stays as
    it is, and its parsing names the cell).

    Examples
    --------
    >>> decimal_points(pd.Series(["3,5", "-1.234,25", None, "7", "NA"])).tolist()
    ['3.5', '-1234.25', None, '7', 'NA']
    >>> decimal_points(pd.Series(["3,5", "3.5"])).tolist()
    ['3,5', '3.5']
    """
    text = column.dropna().astype(str).str.strip()
    text = text[~text.str.lower().isin(NA_TOKENS)]
    if text.empty or not text.str.contains(",", regex=False).any() or not text.str.fullmatch(_DECIMAL_COMMA).all():
        return column
    present = column.notna()
    out = column.copy()
    out[present] = column[present].astype(str).str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return out


def _read_text(path: str, source: str) -> str:
    """Read a file as UTF-8 (BOM allowed), decompressed when compressed (:func:`.formats.decompressed`),
    with clear errors for missing/empty/non-UTF-8 files and for workbooks and Parquet files
    (recognised by their first bytes)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        from ..datasets import CATALOGUE

        hint = (f" {path!r} is the name of a shipped dataset: load it with forecastkit.datasets.load({path!r})."
                if str(path) in CATALOGUE else "")
        raise DataError(f"File not found: {describe_source(source)}. Check the path.{hint}") from None
    except IsADirectoryError:
        raise DataError(f"{describe_source(source)} is a directory, not a CSV file. Pass the path of a "
                        f"file.") from None
    data = decompressed(data, source)
    check_not_binary(data, source)
    if not data.strip():
        raise DataError(f"{describe_source(source)} is empty. Expected a header line such as 'date,value' "
                        f"followed by data rows.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        byte = data[err.start:err.start + 1]
        raise DataError(f"{describe_source(source)} is not valid UTF-8: byte 0x{byte.hex()} at byte offset "
                        f"{err.start} (line {line}) cannot be decoded. Re-save the file as "
                        f"UTF-8.") from None


def _column_names(header: str, delimiter: str, source: str, line: int) -> list[str]:
    """Stripped header names; DataError if a name repeats."""
    names = [name.strip() for name in next(csv.reader([header], delimiter=delimiter))]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise DataError(f"{describe_source(source)} has duplicate column names in its header (line "
                        f"{line}): {duplicated}. Rename the columns so each name is unique.")
    return names


def _check_header_is_names(names: list[str], delimiter: str, source: str, line: int) -> None:
    """DataError if the header line looks like a data row: some cells are timestamps (with
    digits, such as '1949-01-01') and all others numbers, i.e. the file has no header.

    A header of numbers only (e.g. years of a wide file) is left to the column checks.

    Examples
    --------
    >>> _check_header_is_names(["month", "passengers"], ",", "t.csv", 1)
    >>> _check_header_is_names(["1949-01-01", "112"], ",", "t.csv", 1)
    Traceback (most recent call last):
    ...
    forecastkit.errors.DataError: 't.csv' seems to have no header row: every cell of its first line (line 1) reads as a timestamp or a number (['1949-01-01', '112']), so it looks like data rather than column names. Add a first line that names the columns, e.g. 'time,value'.
    """
    numbers = [bool(_NUMBER.fullmatch(name)) for name in names]
    if all(numbers) or not any(numbers):
        return
    for name, number in zip(names, numbers):
        if not number and not (re.search(r"\d", name) and mostly_dates(pd.Series([name]))):
            return
    example = "time" + (delimiter if delimiter != "\t" else "<tab>") + "value"
    raise DataError(f"{describe_source(source)} seems to have no header row: every cell of its "
                    f"first line (line {line}) reads as a timestamp or a number "
                    f"({preview(names, 4)}), so it looks like data rather than column names. "
                    f"Add a first line that names the columns, e.g. {example!r}.")


def _check_delimiter(lines: list[str], header_at: int, delimiter: str, names: list[str],
                     source: str) -> None:
    """DataError for a header without any detectable delimiter (one column), or a first data
    line split by another delimiter than the header.

    Examples
    --------
    >>> _check_delimiter(["date;y", "2024-01-01,1"], 0, ";", ["date", "y"], "t.csv")
    Traceback (most recent call last):
    ...
    forecastkit.errors.DataError: 't.csv' mixes delimiters: its header (line 1) is split by ';' but line 2 holds no ';' and is split by ','. Use one delimiter (',', ';', tab or '|') throughout the file.
    """
    shown = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
    if len(names) == 1:
        raise DataError(f"{describe_source(source)} has a single column {names[0]!r}: columns are split at "
                        f"',', ';', tab or '|' and its header (line {header_at + 1}) holds none "
                        f"of them. Save the file with one of these delimiters and at least a "
                        f"time column and a value column.")
    at = next((i for i in range(header_at + 1, len(lines)) if lines[i].strip(" \t\r")), None)
    if at is None or delimiter in lines[at]:
        return
    other = max(_DELIMITERS, key=lines[at].count)
    if lines[at].count(other):
        raise DataError(f"{describe_source(source)} mixes delimiters: its header (line {header_at + 1}) is split "
                        f"by {shown[delimiter]} but line {at + 1} holds no {shown[delimiter]} and "
                        f"is split by {shown[other]}. Use one delimiter (',', ';', tab or '|') "
                        f"throughout the file.")


def _split_fields(text: str, delimiter: str, n_names: int, source: str) -> pd.DataFrame:
    """All records (header first) as string columns; DataError on a wrong field count."""
    try:
        return pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str,
                           skip_blank_lines=True)
    except pd.errors.ParserError as err:
        quote = re.search(r"EOF inside string starting at row (\d+)", str(err))
        if quote:
            line = _nth_nonblank_line(text, int(quote.group(1)))
            raise DataError(f"{describe_source(source)} could not be parsed: a quoted field that starts at "
                            f"line {line} is never closed. Add the closing '\"' (or remove the "
                            f"stray one).") from None
        detail = re.search(r"Expected \d+ fields in line \d+, saw \d+", str(err))
        raise DataError(
            f"{describe_source(source)} could not be parsed with delimiter {delimiter!r}: "
            f"{detail.group(0) if detail else str(err).strip().splitlines()[-1]}. "
            f"Make every row have the header's {n_names} fields and quote values that "
            f"contain the delimiter."
        ) from None


def _nth_nonblank_line(text: str, record: int) -> int:
    """Physical line (1-based) of the ``record``-th (0-based) non-blank line."""
    nonblank = [i for i, line in enumerate(text.split("\n"), start=1) if line.strip(" \t\r")]
    return nonblank[min(record, len(nonblank) - 1)]


def _data_lines(text: str, lines: list[str], n_rows: int, delimiter: str) -> np.ndarray:
    """Physical line number (1-based) of each data row, skipping blank lines like pandas."""
    if re.search(r"(?:^|\n)[ \t\r]*\n", text) or re.search(r"\n[ \t\r]+$", text):
        nonblank = np.flatnonzero(pd.Series(lines).str.strip(" \t\r").ne("").to_numpy()) + 1
    else:  # fast path: no blank lines (a final newline leaves one empty last element)
        nonblank = np.arange(1, len(lines) + (0 if lines[-1] == "" else 1))
    if len(nonblank) == n_rows + 1:
        return nonblank[1:]
    starts = _record_lines(text, delimiter)  # quoted fields span several lines
    if len(starts) == n_rows + 1:
        return starts[1:]
    return np.arange(2, n_rows + 2)


def _record_lines(text: str, delimiter: str) -> np.ndarray:
    """First physical line of each non-blank CSV record (slow path for multi-line quotes)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    starts, previous = [], 0
    for record in reader:
        if any(field.strip(" \t\r") for field in record):
            starts.append(previous + 1)
        previous = reader.line_num
    return np.asarray(starts, dtype="int64")

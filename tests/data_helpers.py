"""Helpers shared by the data tests (test_data.py, test_data_errors.py)."""

import pytest

from forecastkit.data import load_csv
from forecastkit.errors import DataError

MONTHLY = "month,passengers\n1949-01,112\n1949-02,118\n1949-03,132\n1949-04,129\n"


def write(tmp_path, content, name="data.csv"):
    """Write text (UTF-8) or bytes to tmp_path / name and return the path."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def raises(error, call, *parts):
    """Assert `call()` raises `error` with a one-line message containing every part."""
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert "\n" not in message, message
    for part in parts:
        assert part in message, f"{part!r} not in: {message}"
    return message


def csv_error(tmp_path, content, *parts, error=DataError, **kwargs):
    path = write(tmp_path, content)
    return raises(error, lambda: load_csv(path, **kwargs), *parts)

"""Files that are not CSV text, recognised by their first bytes whatever their extension.

A workbook saved as ``.xlsx`` (or renamed ``.csv``) would otherwise fail as "not valid UTF-8"
or as a CSV with one strange column; :func:`check_not_binary` names what the file is and how
to turn it into a CSV instead.
"""

from __future__ import annotations

import io
import zipfile

from ..errors import DataError
from .messages import describe_source

_EXPORT = ("Export it as CSV: in Excel, File > Save As > CSV UTF-8 (Comma delimited) (.csv); "
           "in LibreOffice Calc, File > Save As > Text CSV (.csv), character set UTF-8")
_PANDAS_EXCEL = ("; or read it with pandas (pd.read_excel(path), which needs the package "
                 "{engine}) and pass the DataFrame to from_pandas")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def file_kind(data: bytes) -> tuple[str, str] | None:
    """What a file's bytes are when they are not text: ``(kind, fix)``, or None.

    Examples
    --------
    >>> file_kind(b"PAR1\\x15\\x04")[0]
    'a Parquet file'
    >>> file_kind(b"date,y\\n2024-01-01,1\\n") is None
    True
    """
    if data.startswith(_ZIP):
        return _zip_kind(data)
    if data.startswith(_OLE2):
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return ("an Excel 97-2003 workbook (.xls)",
                    _EXPORT + _PANDAS_EXCEL.format(engine="xlrd") + ".")
        return ("a Microsoft Office binary (OLE2) file",
                "If it is an old Excel workbook, " + _EXPORT[0].lower() + _EXPORT[1:] + ".")
    if data.startswith(b"PAR1"):
        return ("a Parquet file",
                "Write it as CSV (pd.read_parquet(path).to_csv('data.csv', index=False)), or pass "
                "pd.read_parquet(path) to from_pandas.")
    if data.startswith(b"\x1f\x8b"):
        return ("a gzip-compressed file", "Decompress it first (gunzip FILE, or 7-Zip on Windows) "
                                          "and pass the CSV inside.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ("UTF-16 text (Excel's 'Unicode Text' export)",
                "Save it as UTF-8 instead: in Excel, File > Save As > CSV UTF-8 (Comma "
                "delimited) (.csv).")
    return None


def _zip_kind(data: bytes) -> tuple[str, str]:
    """Workbook, OpenDocument spreadsheet or another zip archive, from the member names."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):  # truncated: look for the names as bytes
        names = [part.decode("latin-1") for part in (b"xl/", b"mimetype", b"word/", b"ppt/")
                 if part in data]
    mimetype = b"application/vnd.oasis.opendocument.spreadsheet" in data
    if any(name.startswith("xl/") for name in names):
        return ("an Excel workbook (.xlsx)", _EXPORT + _PANDAS_EXCEL.format(engine="openpyxl") + ".")
    if mimetype:
        return ("an OpenDocument spreadsheet (.ods)", _EXPORT + _PANDAS_EXCEL.format(engine="odfpy") + ".")
    if any(name.startswith(("word/", "ppt/")) for name in names):
        return ("an Office document (Word or PowerPoint), not a table",
                "Put the data in a spreadsheet and export it as CSV (File > Save As > CSV UTF-8).")
    return ("a zip archive", "Extract the CSV file from it and pass that file.")


def check_not_binary(data: bytes, source: str) -> None:
    """DataError naming the kind of file and the fix when ``data`` is a known binary format.

    Examples
    --------
    >>> check_not_binary(b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1" + "Workbook".encode("utf-16-le"),
    ...                  "sales.csv")
    Traceback (most recent call last):
    ...
    forecastkit.errors.DataError: 'sales.csv' is an Excel 97-2003 workbook (.xls), not a CSV file. Export it as CSV: in Excel, File > Save As > CSV UTF-8 (Comma delimited) (.csv); in LibreOffice Calc, File > Save As > Text CSV (.csv), character set UTF-8; or read it with pandas (pd.read_excel(path), which needs the package xlrd) and pass the DataFrame to from_pandas.
    """
    found = file_kind(data)
    if found is not None:
        kind, fix = found
        raise DataError(f"{describe_source(source)} is {kind}, not a CSV file. {fix}")

"""Files that are not CSV text, recognised by their first bytes whatever their extension.

A compressed CSV (gzip, bzip2, xz, zstd, or a zip archive holding one file) is read through
:func:`decompressed`, as pandas reads ``data.csv.gz``. A workbook saved as ``.xlsx`` (or
renamed ``.csv``) would otherwise fail as "not valid UTF-8" or as a CSV with one strange
column; :func:`check_not_binary` names what the file is and how to turn it into a CSV instead.
"""

from __future__ import annotations

import bz2
import gzip
import importlib.util
import io
import lzma
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
    files = _archived_files(names)
    held = f" of {len(files)} files ({', '.join(files[:5])}{', ...' if len(files) > 5 else ''})" if files else ""
    return (f"a zip archive{held}", "Extract the CSV file from it and pass that file (a zip archive holding "
                                    "exactly one file is read as that file).")


def _archived_files(names: list[str]) -> list[str]:
    """The files of a zip archive: its members less folders and macOS' ``__MACOSX/`` metadata."""
    return [name for name in names if not name.endswith("/") and not name.startswith("__MACOSX/")]


def _compression(data: bytes) -> tuple[str, object] | None:
    """``(name, decompress)`` of a gzip, bzip2, xz or zstd stream, from its first bytes; None otherwise."""
    if data.startswith(b"\x1f\x8b"):
        return "gzip", gzip.decompress
    if data[:3] == b"BZh" and data[3:4] in b"123456789" and data[4:10] == b"\x31\x41\x59\x26\x53\x59":
        return "bzip2", bz2.decompress
    if data.startswith(b"\xfd7zXZ\x00"):
        return "xz", lzma.decompress
    if data.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd", _zstd_decompress
    return None


def _zstd_decompress(data: bytes) -> bytes:
    import zstandard

    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
        return reader.read()


def decompressed(data: bytes, source: str) -> bytes:
    """The content of a gzip, bzip2, xz or zstd file (zstd with the package zstandard), or of the
    one file of a zip archive (recognised by their first bytes, whatever the extension); any
    other ``data`` as it is. DataError when the stream is damaged.

    Examples
    --------
    >>> decompressed(gzip.compress(b"date,y\\n2024-01-01,1\\n"), "sales.csv.gz")
    b'date,y\\n2024-01-01,1\\n'
    >>> decompressed(b"date,y\\n", "sales.csv")
    b'date,y\\n'
    >>> decompressed(b"\\x1f\\x8b\\x08\\x00broken", "sales.csv.gz")
    Traceback (most recent call last):
    ...
    forecastkit.errors.DataError: 'sales.csv.gz' is gzip-compressed but cannot be decompressed (Compressed file ended before the end-of-stream marker was reached): the file is damaged or cut short. Download or export it again.
    """
    found = _compression(data)
    if found is not None:
        name, decompress = found
        if name == "zstd" and importlib.util.find_spec("zstandard") is None:
            raise DataError(f"{describe_source(source)} is zstd-compressed: reading it needs the package "
                            f"zstandard (pip install zstandard), or decompress it first (unzstd FILE).")
        try:
            return decompress(data)
        except Exception as err:  # zlib's, bz2's, lzma's or zstandard's error: a damaged stream
            raise DataError(f"{describe_source(source)} is {name}-compressed but cannot be decompressed ({err}): "
                            f"the file is damaged or cut short. Download or export it again.") from None
    if data.startswith(_ZIP):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            files = _archived_files(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):  # damaged: named by check_not_binary
            return data
        if len(files) == 1:  # a workbook or document holds several
            try:
                return archive.read(files[0])
            except Exception as err:  # zipfile's: damaged, encrypted, or a compression method it lacks
                raise DataError(f"{describe_source(source)} is a zip archive whose file {files[0]!r} cannot be "
                                f"read ({err}). Extract it with your archive tool and pass the CSV "
                                f"file.") from None
    return data
    return data


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

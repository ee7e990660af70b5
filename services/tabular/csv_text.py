"""Uploaded CSV/TSV bytes as a Table, or a TableError the user can act on.

Uploads come from Excel on Japanese Windows as often as from scripts, so Shift_JIS (cp932) is
accepted beside UTF-8, and every refusal names the row or column to fix instead of failing later
inside training.

Row numbers in messages are 1-based data-row numbers: the header is row 0, the first record after
it is row 1, and row N is `Table.rows[N - 1]`. Blank records (every field empty: an empty line or
a spreadsheet's trailing ",,,") are skipped and not counted.
"""

from __future__ import annotations

import csv
import io

from services.tabular.table import Table

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DELIMITERS = (",", "\t")
# The encodings decode_text names → the codecs that read them (utf-8-sig drops a leading BOM).
_CODECS = {"utf-8": "utf-8-sig", "shift_jis": "cp932"}


class TableError(ValueError):
    """The upload cannot be read as a table; str() is an English message for the user."""


def describe_fields(count: int) -> str:
    """ "1 field", "3 fields": counts in messages read as English."""
    return f"{count} field" if count == 1 else f"{count} fields"


def decode_text(data: bytes) -> tuple[str, str]:
    """The bytes as text and the encoding used ("utf-8" or "shift_jis").

    UTF-8 is tried before cp932 because valid UTF-8 multi-byte text is almost never valid
    Shift_JIS by accident, while the reverse often is.
    """
    if data.startswith(_UTF8_BOM):
        try:
            text, encoding = data[len(_UTF8_BOM):].decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            raise TableError("the file starts with a UTF-8 mark but is not UTF-8 text") from None
    elif data.startswith(_UTF16_BOMS):
        raise TableError("the file is UTF-16 text; save it as UTF-8 or Shift_JIS")
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp932"), "shift_jis"
            except UnicodeDecodeError:
                raise TableError("the file is neither UTF-8 nor Shift_JIS text") from None
    # NUL never occurs in text files; it does in binaries and BOM-less UTF-16, which decode
    # "successfully" as ASCII-ish garbage otherwise.
    if "\x00" in text:
        raise TableError("the file is neither UTF-8 nor Shift_JIS text")
    return text, encoding


def detect_delimiter(text: str) -> str:
    """Tab when the first line has a tab and no comma outside quotes, else comma.

    Only the header line is read: a comma inside a data cell of a TSV file must not flip it.
    """
    commas = tabs = 0
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == ",":
            commas += 1
        elif char == "\t":
            tabs += 1
        elif char in "\r\n":
            break
    return "\t" if tabs and not commas else ","


def decode_table(data: bytes, *, delimiter: str | None = None) -> Table:
    """The upload as a header and rows of equal width.

    `delimiter` None decides from the header line (see detect_delimiter); "," or "\\t" is used
    as given (a .tsv upload). Header names are stripped of surrounding spaces, cells are kept as
    written (services.tabular.cells reads them). A row narrower or wider than the header is
    refused, even when the extra fields are empty: guessing which cells shifted would put values
    in the wrong columns. A header without data rows is returned as is: whether that is
    acceptable is the caller's decision.
    """
    reader, encoding, delimiter = _reader(data, delimiter)
    try:
        header = _read_header(reader)
        rows = list(_records(reader, len(header)))
    except csv.Error as error:
        raise TableError(f"line {reader.line_num} cannot be read as CSV: {error}") from None
    return Table(header=header, rows=rows, encoding=encoding, delimiter=delimiter)


def count_rows(data: bytes, *, delimiter: str | None = None) -> tuple[int, int]:
    """(columns, data rows) of the upload, with every check decode_table makes, keeping no row:
    an upload's check must not need memory in proportion to the file's cells."""
    reader, _, _ = _reader(data, delimiter)
    try:
        width = len(_read_header(reader))
        rows = sum(1 for _ in _records(reader, width))
    except csv.Error as error:
        raise TableError(f"line {reader.line_num} cannot be read as CSV: {error}") from None
    return width, rows


def _reader(data: bytes, delimiter: str | None):
    """A CSV reader over the bytes, decoded as they are read; the encoding is checked first.

    The whole text exists only while it is checked: a reader over it (io.StringIO keeps four
    bytes a character) would hold several copies of a large upload at once.
    """
    if delimiter is not None and delimiter not in _DELIMITERS:
        raise ValueError(f"delimiter must be ',' or '\\t', not {delimiter!r}")
    text, encoding = decode_text(data)
    if delimiter is None:
        delimiter = detect_delimiter(text.lstrip("\r\n"))
    del text
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=_CODECS[encoding], newline="")
    return csv.reader(stream, delimiter=delimiter), encoding, delimiter


def _read_header(reader) -> tuple[str, ...]:
    for record in reader:
        if any(record):
            break
    else:
        raise TableError("the file is empty")
    header = tuple(name.strip() for name in record)
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            raise TableError(f"column {position} has no name")
        if name in seen:
            raise TableError(f'the column name "{name}" appears twice')
        seen.add(name)
    return header


def _records(reader, width: int):
    """The data rows as tuples, blank records skipped; TableError at the first of another width."""
    number = 0
    for record in reader:
        # any() on the list is the fast path: a data row almost always has a non-empty field.
        if not any(record):
            continue
        number += 1
        if len(record) != width:
            raise TableError(f"row {number} has {describe_fields(len(record))}; the header has {width}")
        yield tuple(record)

"""Uploaded CSV/TSV bytes as a Table, or a TableError the user can act on.

Uploads come from Excel on Japanese Windows as often as from scripts, so Shift_JIS (cp932) is
accepted beside UTF-8, and every refusal names the row, line or column to fix instead of failing
later inside training.

Row numbers in messages are 1-based data-row numbers: the header is row 0, the first record after
it is row 1, and row N is `Table.rows[N - 1]`. Blank records (every field empty: an empty line or
a spreadsheet's trailing ",,,") are skipped and not counted. Line numbers are 1-based lines of the
file, the header's first line being line 1.

The input may be bytes or a seekable binary file: a file is read in blocks, twice (once to settle
the encoding, once to parse), so checking an upload never holds its whole text.
"""

from __future__ import annotations

import codecs
import collections
import csv
import io
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from services.tabular.table import Table

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DELIMITERS = (",", "\t")
# The encodings decode_text names → the codecs that read them (utf-8-sig drops a leading BOM).
_CODECS = {"utf-8": "utf-8-sig", "shift_jis": "cp932"}
_NOT_TEXT = "the file is neither UTF-8 nor Shift_JIS text"
# Python's cp932 maps the single bytes 0x80, 0xA0 and 0xFD–0xFF, which no Shift_JIS variant
# defines, to these characters; nothing else decodes to them. Accepting them would let binary
# junk pass as Shift_JIS text.
_NOT_SHIFT_JIS = re.compile("[\x80\uf8f0-\uf8f3]")
_READ_BYTES = 1 << 20
# Enough text to find the header line in (detect_delimiter reads no further).
_HEAD_CHARS = 1 << 16
MAX_RECORD_CHARS = 1 << 20
"""Longest record (quoted line breaks included) read: a few thousand wide columns fit, while
csv.reader, which builds a record whole, never holds more than this of one file's text."""
# Fed to csv.reader after the file's last line. NUL never comes from the file (it is refused), so
# a record holding it is the file's end: the marker alone, or a quoted field the end ran into.
_END = "\x00"
_LINE_BREAK = re.compile("\r\n|\r|\n")


class TableError(ValueError):
    """The upload cannot be read as a table; str() is an English message for the user."""


def describe_fields(count: int) -> str:
    """ "1 field", "3 fields": counts in messages read as English."""
    return f"{count} field" if count == 1 else f"{count} fields"


def decode_text(data: bytes) -> tuple[str, str]:
    """The bytes as text and the encoding used ("utf-8" or "shift_jis")."""
    encoding, _ = _settle_encoding(io.BytesIO(data))
    return data.decode(_CODECS[encoding]), encoding


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


def decode_table(data: bytes | BinaryIO, *, delimiter: str | None = None) -> Table:
    """The upload as a header and rows of equal width.

    `delimiter` None decides from the header line (see detect_delimiter); "," or "\\t" is used
    as given (a .tsv upload). Header names are stripped of surrounding spaces, cells are kept as
    written (services.tabular.cells reads them). A row narrower or wider than the header is
    refused, even when the extra fields are empty: guessing which cells shifted would put values
    in the wrong columns. A header without data rows is returned as is: whether that is
    acceptable is the caller's decision.
    """
    with _csv_reader(data, delimiter) as (reader, lines, encoding, delimiter):
        header = _read_header(reader, lines)
        rows = list(_data_rows(reader, lines, len(header)))
    return Table(header=header, rows=rows, encoding=encoding, delimiter=delimiter)


def count_rows(data: bytes | BinaryIO, *, delimiter: str | None = None) -> tuple[int, int]:
    """(columns, data rows) of the upload, with every check decode_table makes, keeping no row:
    an upload's check must not need memory in proportion to the file's cells."""
    with _csv_reader(data, delimiter) as (reader, lines, _, _):
        width = len(_read_header(reader, lines))
        counter = itertools.count()
        # zip pulls the rows and the counter in C: no Python frame per row just to count it.
        collections.deque(zip(_data_rows(reader, lines, width), counter), maxlen=0)
        rows = next(counter)
    return width, rows


def _settle_encoding(stream: BinaryIO) -> tuple[str, str]:
    """("utf-8" or "shift_jis", the start of the text) after strictly decoding all of the stream.

    UTF-8 is tried before cp932 because valid UTF-8 multi-byte text is almost never valid
    Shift_JIS by accident, while the reverse often is.
    """
    stream.seek(0)
    start = stream.read(len(_UTF8_BOM))
    if start.startswith(_UTF16_BOMS):
        raise TableError("the file is UTF-16 text; save it as UTF-8 or Shift_JIS")
    if start.startswith(_UTF8_BOM):
        head = _decoded_head(stream, "utf-8")
        if head is None:
            raise TableError("the file starts with a UTF-8 mark but is not UTF-8 text")
        return "utf-8", head
    for encoding in ("utf-8", "shift_jis"):
        head = _decoded_head(stream, encoding)
        if head is not None:
            return encoding, head
    raise TableError(_NOT_TEXT)


def _decoded_head(stream: BinaryIO, encoding: str) -> str | None:
    """The first _HEAD_CHARS characters, or None when the stream is not text in this encoding."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(_CODECS[encoding])()
    head = ""
    try:
        while block := stream.read(_READ_BYTES):
            # NUL never occurs in text files; it does in binaries and BOM-less UTF-16, which
            # decode "successfully" as ASCII-ish garbage otherwise.
            if b"\x00" in block:
                raise TableError(_NOT_TEXT)
            text = decoder.decode(block)
            if encoding == "shift_jis" and _NOT_SHIFT_JIS.search(text):
                return None
            if len(head) < _HEAD_CHARS:
                head += text[: _HEAD_CHARS - len(head)]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return head


class _RecordTooLong(Exception):
    pass


class _Lines:
    """The text's lines for csv.reader, then _END; a record past MAX_RECORD_CHARS stops it.

    The reader's consumer zeroes `record_chars` after each record it takes.
    """

    def __init__(self, text: io.TextIOBase) -> None:
        self._readline = text.readline
        self.ended = False  # _END was handed out: the record just read is the file's last
        self.record_chars = 0
        self.record_start = self.number = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        # At most one character past the limit is read, so an endless line is never held whole.
        line = self._readline(MAX_RECORD_CHARS + 1)
        if not line:
            if self.ended:
                raise StopIteration
            self.ended = True
            return _END
        self.number += 1
        if not self.record_chars:
            self.record_start = self.number
        self.record_chars += len(line)
        if self.record_chars > MAX_RECORD_CHARS:
            raise _RecordTooLong
        return line


@contextmanager
def _csv_reader(
    data: bytes | BinaryIO, delimiter: str | None
) -> Iterator[tuple[Iterator[list[str]], _Lines, str, str]]:
    """(reader, lines, encoding, delimiter) of the input, its encoding settled first; a reading
    error inside the block becomes a TableError that names the line."""
    if delimiter is not None and delimiter not in _DELIMITERS:
        raise ValueError(f"delimiter must be ',' or '\\t', not {delimiter!r}")
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    encoding, head = _settle_encoding(stream)
    if delimiter is None:
        delimiter = detect_delimiter(head.lstrip("\r\n"))
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=_CODECS[encoding], newline="")
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        yield reader, lines, encoding, delimiter
    except csv.Error as error:
        where = f"line {reader.line_num}"
        if lines.record_start < reader.line_num:  # most often a quote that is never closed
            where += f" (in the record that starts on line {lines.record_start})"
        raise TableError(f"{where} cannot be read as CSV: {error}") from None
    except _RecordTooLong:
        raise TableError(
            f"the record starting on line {lines.record_start} is longer than {MAX_RECORD_CHARS:,} characters; "
            "is a quote in it never closed?"
        ) from None
    finally:
        text.detach()  # a caller's file stays open: it is the caller's to close


def _refuse_open_quote(last: list[str], lines: _Lines) -> None:
    """The reader made its last record: refuse it when it ran into _END inside a quoted field.

    A record of _END alone is the marker itself only when no line of the file went into it
    (`"` on the last line reads as [_END] too).
    """
    if not lines.record_chars:
        return
    # The open field is the record's last and runs from its quote to the end of the file: count
    # back the line breaks in it. A last line without a break of its own is not one more line.
    field = last[-1][: -len(_END)]
    breaks = len(_LINE_BREAK.findall(field))
    opened = lines.number - breaks + (1 if field.endswith(("\n", "\r")) else 0)
    raise TableError(f'line {opened} opens a quoted field that is never closed: a closing " is missing')


def _read_header(reader: Iterator[list[str]], lines: _Lines) -> tuple[str, ...]:
    for record in reader:
        if lines.ended:
            _refuse_open_quote(record, lines)
            raise TableError("the file is empty")
        lines.record_chars = 0
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


def _data_rows(reader: Iterator[list[str]], lines: _Lines, width: int) -> Iterator[tuple[str, ...]]:
    """The data rows as tuples, blank records skipped; TableError at the first of another width."""
    number = 0
    for record in reader:
        if lines.ended:
            _refuse_open_quote(record, lines)
            return
        lines.record_chars = 0
        # any() on the list is the fast path: a data row almost always has a non-empty field.
        if not any(record):
            continue
        number += 1
        if len(record) != width:
            raise TableError(f"row {number} has {describe_fields(len(record))}; the header has {width}")
        yield tuple(record)

"""Decode and parse one delivered file into text columns, as delivered.

The contract (extract-interface.md §1, edge rules 2 and 6) allows CSV in
UTF-8 with or without BOM or GB18030, RFC 4180 quoting, CRLF or LF, and
XLSX with title rows above the header.  Nothing is typed or trimmed here:
typing happens in dbt staging, so what a steward sees in the warehouse is
what the institution sent.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .contract import Feed

BOM = b"\xef\xbb\xbf"
SNIFF_BYTES = 1 << 20
TRANSCODE_SLICE = 16 << 20
# blanks trimmed around header names (edge rule 6): ASCII, full-width space, BOM
HEADER_BLANKS = " \t\r\n\u3000\ufeff"
MAX_TITLE_ROWS = 50


class UnreadableFile(Exception):
    """The file cannot be read as CSV or XLSX at all (the whole file is rejected)."""


@dataclass
class ParsedFile:
    """A file's rows as text, with the header as delivered and what was wrong with it."""

    header: list[str]  # normalized header cells in file order
    # canonical name -> text values (feed columns present); Array or ChunkedArray
    columns: dict[str, pa.Array | pa.ChunkedArray]
    # header -> text values (columns the contract does not know)
    extra: dict[str, pa.Array | pa.ChunkedArray]
    row_numbers: pa.Array  # int32, 1-based data row of each parsed row
    missing_required: tuple[str, ...]  # required Chinese headers absent from the header
    encoding: str  # utf-8 | utf-8-sig | gb18030 | xlsx
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (data row, line text)

    @property
    def data_rows(self) -> int:
        return len(self.row_numbers)


def parse_file(feed: Feed, name: str, data: bytes) -> ParsedFile:
    if name.lower().endswith(".xlsx"):
        return _parse_xlsx(feed, data)
    return _parse_csv(feed, data)


def ordinals(n: int) -> pa.Array:
    """1 … n as int32 (data row numbers)."""
    return pa.array(np.arange(1, n + 1, dtype=np.int32))


def normalize_header(cell: object) -> str:
    return "" if cell is None else str(cell).strip(HEADER_BLANKS)


def _map_header(feed: Feed, header: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Canonical name -> column index, extra header -> index; a repeated name keeps its first."""
    by_header = {c.header: c.name for c in feed.columns}
    known: dict[str, int] = {}
    extra: dict[str, int] = {}
    for i, cell in enumerate(header):
        if not cell:
            continue
        if cell in by_header:
            known.setdefault(by_header[cell], i)
        else:
            extra.setdefault(cell, i)
    return known, extra


def _missing(feed: Feed, known: dict[str, int]) -> tuple[str, ...]:
    return tuple(c.header for c in feed.columns if c.required and c.name not in known)


# ---------------------------------------------------------------- CSV


def detect_encoding(data: bytes) -> str:
    """UTF-8 (BOM or not) unless the bytes are not UTF-8; then GB18030 (nothing else is allowed).

    The header is Chinese, so the first megabyte always decides.
    """
    if data.startswith(BOM):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:SNIFF_BYTES], final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _utf8_body(data: bytes, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return data[len(BOM) :]
    if encoding == "gb18030":
        return _gb18030_to_utf8(data)
    return data


def _gb18030_to_utf8(data: bytes) -> bytes:
    """Transcode in slices: a 9-million-row snapshot never exists as one Python string."""
    decoder = codecs.getincrementaldecoder("gb18030")()
    out = io.BytesIO()
    view = memoryview(data)
    for start in range(0, len(data), TRANSCODE_SLICE):
        try:
            text = decoder.decode(view[start : start + TRANSCODE_SLICE], final=False)
        except UnicodeDecodeError as error:
            at = start + error.start
            raise UnreadableFile(f"neither UTF-8 nor GB18030 (byte {at})") from error
        out.write(text.encode("utf-8"))
    try:
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as error:
        raise UnreadableFile("GB18030 text ends in the middle of a character") from error
    return out.getvalue()


def _parse_csv(feed: Feed, data: bytes) -> ParsedFile:
    encoding = detect_encoding(data)
    if encoding == "gb18030":
        parsed = _gb18030_by_column(feed, data)
        if parsed is not None:
            return parsed
    body = _utf8_body(data, encoding)
    try:
        return _csv_with_arrow(feed, body, encoding)
    except pa.ArrowInvalid as error:
        # e.g. a UTF-8 header over GB18030 rows: one file has one encoding
        raise UnreadableFile(f"not readable as {encoding} CSV: {error}") from error


def _csv_header(body: bytes) -> tuple[list[str], int]:
    """The header is the first line (edge rule 6): its cells, and where the body starts."""
    end = body.find(b"\n")
    line = body if end < 0 else body[:end]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise pa.ArrowInvalid("invalid UTF8 in the header") from error
    cells = next(csv.reader([text.rstrip("\r")]), [])
    return [normalize_header(c) for c in cells], (len(body) if end < 0 else end + 1)


def _only_line_ends(data: bytes, offset: int) -> bool:
    """Nothing but CR and LF after ``offset`` (the first 4 KB usually decide: no 1 GB copy)."""
    return not data[offset : offset + 4096].strip(b"\r\n") and not data[offset:].strip(b"\r\n")


def _csv_with_arrow(feed: Feed, body: bytes, encoding: str) -> ParsedFile:
    header, offset = _csv_header(body)
    known, extra = _map_header(feed, header)
    width = len(header)
    names = [f"c{i}" for i in range(width)]
    malformed: list[tuple[int, str]] = []
    if _only_line_ends(body, offset):  # a header and nothing else
        return _csv_with_python(feed, "", header, encoding)

    def on_invalid(row: pacsv.InvalidRow) -> str:
        malformed.append((-1, row.text))
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(memoryview(body)[offset:]),
        read_options=pacsv.ReadOptions(column_names=names, block_size=32 << 20),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if malformed:
        # rare (a broken transfer): read again with Python's csv so every row keeps its ordinal
        return _csv_with_python(feed, body[offset:].decode("utf-8"), header, encoding)
    return ParsedFile(
        header=header,
        columns={name: table.column(i) for name, i in known.items()},
        extra={h: table.column(i) for h, i in extra.items()},
        row_numbers=ordinals(table.num_rows),
        missing_required=_missing(feed, known),
        encoding=encoding,
    )


def _gb18030_by_column(feed: Feed, data: bytes) -> ParsedFile | None:
    """A GB18030 file parsed as bytes and transcoded column by column, or None to take the
    whole-file path (which also words every error).

    No byte of a GB18030 multi-byte character is a comma, quote, CR or LF, so the CSV
    structure of the bytes is that of the text, and columns of ASCII only (ID numbers,
    dates, codes: most of a population snapshot) need no transcoding at all.  The others
    are decoded as one string per chunk, values joined by LF (a value holding an LF takes
    the whole-file path).  Python's GB18030 codec (~125 MB/s) is the largest cost of a
    9.6M-row snapshot's parse when it decodes every byte.
    """
    end = data.find(b"\n")
    if end < 0:
        return None
    try:
        text = data[:end].decode("gb18030")
    except UnicodeDecodeError:
        return None
    header = [normalize_header(c) for c in next(csv.reader([text.rstrip("\r")]), [])]
    offset = end + 1
    if _only_line_ends(data, offset):
        return None
    known, extra = _map_header(feed, header)
    names = [f"c{i}" for i in range(len(header))]
    malformed: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        malformed.append(row.text)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(memoryview(data)[offset:]),
            read_options=pacsv.ReadOptions(column_names=names, block_size=32 << 20),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.binary() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if malformed:
        return None
    columns = []
    for i in range(len(names)):  # every column: the whole-file path decodes every byte too
        column = _gb18030_column(table.column(i))
        if column is None:
            return None
        columns.append(column)
    return ParsedFile(
        header=header,
        columns={name: columns[i] for name, i in known.items()},
        extra={h: columns[i] for h, i in extra.items()},
        row_numbers=ordinals(table.num_rows),
        missing_required=_missing(feed, known),
        encoding="gb18030",
    )


def _gb18030_column(column: pa.ChunkedArray) -> pa.ChunkedArray | None:
    chunks = []
    for chunk in column.chunks:
        n = len(chunk)
        offsets = np.frombuffer(
            chunk.buffers()[1], dtype=np.int32, count=n + 1, offset=4 * chunk.offset
        )
        values = chunk.buffers()[2]
        raw = (
            np.frombuffer(values, dtype=np.uint8)[offsets[0] : offsets[-1]]
            if values is not None and n
            else np.zeros(0, dtype=np.uint8)
        )
        if not len(raw) or raw.max() < 0x80:
            chunks.append(chunk.cast(pa.string()))
            continue
        if (raw == 0x0A).any():
            return None
        whole = pa.ListArray.from_arrays(pa.array([0, n], pa.int32()), chunk)
        joined = pc.binary_join(whole, b"\n")[0].as_buffer()
        try:
            text = memoryview(joined).tobytes().decode("gb18030")
        except UnicodeDecodeError:
            return None
        split = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
        if len(split) != n:
            return None
        chunks.append(split.cast(pa.string()))
    return pa.chunked_array(chunks, pa.string())


def _csv_with_python(feed: Feed, text: str, header: list[str], encoding: str) -> ParsedFile:
    known, extra = _map_header(feed, header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    malformed: list[tuple[int, str]] = []
    ordinal = 0
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    for cells in reader:
        if not cells or cells == [""]:
            continue  # empty line: not a row
        ordinal += 1
        if len(cells) != len(header):
            malformed.append((ordinal, ",".join(cells)))
            continue
        rows.append(cells)
        numbers.append(ordinal)

    def column(i: int) -> pa.Array:
        return pa.array([r[i] for r in rows], pa.string())

    return ParsedFile(
        header=header,
        columns={name: column(i) for name, i in known.items()},
        extra={h: column(i) for h, i in extra.items()},
        row_numbers=pa.array(numbers, pa.int32()),
        missing_required=_missing(feed, known),
        encoding=encoding,
        malformed=malformed,
    )


# ---------------------------------------------------------------- XLSX


def xlsx_cell_text(value: object) -> str:
    """An XLSX cell as the text a CSV would carry (date cells as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_xlsx(feed: Feed, data: bytes) -> ParsedFile:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        grid = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own error types for broken workbooks
        raise UnreadableFile(f"not a readable XLSX workbook: {error}") from error
    rows = [[xlsx_cell_text(c) for c in r] for r in grid]
    rows = [r for r in rows if any(c.strip() for c in r)]  # empty rows are skipped anywhere
    header_at = _xlsx_header_row(feed, rows)
    header = [normalize_header(c) for c in rows[header_at]] if rows else []
    while header and not header[-1]:
        header.pop()  # trailing empty columns
    known, extra = _map_header(feed, header)
    body = rows[header_at + 1 :] if rows else []
    width = len(header)
    body = [(r + [""] * width)[:width] for r in body]

    def column(i: int) -> pa.Array:
        return pa.array([r[i] for r in body], pa.string())

    return ParsedFile(
        header=header,
        columns={name: column(i) for name, i in known.items()},
        extra={h: column(i) for h, i in extra.items()},
        row_numbers=ordinals(len(body)),
        missing_required=_missing(feed, known),
        encoding="xlsx",
    )


def _xlsx_header_row(feed: Feed, rows: list[list[str]]) -> int:
    """The first row holding every required column name (title rows may sit above it).

    A file missing a required column has no such row: take the row naming the
    most contract columns, so the rejection can say which one is missing.
    """
    headers = set(feed.headers)
    required = set(feed.required_headers)
    best, best_count = 0, -1
    for i, row in enumerate(rows[:MAX_TITLE_ROWS]):
        cells = {normalize_header(c) for c in row}
        if required <= cells:
            return i
        count = len(cells & headers)
        if count > best_count:
            best, best_count = i, count
    return best

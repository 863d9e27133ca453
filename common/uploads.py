"""Checks on a spreadsheet upload made before any parser (tablib, openpyxl) reads it.

A parser trusts what a file says about itself: one XLSX cell at row 1,048,576 makes openpyxl pad out a
million rows, a `<dimension>` reaching column XFD pads every row to 16,384 cells, and a few kilobytes of
zip can unpack to gigabytes. These checks read the bytes the cheap way (streams, expat without a tree,
the csv module over decoded lines) and stop at the first thing over a limit, so a hostile file is
refused with a sentence that names it, at almost no cost.
"""

import codecs
import csv
import functools
import io
import json
import lzma
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from django.template.defaultfilters import filesizeformat

MB = 1024 * 1024
# Bytes read (or unpacked) at a time: large enough to be quick, small enough to stop soon after a limit.
CHUNK = 64 * 1024

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# expat, given a namespace separator, names elements "namespace-uri local-name".
_ROW = f"{MAIN_NS} row"
_CELL = f"{MAIN_NS} c"
_DIMENSION = f"{MAIN_NS} dimension"

# openpyxl's own patterns (openpyxl.utils.cell), with ASCII digits only; more than 15 digits is no row.
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,15})")
_RANGE_END = re.compile(r"\$?([A-Za-z]{1,3})?\$?([0-9]{1,15})?")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_SCALARS = (str, int, float, bool, type(None))

# What zipfile (and so openpyxl) raises on archives that are broken or use what it cannot read.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,  # encrypted members
)


class RefusedUpload(ValueError):
    """An upload refused before parsing; `str()` is a sentence for the person who uploaded it."""

    def __init__(self, name: str, reason: str) -> None:
        # Both go in args, so the exception pickles (a background worker may hand it on).
        super().__init__(name, reason)
        self.name = name
        self.reason = reason

    def __str__(self) -> str:
        return f"“{self.name}” is refused: {self.reason}"


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int  # size of the upload itself
    max_rows: int  # data rows, the header excluded
    max_columns: int
    max_uncompressed_bytes: int  # XLSX: sum of members once unzipped
    max_members: int  # XLSX zip members


def limits_from_settings() -> UploadLimits:
    return UploadLimits(
        max_bytes=getattr(settings, "FOOTNOTE_MAX_IMPORT_BYTES", 10 * MB),
        max_rows=getattr(settings, "FOOTNOTE_MAX_IMPORT_ROWS", 200_000),
        max_columns=getattr(settings, "FOOTNOTE_MAX_IMPORT_COLUMNS", 200),
        max_uncompressed_bytes=getattr(settings, "FOOTNOTE_MAX_IMPORT_UNCOMPRESSED_BYTES", 100 * MB),
        max_members=getattr(settings, "FOOTNOTE_MAX_IMPORT_MEMBERS", 200),
    )


class _Refusal(Exception):
    """A reason to refuse, raised deep inside a check; `check_upload` adds the file's name."""


def check_upload(data: bytes, *, name: str, format_name: str, limits: UploadLimits | None = None) -> None:
    """Raise RefusedUpload when `data` should not reach a parser; return None when it may.

    `format_name` is "csv", "tsv", "xlsx" or "json"; any other is a programming error (ValueError).
    """
    try:
        check = _CHECKS[format_name.lower()]
    except KeyError:
        raise ValueError(f"No upload check for the format {format_name!r}.") from None
    limits = limits or limits_from_settings()
    if not isinstance(data, bytes):
        data = bytes(data)  # a BinaryField gives a memoryview
    try:
        _check_size(data, limits)
        check(data, limits)
    except _Refusal as refusal:
        raise RefusedUpload(name, str(refusal)) from None


def _check_size(data: bytes, limits: UploadLimits) -> None:
    if not data:
        raise _Refusal("it is empty.")
    if len(data) > limits.max_bytes:
        size, limit = filesizeformat(len(data)), filesizeformat(limits.max_bytes)
        if size == limit:  # just over: the rounded sizes would read "10 MB; at most 10 MB"
            size, limit = f"{len(data):,} bytes", f"{limits.max_bytes:,} bytes"
        raise _Refusal(f"it is {size}; a file can be at most {limit}.")


# Messages shared by the formats -------------------------------------------------------------------------


def _rows_limit(limits: UploadLimits, *, header: bool = True) -> str:
    plus = ", plus a header row" if header else ""
    return f"a file can have at most {limits.max_rows:,} rows{plus}."


def _columns_limit(limits: UploadLimits) -> str:
    return f"a file can have at most {limits.max_columns:,} columns."


def _shorten(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


# UTF-8 text -------------------------------------------------------------------------------------------


def _not_utf8(data: bytes, advice: str) -> _Refusal:
    offset = _first_non_utf8_byte(data)
    if offset is None:  # cannot happen after a decoding error, but the message should not depend on it
        return _Refusal(f"it is not UTF-8 text. {advice}")
    line = data.count(b"\n", 0, offset) + 1
    return _Refusal(
        f"it is not UTF-8 text: the byte at offset {offset:,} (line {line:,}) is not UTF-8. {advice}"
    )


def _first_non_utf8_byte(data: bytes) -> int | None:
    """Offset of the first byte that is not UTF-8, decoded in chunks so no copy of the text is built."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk_start in range(start, len(data), CHUNK):
        chunk = data[chunk_start : chunk_start + CHUNK]
        try:
            decoder.decode(chunk, final=chunk_start + CHUNK >= len(data))
        except UnicodeDecodeError as error:
            # The decoder holds back an unfinished character from the last chunk and reports offsets
            # into (held back + chunk).
            return chunk_start - (len(error.object) - len(chunk)) + error.start
    return None


def _utf8_lines(data: bytes, advice: str) -> Iterator[str]:
    """The text's lines, decoded a few kilobytes at a time; newline="" leaves line ends to the csv module."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        yield from text
    except UnicodeDecodeError:
        raise _not_utf8(data, advice) from None


# CSV and TSV ------------------------------------------------------------------------------------------

_CSV_ADVICE = "Save it again choosing “CSV UTF-8 (Comma delimited)” and upload that."
_TSV_ADVICE = "Save it again as tab-separated text with the UTF-8 encoding and upload that."


def _check_delimited(data: bytes, limits: UploadLimits, *, delimiter: str, advice: str) -> None:
    """Count records with the csv module, since a quoted field may hold newlines; the first is the header.

    Blank records after the header are not counted: tablib skips them too.
    """
    records = csv.reader(_utf8_lines(data, advice), delimiter=delimiter)
    data_rows = 0
    try:
        for index, record in enumerate(records):
            if len(record) > limits.max_columns:
                raise _Refusal(
                    f"the record ending on line {records.line_num:,} has {len(record):,} columns; "
                    + _columns_limit(limits)
                )
            if index and record:
                data_rows += 1
                if data_rows > limits.max_rows:
                    raise _Refusal(
                        f"it has more than {limits.max_rows:,} rows below its header; " + _rows_limit(limits)
                    )
    except csv.Error as error:
        raise _Refusal(f"it cannot be read as CSV (line {records.line_num:,}: {error}).") from None


# JSON -------------------------------------------------------------------------------------------------

_JSON_ADVICE = "Save it again with the UTF-8 encoding and upload that."


def _check_json(data: bytes, limits: UploadLimits) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(data, _JSON_ADVICE) from None
    try:
        for number, record in enumerate(_json_list_items(text), start=1):
            if number > limits.max_rows:
                raise _Refusal(
                    f"it has more than {limits.max_rows:,} rows; " + _rows_limit(limits, header=False)
                )
            _check_json_record(number, record, limits)
    except RecursionError:
        raise _Refusal("it is nested too deeply; it should be a list of objects, one per row.") from None
    except ValueError as error:  # JSONDecodeError, and integers too long to convert
        raise _Refusal(f"it is not valid JSON ({error}).") from None


def _json_list_items(text: str) -> Iterator[object]:
    """Each item of the top-level list, decoded one at a time: no list of every row is ever built."""
    decoder = json.JSONDecoder()
    position = _JSON_SPACE.match(text).end()
    if not text.startswith("[", position):
        found = _json_kind(json.loads(text))
        raise _Refusal(f"it holds {found}, not a list of objects (one per row).")
    position = _JSON_SPACE.match(text, position + 1).end()
    if not text.startswith("]", position):
        while True:
            item, position = decoder.raw_decode(text, position)
            yield item
            position = _JSON_SPACE.match(text, position).end()
            if not text.startswith(",", position):
                break
            position = _JSON_SPACE.match(text, position + 1).end()
        if not text.startswith("]", position):
            raise json.JSONDecodeError("Expecting ',' delimiter or ']'", text, position)
    position = _JSON_SPACE.match(text, position + 1).end()
    if position != len(text):
        raise json.JSONDecodeError("Extra data", text, position)


def _check_json_record(number: int, record: object, limits: UploadLimits) -> None:
    if not isinstance(record, dict):
        raise _Refusal(f"row {number:,} is {_json_kind(record)}; each row should be an object.")
    if len(record) > limits.max_columns:
        raise _Refusal(f"row {number:,} has {len(record):,} keys; " + _columns_limit(limits))
    for key, value in record.items():
        # Values are cells: anything nested is refused, which also ends nesting bombs at one level.
        if not isinstance(value, _JSON_SCALARS):
            raise _Refusal(
                f"row {number:,} has {_json_kind(value)} under “{_shorten(key)}”; "
                "values must be text, numbers, true, false or null, not nested."
            )


def _json_kind(value: object) -> str:
    kinds = ((bool, "true or false"), (dict, "an object"), (list, "a list"), (str, "a string"))
    for kind, described in kinds:
        if isinstance(value, kind):
            return described
    return "null" if value is None else "a number"


# XLSX: the zip ----------------------------------------------------------------------------------------


def _check_xlsx(data: bytes, limits: UploadLimits) -> None:
    entries = _declared_entry_count(data)
    if entries is not None and entries > limits.max_members:
        raise _too_many_members(entries, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (*_ZIP_ERRORS, ValueError, struct.error):
        raise _Refusal("it is not an Excel .xlsx file (it cannot be opened as one).") from None
    with archive:
        members = archive.infolist()
        _check_members(members, limits)
        try:
            for member in members:
                _scan_member(archive, member, limits)
        except _ZIP_ERRORS as error:
            raise _Refusal(f"it is a damaged Excel .xlsx file ({_shorten(str(error), 80)}).") from None


def _declared_entry_count(data: bytes) -> int | None:
    """How many members the end-of-central-directory record announces (zip64 too), or None if unknown.

    zipfile builds an object for every directory entry before anyone can count them, so a directory of
    a hundred thousand entries is refused from this number first. Like zipfile, take the last record.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))
    if end < 0 or end + 22 > len(data):
        return None
    (entries,) = struct.unpack_from("<H", data, end + 10)
    locator = end - 20
    if entries == 0xFFFF and locator >= 56 and data[locator : locator + 4] == b"PK\x06\x07":
        record = locator - 56  # the zip64 end record sits just before its locator
        if data[record : record + 4] == b"PK\x06\x06":
            (entries,) = struct.unpack_from("<Q", data, record + 32)
    return entries


def _too_many_members(count: int, limits: UploadLimits) -> _Refusal:
    return _Refusal(
        f"it is a zip archive of {count:,} parts; an Excel file here can have at most {limits.max_members:,}."
    )


def _check_members(members: list[zipfile.ZipInfo], limits: UploadLimits) -> None:
    if len(members) > limits.max_members:
        raise _too_many_members(len(members), limits)
    if not any(member.filename == "[Content_Types].xml" for member in members):
        raise _Refusal("it is not an Excel .xlsx file (it is a zip archive without a workbook).")
    declared = sum(member.file_size for member in members)
    if declared > limits.max_uncompressed_bytes:
        raise _Refusal(
            f"it unpacks to {filesizeformat(declared)}; a file can unpack to at most "
            f"{filesizeformat(limits.max_uncompressed_bytes)}."
        )


def _read_capped(archive: zipfile.ZipFile, member: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
    """The member's bytes in chunks, refused as soon as more than `cap` bytes have come out.

    The cap is the member's declared size, and the declared sizes together are within the limit, so
    however a header lies, no more than the limit is ever unpacked. (zipfile also stops at the declared
    size and then finds the CRC wrong; this does not depend on it.)
    """
    produced = 0
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            produced += len(chunk)
            if produced > cap:
                raise _Refusal(
                    f"its part “{_shorten(member.filename)}” unpacks to more than the "
                    f"{filesizeformat(cap)} its header declares; the file is damaged or forged."
                )
            yield chunk


def _scan_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: UploadLimits) -> None:
    """Unpack every member through the cap, and read as XML whatever an XML parser would take for XML.

    The part a workbook's relationships name as a sheet may be called anything, so no name is trusted:
    a member that expat rejects before its first element (an image, printer settings) is binary, and
    openpyxl's parser, also expat, would reject it too.
    """
    chunks = _read_capped(archive, member, member.file_size)
    scan = _XmlScan(member.filename, limits)
    try:
        scan.feed(chunks)
    except expat.ExpatError as error:
        if scan.root_seen:
            where = f"{expat.ErrorString(error.code)}, line {error.lineno:,}"
            raise _Refusal(
                f"its part “{_shorten(member.filename)}” is not well-formed XML ({where})."
            ) from None
        for _chunk in chunks:  # not XML: still unpacked, so a forged size or a bad CRC is caught
            pass


# XLSX: the XML ----------------------------------------------------------------------------------------


class _XmlScan:
    """One part through expat, which builds no tree: refuses DTDs and rows or columns past the limits.

    Every part is scanned for sheet rows, not only those whose root is <worksheet>: openpyxl reads a
    sheet's rows wherever they are in the part it was pointed to.
    """

    def __init__(self, part: str, limits: UploadLimits) -> None:
        self.part = part
        self.limits = limits
        self.root_seen = False
        self.row = 0  # openpyxl numbers a <row> without r as the one after the last
        self.column = 0  # and a <c> without r as the one after the last in its row
        self._parser = expat.ParserCreate(namespace_separator=" ")
        # A DTD is where entities live ("billion laughs"); a spreadsheet never has one.
        self._parser.StartDoctypeDeclHandler = self._refuse_dtd
        self._parser.EntityDeclHandler = self._refuse_dtd
        self._parser.StartElementHandler = self._start

    def feed(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            self._parser.Parse(chunk, False)
        self._parser.Parse(b"", True)

    def _refuse_dtd(self, *_args: object) -> None:
        raise _Refusal(
            f"its part “{_shorten(self.part)}” declares a DOCTYPE or entities, which a spreadsheet never "
            "needs and which can be used to exhaust memory (“billion laughs”)."
        )

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        # Called for every element of every part: cells, the most frequent, are tested first and cheaply.
        if tag == _CELL:
            self._cell(attributes.get("r"))
        elif tag == _ROW:
            r = attributes.get("r")
            self.row = self.row + 1 if r is None else _row_number(r)
            self.column = 0
            _check_row(self.row, self.limits, "its sheet reaches")
        elif tag == _DIMENSION:
            _check_dimension(attributes.get("ref", ""), self.limits)
        self.root_seen = True

    def _cell(self, r: str | None) -> None:
        if r is None:
            self.column += 1
        else:
            self.column, row = _cell_position(r)
            if row > self.row:  # a cell may name a row below its <row>; openpyxl believes the cell
                _check_row(row, self.limits, "its sheet reaches")
        if self.column > self.limits.max_columns:
            _check_column(self.column, self.limits, "its sheet reaches")


def _check_row(row: int, limits: UploadLimits, what: str) -> None:
    if row > limits.max_rows + 1:  # the first row is the header
        raise _Refusal(f"{what} row {row:,}; " + _rows_limit(limits))


def _check_column(column: int, limits: UploadLimits, what: str) -> None:
    if column > limits.max_columns:
        raise _Refusal(
            f"{what} column {_column_letters(column)} (column {column:,}); " + _columns_limit(limits)
        )


def _check_dimension(ref: str, limits: UploadLimits) -> None:
    """openpyxl's read-only sheets pad every row to the declared last column and add rows to the last row."""
    what = f"its sheet declares its size as “{_shorten(ref)}”, which reaches"
    ends = ref.split(":")
    matches = [_RANGE_END.fullmatch(end) for end in ends]
    if not ref or len(ends) > 2 or not all(matches):
        raise _Refusal(f"its sheet declares a malformed size, “{_shorten(ref)}”.")
    for match in matches:
        letters, digits = match.groups()
        if digits:
            _check_row(int(digits), limits, what)
        if letters:
            _check_column(_column_number(letters), limits, what)


def _row_number(text: str) -> int:
    """A <row r>: openpyxl takes "7" and also "7.0"; anything else it rejects, and so do we."""
    if len(text) <= 20:
        try:
            return int(text)
        except ValueError:
            pass
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if value.is_integer():
            return int(value)
    raise _Refusal(f"its sheet has a malformed row number, “{_shorten(text)}”.")


def _cell_position(ref: str) -> tuple[int, int]:
    """(column, row) of a cell reference such as "XFD1"."""
    match = _CELL_REF.fullmatch(ref)
    if not match:
        raise _Refusal(f"its sheet has a malformed cell reference, “{_shorten(ref)}”.")
    letters, digits = match.groups()
    return _column_number(letters), int(digits)


@functools.cache  # at most 18,278 keys (one to three letters), looked up for every cell
def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


_CHECKS: dict[str, Callable[[bytes, UploadLimits], None]] = {
    "csv": functools.partial(_check_delimited, delimiter=",", advice=_CSV_ADVICE),
    "tsv": functools.partial(_check_delimited, delimiter="\t", advice=_TSV_ADVICE),
    "json": _check_json,
    "xlsx": _check_xlsx,
}

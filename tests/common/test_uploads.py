"""The checks made on a spreadsheet upload before any parser reads it.

Every hostile file is made here, by openpyxl or by hand with zipfile, so no binary fixture is kept.
Small limits keep each test quick; what is asserted is the refusal, the file's name and the reason.
"""

import codecs
import io
import json
import pickle
import struct
import zipfile

import openpyxl
import pytest

from common.uploads import (
    CHUNK,
    RefusedUpload,
    UploadLimits,
    _first_non_utf8_byte,
    _read_capped,
    _Refusal,
    check_upload,
    limits_from_settings,
)

DEFAULTS = UploadLimits(
    max_bytes=10 * 1024 * 1024,
    max_rows=200_000,
    max_columns=200,
    max_uncompressed_bytes=100 * 1024 * 1024,
    max_members=200,
)
SMALL = UploadLimits(
    max_bytes=1024 * 1024,
    max_rows=5,
    max_columns=4,
    max_uncompressed_bytes=256 * 1024,
    max_members=20,
)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def refusal(data: bytes, name: str, format_name: str, limits: UploadLimits = DEFAULTS) -> str:
    """The refusal's sentence, after checking that it names the file."""
    with pytest.raises(RefusedUpload) as caught:
        check_upload(data, name=name, format_name=format_name, limits=limits)
    message = str(caught.value)
    assert f"“{name}”" in message
    assert caught.value.name == name
    return message


def accepted(data: bytes, format_name: str, limits: UploadLimits = DEFAULTS) -> None:
    assert check_upload(data, name="fine." + format_name, format_name=format_name, limits=limits) is None


# XLSX makers -------------------------------------------------------------------------------------------


def openpyxl_xlsx(*cells: tuple[int, int, object]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["title", "url"])
    sheet.append(["A source", "https://example.org"])
    for row, column, value in cells:
        sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_of(members: dict[str, bytes], *, content_types: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def sheet_xml(sheet_data: str, *, before: str = "") -> bytes:
    """A worksheet part around `sheet_data`, with no <dimension> unless `before` has one."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">{before}'
        f"<sheetData>{sheet_data}</sheetData></worksheet>"
    ).encode()


def hand_made_xlsx(sheet: bytes, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    return zip_of({"xl/workbook.xml": f'<workbook xmlns="{MAIN_NS}"/>'.encode(), name: sheet})


# XLSX ------------------------------------------------------------------------------------------------


def test_a_small_workbook_from_openpyxl_passes():
    accepted(openpyxl_xlsx(), "xlsx")


def test_a_hand_made_workbook_within_the_limits_passes():
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="D{r}"><v>2</v></c></row>' for r in range(1, 7)
    )
    accepted(hand_made_xlsx(sheet_xml(rows)), "xlsx", SMALL)


def test_one_cell_at_the_last_row_of_excel_is_refused_by_its_row():
    message = refusal(openpyxl_xlsx((1_048_576, 1, "x")), "sources.xlsx", "xlsx")
    assert "row 1,048,576" in message
    assert "200,000 rows" in message


def test_one_cell_at_column_xfd_is_refused_by_its_column():
    message = refusal(openpyxl_xlsx((1, 16_384, "x")), "wide.xlsx", "xlsx")
    assert "column XFD" in message
    assert "200 columns" in message


def test_a_dimension_reaching_xfd1048576_is_refused_before_any_row():
    sheet = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', before='<dimension ref="A1:XFD1048576"/>')
    message = refusal(hand_made_xlsx(sheet), "claims.xlsx", "xlsx")
    assert "A1:XFD1048576" in message
    assert "row 1,048,576" in message


def test_a_dimension_past_the_columns_only_is_refused_by_its_column():
    sheet = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', before='<dimension ref="A1:IV3"/>')
    assert "column IV" in refusal(hand_made_xlsx(sheet), "claims.xlsx", "xlsx")


def test_a_malformed_dimension_is_refused():
    sheet = sheet_xml("", before='<dimension ref="A1:B2:C3"/>')
    assert "malformed size" in refusal(hand_made_xlsx(sheet), "claims.xlsx", "xlsx")


def test_a_giant_run_of_rows_is_refused_by_the_rows_present_without_a_dimension():
    # No r attribute and no dimension: the rows are counted as openpyxl numbers them.
    sheet = sheet_xml("<row/>" * 250_000)
    assert "row 200,002" in refusal(hand_made_xlsx(sheet), "rows.xlsx", "xlsx")


def test_rows_just_within_the_limit_pass_and_one_more_is_refused():
    header_and_five = "<row><c><v>1</v></c></row>" * (SMALL.max_rows + 1)
    accepted(hand_made_xlsx(sheet_xml(header_and_five)), "xlsx", SMALL)
    one_more = header_and_five + "<row><c><v>1</v></c></row>"
    assert "row 7" in refusal(hand_made_xlsx(sheet_xml(one_more)), "rows.xlsx", "xlsx", SMALL)


def test_cells_without_references_are_counted_across_their_row():
    sheet = sheet_xml("<row>" + "<c><v>1</v></c>" * 5 + "</row>")
    assert "column E" in refusal(hand_made_xlsx(sheet), "cells.xlsx", "xlsx", SMALL)


def test_a_cell_naming_a_row_below_its_row_element_is_refused_by_that_row():
    sheet = sheet_xml('<row r="1"><c r="A900000"><v>1</v></c></row>')
    assert "row 900,000" in refusal(hand_made_xlsx(sheet), "sly.xlsx", "xlsx")


def test_a_row_number_written_as_a_float_is_read_as_openpyxl_reads_it():
    sheet = sheet_xml('<row r="1048576.0"/>')
    assert "row 1,048,576" in refusal(hand_made_xlsx(sheet), "float.xlsx", "xlsx")


@pytest.mark.parametrize(
    ("sheet_data", "reason"),
    [('<row r="ten"/>', "malformed row number"), ('<row><c r="ABCD1"/></row>', "malformed cell reference")],
)
def test_malformed_references_are_refused(sheet_data, reason):
    assert reason in refusal(hand_made_xlsx(sheet_xml(sheet_data)), "odd.xlsx", "xlsx")


def test_a_sheet_under_any_part_name_is_scanned():
    # The workbook's relationships may point a sheet at any part: no name is trusted.
    sheet = sheet_xml('<row r="1048576"/>')
    assert "row 1,048,576" in refusal(hand_made_xlsx(sheet, name="xl/media/image1.png"), "x.xlsx", "xlsx")


def test_binary_parts_such_as_images_pass():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    archive = zip_of({"xl/workbook.xml": f'<workbook xmlns="{MAIN_NS}"/>'.encode(), "xl/media/a.png": png})
    accepted(archive, "xlsx")


def test_billion_laughs_is_refused_for_its_doctype():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<sst><si><t>&lol3;</t></si></sst>"
    )
    message = refusal(zip_of({"xl/sharedStrings.xml": laughs}), "laughs.xlsx", "xlsx")
    assert "DOCTYPE" in message
    assert "xl/sharedStrings.xml" in message


def test_a_doctype_is_refused_whatever_the_encoding():
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    part = codecs.BOM_UTF16_LE + utf16.encode("utf-16-le")
    assert "DOCTYPE" in refusal(zip_of({"xl/workbook.xml": part}), "sixteen.xlsx", "xlsx")


def test_a_sheet_that_is_not_well_formed_xml_is_refused():
    broken = f'<worksheet xmlns="{MAIN_NS}"><sheetData><row></sheetData></worksheet>'.encode()
    assert "not well-formed XML" in refusal(hand_made_xlsx(broken), "broken.xlsx", "xlsx")


def test_a_zip_bomb_is_refused_by_its_declared_size():
    # 2 MB of spaces deflate to about 2 KB; the limit here is 256 KB.
    bomb = zip_of({"xl/worksheets/sheet1.xml": b" " * (2 * 1024 * 1024)})
    assert len(bomb) < 10_000
    message = refusal(bomb, "bomb.xlsx", "xlsx", SMALL)
    assert "unpacks to 2.0" in message
    assert "256.0" in message


def test_a_member_whose_header_understates_its_size_is_refused():
    real = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' * 2000)
    forged = forge_sizes(hand_made_xlsx(real), "xl/worksheets/sheet1.xml", size=100)
    with zipfile.ZipFile(io.BytesIO(forged)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 100
    assert "damaged" in refusal(forged, "forged.xlsx", "xlsx")


def forge_sizes(data: bytes, member: str, *, size: int) -> bytes:
    """The archive with `member`'s uncompressed size rewritten in both its local and central headers."""
    forged = bytearray(data)
    name = member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = forged.find(signature)
        while forged[at + name_at : at + name_at + len(name)] != name:
            at = forged.find(signature, at + 1)
        struct.pack_into("<I", forged, at + size_at, size)
    return bytes(forged)


def test_the_capped_reader_stops_once_more_than_its_cap_has_come_out():
    archive = zipfile.ZipFile(io.BytesIO(zip_of({"big.xml": b"x" * (3 * CHUNK)})))
    member = archive.getinfo("big.xml")
    chunks = _read_capped(archive, member, CHUNK + 1)
    assert len(next(chunks)) == CHUNK
    with pytest.raises(_Refusal, match="big.xml"):
        next(chunks)


def test_too_many_members_are_refused():
    members = {f"xl/media/image{n}.png": b"" for n in range(250)}
    message = refusal(zip_of(members), "many.xlsx", "xlsx")
    assert "251 parts" in message
    assert "at most 200" in message


def test_a_zip64_archive_counts_its_members_too():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for n in range(30):
            archive.writestr(f"part{n}.xml", b"<x/>")
    data = bytearray(out.getvalue())
    data[-22 + 8 : -22 + 12] = b"\xff\xff\xff\xff"  # counts saturated, as zip64 writers leave them
    data[-22:-22] = zip64_end_records(entries=31, end=len(data) - 22)
    assert "31 parts" in refusal(bytes(data), "zip64.xlsx", "xlsx", SMALL)


def zip64_end_records(*, entries: int, end: int) -> bytes:
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, 0, 0)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end, 1)
    return record + locator


def test_a_file_that_is_not_a_zip_is_refused():
    message = refusal(b"title,url\nA,https://example.org\n", "sources.xlsx", "xlsx")
    assert "is not an Excel .xlsx file" in message


def test_a_zip_without_a_workbook_is_refused():
    archive = zip_of({"readme.txt": b"hello"}, content_types=False)
    assert "is not an Excel .xlsx file" in refusal(archive, "photos.xlsx", "xlsx")


# CSV and TSV -----------------------------------------------------------------------------------------


def test_latin1_csv_is_refused_naming_utf8_and_where_it_failed():
    data = "title,place\nCafé,Zürich\n".encode("latin-1")
    message = refusal(data, "places.csv", "csv")
    assert "UTF-8" in message
    assert "CSV UTF-8" in message
    assert "offset 15" in message
    assert "line 2" in message


def test_utf8_csv_with_a_bom_passes():
    accepted(codecs.BOM_UTF8 + "title,place\nCafé,Zürich\n".encode(), "csv")


def test_the_first_bad_byte_is_found_across_chunk_boundaries():
    # A two-byte character split across the first chunk boundary, then a lone continuation byte.
    data = b"a" * (CHUNK - 1) + "é".encode() + b"b" * 10 + b"\x80"
    assert _first_non_utf8_byte(data) == CHUNK + 11
    assert _first_non_utf8_byte(codecs.BOM_UTF8 + b"ok\xff") == 5


def test_csv_rows_up_to_the_limit_pass_and_more_are_refused():
    header = "title,url\n"
    accepted((header + "a,b\n" * SMALL.max_rows).encode(), "csv", SMALL)
    message = refusal((header + "a,b\n" * (SMALL.max_rows + 1)).encode(), "rows.csv", "csv", SMALL)
    assert "more than 5 rows" in message


def test_a_quoted_field_with_newlines_counts_as_one_row():
    record = 'a,"first line\nsecond line\r\nthird line"\n'
    accepted(("title,notes\n" + record * SMALL.max_rows).encode(), "csv", SMALL)


def test_blank_lines_are_not_counted_as_rows():
    accepted(("title,url\n" + "a,b\n\n" * SMALL.max_rows).encode(), "csv", SMALL)


def test_too_many_columns_are_refused():
    data = b"a,b,c\n1,2,3,4,5\n"
    message = refusal(data, "wide.csv", "csv", SMALL)
    assert "5 columns" in message
    assert "line 2" in message


def test_tsv_counts_columns_by_tabs():
    accepted(b"a,b,c,d,e,f\n1,2,3,4,5,6\n", "tsv", SMALL)
    assert "5 columns" in refusal(b"a\tb\tc\td\te\n", "wide.tsv", "tsv", SMALL)


def test_an_unreadable_csv_is_refused():
    data = b"title\n" + b"x" * 200_000 + b"\n"  # one field past the csv module's field limit
    assert "cannot be read as CSV" in refusal(data, "huge-field.csv", "csv")


def test_an_empty_file_is_refused():
    for format_name in ("csv", "tsv", "json", "xlsx"):
        assert "is empty" in refusal(b"", f"nothing.{format_name}", format_name)


def test_a_file_over_the_size_limit_is_refused_with_both_sizes():
    message = refusal(b"a,b\n" * 300_000, "big.csv", "csv", SMALL)
    assert "1.1\xa0MB" in message
    assert "at most 1.0\xa0MB" in message
    just_over = refusal(b"a" * (SMALL.max_bytes + 1), "big.csv", "csv", SMALL)
    assert "1,048,577 bytes" in just_over


def test_a_legitimate_20000_row_csv_passes_with_the_default_limits():
    rows = "".join(f'{n},"Source {n}","line one\nline two",https://example.org/{n}\n' for n in range(20_000))
    accepted(("id,title,notes,url\n" + rows).encode(), "csv")


# JSON ------------------------------------------------------------------------------------------------


def test_a_list_of_flat_objects_passes():
    rows = [{"title": "A", "year": 2024, "score": 1.5, "open": True, "note": None}] * 3
    accepted(json.dumps(rows).encode(), "json")
    accepted(b" [ ] ", "json")


def test_an_object_at_the_top_level_is_refused():
    message = refusal(json.dumps({"rows": []}).encode(), "rows.json", "json")
    assert "holds an object" in message
    assert "list of objects" in message


def test_a_list_of_something_other_than_objects_is_refused():
    assert "row 2 is a list" in refusal(b'[{"a": 1}, [1, 2]]', "rows.json", "json")


def test_a_nested_value_is_refused():
    message = refusal(json.dumps([{"title": "A", "tags": ["x"]}]).encode(), "rows.json", "json")
    assert "row 1 has a list" in message
    assert "“tags”" in message


def test_a_nesting_bomb_is_refused():
    assert "nested too deeply" in refusal(b"[" * 100_000, "deep.json", "json")
    assert "row 1 has an object" in refusal(
        b'[{"a": ' + b'{"a": ' * 50 + b"1" + b"}" * 51 + b"]", "d.json", "json"
    )


def test_json_rows_up_to_the_limit_pass_and_more_are_refused():
    accepted(json.dumps([{"a": 1}] * SMALL.max_rows).encode(), "json", SMALL)
    message = refusal(json.dumps([{"a": 1}] * (SMALL.max_rows + 1)).encode(), "rows.json", "json", SMALL)
    assert "more than 5 rows" in message


def test_an_object_with_too_many_keys_is_refused():
    row = {f"k{n}": n for n in range(SMALL.max_columns + 1)}
    assert "5 keys" in refusal(json.dumps([row]).encode(), "wide.json", "json", SMALL)


@pytest.mark.parametrize("text", [b"[{}", b'[{"a": 1}] []', b'[{"a": 1} {"a": 2}]', b"{nope", b'[{"a": 1},]'])
def test_invalid_json_is_refused(text):
    assert "not valid JSON" in refusal(text, "broken.json", "json")


def test_json_that_is_not_utf8_is_refused():
    data = json.dumps([{"place": "Zürich"}], ensure_ascii=False).encode("latin-1")
    message = refusal(data, "places.json", "json")
    assert "UTF-8" in message
    assert "offset" in message


# The API ---------------------------------------------------------------------------------------------


def test_an_unknown_format_is_a_programming_error_not_a_refusal():
    with pytest.raises(ValueError, match="xls") as caught:
        check_upload(b"x", name="old.xls", format_name="xls")
    assert not isinstance(caught.value, RefusedUpload)


def test_the_refusal_is_a_value_error_that_pickles():
    with pytest.raises(ValueError) as caught:
        check_upload(b"", name="nothing.csv", format_name="csv", limits=SMALL)
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value)
    assert again.reason == "it is empty."


def test_limits_come_from_settings(settings):
    settings.FOOTNOTE_MAX_IMPORT_BYTES = 1234
    settings.FOOTNOTE_MAX_IMPORT_ROWS = 7
    del settings.FOOTNOTE_MAX_IMPORT_COLUMNS
    limits = limits_from_settings()
    assert (limits.max_bytes, limits.max_rows, limits.max_columns) == (1234, 7, 200)
    assert "more than 7 rows" in refusal(b"h\n" + b"r\n" * 8, "rows.csv", "csv", limits_from_settings())


def test_without_limits_the_settings_apply(settings):
    settings.FOOTNOTE_MAX_IMPORT_ROWS = 2
    with pytest.raises(RefusedUpload, match="more than 2 rows"):
        check_upload(b"h\nr\nr\nr\n", name="rows.csv", format_name="csv")

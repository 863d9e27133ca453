import tablib
from hypothesis import given
from hypothesis import strategies as st

from common.formats import XLSX, escape_xlsx_text, unescape_xlsx_text


@given(st.text())
def test_any_text_survives_the_excel_escapes(text):
    assert unescape_xlsx_text(escape_xlsx_text(text)) == text


def test_a_workbook_gives_back_carriage_returns_control_characters_and_literal_escapes():
    values = ["line\r\nbreak", "tab\tand\x0bvertical tab", "literal _x0041_ stays", "Кыргызстан 中文", ""]
    dataset = tablib.Dataset(values, headers=[f"c{n}" for n in range(len(values))])

    back = XLSX().create_dataset(XLSX().export_data(dataset))

    assert [value or "" for value in back[0]] == values


def test_excel_reads_the_escape_it_writes_for_a_carriage_return():
    # What Excel itself stores for "a\r\nb": the import reads it as Excel shows it.
    assert unescape_xlsx_text("a_x000D_\nb") == "a\r\nb"

"""The file formats spreadsheets travel in: django-import-export's, with Excel made lossless.

An XLSX cell is XML text, which cannot hold a carriage return (XML reads "\\r\\n" as "\\n") nor most
control characters. Office Open XML writes such a character as `_xHHHH_` (and a literal `_x` that
would read as one as `_x005F_x`), and Excel shows the character itself; openpyxl neither writes nor
reads these escapes, so Footnote does both, and a text leaves and comes back byte for byte.
"""

import re

from import_export.formats import base_formats

CSV, TSV, JSON = base_formats.CSV, base_formats.TSV, base_formats.JSON

# Characters an XLSX cell cannot hold as themselves: C0 controls but tab and line feed, and CR.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b-\x1f]")
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def escape_xlsx_text(value):
    """A cell value as Excel must store it."""
    if not isinstance(value, str):
        return value
    value = _LOOKS_ESCAPED.sub("_x005F_", value)
    return _UNWRITABLE.sub(lambda m: f"_x{ord(m[0]):04X}_", value)


def unescape_xlsx_text(value):
    """A cell value as it was written, from what Excel stores."""
    if not isinstance(value, str) or "_x" not in value:
        return value
    return _ESCAPED.sub(lambda m: chr(int(m[1], 16)), value)


class XLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        escaped = dataset.__class__(headers=dataset.headers, title=dataset.title)
        for row in dataset:
            escaped.append([escape_xlsx_text(value) for value in row])
        return super().export_data(escaped, **kwargs)

    def create_dataset(self, in_stream):
        dataset = super().create_dataset(in_stream)
        dataset.headers = [unescape_xlsx_text(header) for header in dataset.headers or []]
        for index, row in enumerate(dataset):
            dataset[index] = [unescape_xlsx_text(value) for value in row]
        return dataset


FORMATS = (CSV, XLSX, TSV, JSON)

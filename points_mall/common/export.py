"""Spreadsheets for people who keep records in Excel."""
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_of(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One sheet per (title, headers, rows)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(_cell(title)[:31] or "Sheet")
        ws.append(cells(ws, headers))
        for row in rows:
            ws.append(cells(ws, row))
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = max(10, *(len(str(c.value or "")) * 2
                                                                            for c in column))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# Excel and WPS read a cell typed in that starts with one of these as a formula (=HYPERLINK(...)); a
# member named so must stay a name in every export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cells(ws, values) -> list:
    """A row for ws: text is written as text (a string cell kept as typed, even when edited in Excel),
    never as a formula; numbers and dates as themselves."""
    row = []
    for value in values:
        value = _cell(value)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            text = WriteOnlyCell(ws, value)
            text.data_type = "s"  # openpyxl would write a leading "=" as a formula
            text.quotePrefix = True
            row.append(text)
        else:
            row.append(value)
    return row


def _cell(value):
    """Text that reached the database before control characters were refused (or a sheet title with
    a slash) must not break the whole export: such characters are dropped from the cell."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value).replace("/", "／") if value else value
    return value

"""Spreadsheets for people who keep records in Excel."""
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_of(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One sheet per (title, headers, rows)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(_cell(title)[:31] or "Sheet")
        ws.append([_cell(h) for h in headers])
        for row in rows:
            ws.append([_cell(v) for v in row])
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = max(10, *(len(str(c.value or "")) * 2
                                                                            for c in column))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value):
    """Text that reached the database before control characters were refused (or a sheet title with
    a slash) must not break the whole export: such characters are dropped from the cell."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value).replace("/", "／") if value else value
    return value

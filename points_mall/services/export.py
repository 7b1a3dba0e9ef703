"""Spreadsheets for people who keep records in Excel."""
from io import BytesIO

from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_of(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One sheet per (title, headers, rows)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(headers)
        for row in rows:
            ws.append(row)
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = max(10, *(len(str(c.value or "")) * 2
                                                                            for c in column))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()

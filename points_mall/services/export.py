"""Spreadsheets for people who keep records in Excel."""
from io import BytesIO

from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(title: str, headers: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for column in ws.columns:
        ws.column_dimensions[column[0].column_letter].width = max(10, *(len(str(c.value or "")) * 2 for c in column))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()

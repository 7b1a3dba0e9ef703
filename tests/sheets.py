"""Build member-import sheets in memory."""
from io import BytesIO

from openpyxl import Workbook

from points_mall.people.members import COLUMNS


def sheet(rows, header=COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()

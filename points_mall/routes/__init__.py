"""Thin flask-smorest blueprints: parse → call a service → dump."""
from . import (activities, admin, admin_members, admin_orgs, admin_setup, audit, auth, awards, boards, console, mall, me,
               member_web, notify, uploads)

BLUEPRINTS = [auth.blp, me.blp, awards.blp, activities.blp, mall.blp, notify.blp, boards.blp, admin.blp,
              admin_orgs.blp, admin_members.blp, admin_setup.blp, uploads.blp, audit.blp,
              member_web.blp, console.blp]


def document(spec) -> None:
    """What the decorators cannot say by themselves: a PATCH changes at least one field; an operation
    marked x-xlsx also answers a workbook; the X-Pagination header is a JSON text."""
    from ..services.export import XLSX

    for name, schema in spec.components.schemas.items():
        if name.endswith("Patch"):
            schema["minProperties"] = 1
    for operations in spec._paths.values():
        for operation in operations.values():
            if isinstance(operation, dict) and operation.pop("x-xlsx", False):
                content = operation["responses"]["200"]["content"]
                content[XLSX] = {"schema": {"type": "string", "format": "binary"}}
    for header in spec.components.headers.values():
        if header.get("schema", {}).get("$ref", "").endswith("/PaginationMetadata"):
            header["schema"] = {"type": "string", "description": "JSON：total, total_pages, page, ..."}

"""Thin flask-smorest blueprints: parse → call a service → dump."""
from . import (activities, admin, admin_members, admin_orgs, admin_setup, audit, auth, awards, boards, console, mall, me,
               member_web, notify, uploads)

BLUEPRINTS = [auth.blp, me.blp, awards.blp, activities.blp, mall.blp, notify.blp, boards.blp, admin.blp,
              admin_orgs.blp, admin_members.blp, admin_setup.blp, uploads.blp, audit.blp,
              member_web.blp, console.blp]


def document(spec) -> None:
    """What the schemas cannot say by themselves: a PATCH changes at least one field."""
    for name, schema in spec.components.schemas.items():
        if name.endswith("Patch"):
            schema["minProperties"] = 1

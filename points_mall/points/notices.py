"""What a member is told of a posting (积分变动通知), written by the posting's own statement."""
from sqlalchemy import JSON, String, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB

from points_mall.notify.notify import queued
from points_mall.points.ledger import Parts
from points_mall.points.ledger.statement import sql_text


def points_changed(parts: Parts):
    """The notification each member with an entry gets, as a CTE of the ledger's statement: body =
    the parameter notice_body + the points + "分", data = the parameter notice_data + the entry's id.
    Its event and title are the parameters notice_event and notice_title."""
    plan, entries = parts.plan, parts.entries
    told = (select(entries.c.member_id, bindparam("notice_event", type_=String), bindparam("notice_title", type_=String),
                   bindparam("notice_body", type_=String) + cast(func.abs(plan.c.delta_score), String) + sql_text("分"),
                   cast(func.jsonb_build_object(sql_text("entry_id"), entries.c.id)
                        .op("||")(bindparam("notice_data", type_=JSONB)), JSON))
            .join_from(entries, plan, plan.c.member_id == entries.c.member_id).order_by(entries.c.member_id))
    return queued(told, parts.now).cte("told")


def notice(title: str, body: str, data: dict, event: str = "points_changed") -> dict:
    """The parameters of points_changed (a check-in's is `checked_in`: the inbox only, never pushed)."""
    return {"notice_event": event, "notice_title": title, "notice_body": body, "notice_data": data}

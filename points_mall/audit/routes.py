"""The audit trail (操作日志), searched by an admin over the whole tree."""
from datetime import datetime, time, timedelta

from flask_smorest import Blueprint

from points_mall.audit.schemas import AuditPage, AuditQuery
from points_mall.audit import trail as audit
from points_mall.common.clock import zone
from points_mall.common.paging import paginated
from points_mall.common.security import current_actor, forget_client_address, remember_client_address, requires

blp = Blueprint("audit", __name__, url_prefix="/api/v1/admin", description="管理：操作日志")


@blp.get("/audit")
@requires("admin")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditPage)
@paginated(items="entries", cursor=True)
def search(query, page):
    """Changes and logins, newest first; from/to are whole days in local time."""
    start = datetime.combine(query["start"], time.min, zone()) if query["start"] else None
    end = datetime.combine(query["end"] + timedelta(days=1), time.min, zone()) if query["end"] else None
    return audit.search(current_actor(), page, actor_key=query["actor"], entity=query["entity"],
                        entity_id=query["entity_id"], action=query["action"], start=start, end=end)


# Every request, not only this blueprint's: any change anywhere is audited with its client address.
blp.before_app_request(remember_client_address)
blp.teardown_app_request(forget_client_address)

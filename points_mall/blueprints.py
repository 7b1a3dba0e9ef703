"""Thin flask-smorest blueprints: parse → call a service → dump."""
from points_mall.activities import routes as activities
from points_mall.people.routes import admin, admin_members, admin_orgs
from points_mall.year.routes import archive, declarations, publicity, settlement
from points_mall.audit import routes as audit
from points_mall.accounts.routes import auth, console_login, member_web
from points_mall.points.routes import awards, me, rules
from points_mall.board import routes as boards
from points_mall.mall.routes import console, mall, uploads
from points_mall.notify.routes import notify

BLUEPRINTS = [auth.blp, me.blp, rules.blp, awards.blp, activities.blp, mall.blp, notify.blp, boards.blp, admin.blp,
              admin_orgs.blp, admin_members.blp, uploads.blp, audit.blp,
              member_web.blp, console.blp, console_login.blp, declarations.blp, archive.blp, publicity.blp,
              settlement.blp]


def document(spec) -> None:
    """What the decorators cannot say by themselves: a PATCH changes at least one field; an operation
    marked x-xlsx also answers a workbook; the X-Pagination header is a JSON text."""
    from points_mall.common.export import XLSX
    from points_mall.common.paging import document_max_page

    for name, schema in spec.components.schemas.items():
        if name.endswith("Patch"):
            schema["minProperties"] = 1
    for operations in spec._paths.values():
        for operation in operations.values():
            if isinstance(operation, dict) and operation.pop("x-xlsx", False):
                content = operation["responses"]["200"]["content"]
                content[XLSX] = {"schema": {"type": "string", "format": "binary"}}
    document_max_page(spec)
    spec._paths["/wechat/callback"] = WECHAT_CALLBACK  # a plain blueprint: flask-smorest does not see it
    for header in spec.components.headers.values():
        if header.get("schema", {}).get("$ref", "").endswith("/PaginationMetadata"):
            header["schema"] = {"type": "string", "description": "JSON：total, total_pages, page, ..."}
    list_refusals(spec)
    link_flows(spec)


# The refusals an operation can answer by what it is, listed on it (flask-smorest lists the 422 of its
# arguments): with a token, 401 and 403; with an id in the path, 404; with an Idempotency-Key, 400 and 409;
# with a body, 413.
REFUSALS = {
    "UNAUTHORIZED": ("401", "未登录、登录已失效或账号已停用：请重新登录"),
    "FORBIDDEN": ("403", "没有该角色，或对象不在授权的组织或超市范围内"),
    "NOT_FOUND": ("404", "路径中的对象不存在，或不在可见范围内"),
    "BAD_REQUEST": ("400", "请求头有误（如缺少或过长的 Idempotency-Key）"),
    "CONFLICT": ("409", "与现有数据冲突（如同一 Idempotency-Key 用于另一次提交）"),
    "TOO_LARGE": ("413", "请求体超过上限（JSON 2 MB，照片与表格 8 MB）"),
}


def list_refusals(spec) -> None:
    for name, (_status, description) in REFUSALS.items():
        spec.components.response(name, {"description": description, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}})
    for path, operations in spec._paths.items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            names = []
            if operation.get("security"):
                names += ["UNAUTHORIZED", "FORBIDDEN"]
            if "{" in path:
                names.append("NOT_FOUND")
            if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                names += ["BAD_REQUEST", "CONFLICT"]
            if "requestBody" in operation:
                names.append("TOO_LARGE")
            for name in names:
                operation["responses"].setdefault(REFUSALS[name][0], {"$ref": f"#/components/responses/{name}"})


_SIGNED = [{"in": "query", "name": n, "required": True, "schema": {"type": "string"}}
           for n in ("signature", "timestamp", "nonce")]
_REFUSED = {"403": {"$ref": "#/components/responses/DEFAULT_ERROR"},  # a forged signature: nothing is done
            "default": {"$ref": "#/components/responses/DEFAULT_ERROR"}}
# The public account's server URL speaks WeChat's protocol (signed query, XML body), not JSON.
WECHAT_CALLBACK = {
    "get": {"tags": ["wechat"], "summary": "微信服务器配置校验：签名正确时原样返回 echostr",
            "parameters": _SIGNED + [{"in": "query", "name": "echostr", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "echostr", "content": {"text/html": {"schema": {"type": "string"}}}},
                          **_REFUSED}},
    "post": {"tags": ["wechat"], "summary": "公众号消息与事件（明文或安全模式）：扫码签到、回复“积分”",
             "parameters": _SIGNED + [{"in": "query", "name": n, "schema": {"type": "string"}}
                                      for n in ("encrypt_type", "msg_signature", "openid")],
             "requestBody": {"required": True, "content": {"text/xml": {"schema": {"type": "string"}}}},
             "responses": {"200": {"description": "被动回复（XML），或 success",
                                   "content": {"application/xml": {"schema": {"type": "string"}},
                                               "text/html": {"schema": {"type": "string"}}}},
                           "400": {"$ref": "#/components/responses/DEFAULT_ERROR"},
                           **_REFUSED}},
}


# The main flows as OpenAPI links: what one answer gives the next request (clients and schemathesis's
# stateful runs follow them). (operation, status) → {link name: (operationId's path and method, parameters, body)}.
_ID = "$response.body#/id"
LINKS = {
    ("/api/v1/activities", "post", "201"): {
        "Publish": ("/api/v1/activities/{activity_id}/publish", "post", {"activity_id": _ID}, None),
        "ShowCode": ("/api/v1/activities/{activity_id}/qr", "get", {"activity_id": _ID}, None),
        "CheckInByOrganizer": ("/api/v1/activities/{activity_id}/checkins", "post", {"activity_id": _ID}, None),
    },
    ("/api/v1/activities/{activity_id}/qr", "get", "200"): {
        "CheckIn": ("/api/v1/checkins", "post", {}, {"payload": "$response.body#/payload", "nonce": "flow-nonce-1"}),
    },
    ("/api/v1/shop/products", "post", "201"): {
        "StockIn": ("/api/v1/shop/products/{product_id}/stock", "post", {"product_id": _ID}, None),
        "Redeem": ("/api/v1/redemptions", "post", {}, {"shop_id": "$response.body#/shop_id",
                                                        "items": [{"product_id": _ID, "qty": 1}]}),
    },
    ("/api/v1/redemptions", "post", "201"): {
        "Lookup": ("/api/v1/shop/redemptions/lookup", "post", {}, {"pickup_code": "$response.body#/pickup_code"}),
        "Fulfil": ("/api/v1/shop/redemptions/{redemption_id}/fulfil", "post", {"redemption_id": _ID}, None),
        "Cancel": ("/api/v1/redemptions/{redemption_id}/cancel", "post", {"redemption_id": _ID}, None),
    },
    ("/api/v1/awards", "post", "201"): {
        "Approve": ("/api/v1/awards/{award_id}/approve", "post", {"award_id": _ID}, None),
        "Reject": ("/api/v1/awards/{award_id}/reject", "post", {"award_id": _ID}, None),
    },
}


def link_flows(spec) -> None:
    for (path, method, status), links in LINKS.items():
        response = spec._paths[path][method]["responses"][status]
        for name, (target, target_method, parameters, body) in links.items():
            link = {"operationRef": f"#/paths/{target.replace('~', '~0').replace('/', '~1')}/{target_method}"}
            if parameters:
                link["parameters"] = parameters
            if body:
                link["requestBody"] = body
            response.setdefault("links", {})[name] = link

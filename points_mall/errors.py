"""The error catalogue: every code an answer may carry, its HTTP status and the Chinese message shown to
the user as is; and DomainError, the exception that carries a code (the handlers are in common/http_errors)."""
import re

# code → (HTTP status, message). "code:variant" keeps one code with a message for a particular case;
# the answer carries the code. {name} in a message is filled from the error's details.
CATALOGUE: dict[str, tuple[int, str]] = {
    "account_disabled": (401, "账号已停用，请联系管理员"),
    "already_bound:member": (409, "该党员已绑定其他微信：请在原微信“我的二维码”页点“换微信绑定”，或请支部书记发一个绑定码"),
    "already_bound:wechat": (409, "该微信已绑定其他党员"),
    "already_checked_in": (409, "您已签到"),
    "already_fulfilled": (409, "该订单已核销"),
    "already_imported": (409, "部分党员已导入过期初积分，请重新检查表格"),
    "already_reversed": (409, "该记录已冲正"),
    "ambiguous_org": (422, "组织有重名，请先改名"),
    "appeal_window_closed": (409, "公示期已于{closes_at}结束，不能再申诉；如有疑问请联系支部"),
    "bad_credentials": (401, "用户名或密码错误"),
    "bad_request": (400, "请求格式有误"),
    "before_membership": (422, "生效日期不能早于现所在组织的起始日期{since}，请选择这天或之后的日期"),
    "binding_failed": (400, "验证未通过，请核对验证码或绑定码后重试；仍不行请联系支部书记"),
    "cancelled": (409, "活动已取消"),
    "cancelled:edit": (409, "活动已取消，不能修改"),
    "cannot_move_root": (422, "最上级组织不能移动"),
    "cannot_retire_root": (422, "最上级组织不能撤销"),
    "cannot_reverse_reversal": (409, "冲正记录不能再次冲正"),
    "cap_reached": (409, "“{rule}”{period}上限{cap}分已记满，这次申报没有可记的分数；请驳回并写明原因"),
    "closed": (409, "活动已结束"),
    "closed:checkin": (409, "签到已结束"),
    "code_expired": (400, "二维码已过期，请扫描屏幕上的最新二维码"),
    "conflict": (409, "操作冲突，请重试"),
    "console_ticket_expired": (409, "登录二维码已过期，请在电脑上刷新后重新扫码"),
    "console_ticket_used": (409, "该登录二维码已被使用，请在电脑上刷新后重新扫码"),
    "date_out_of_range": (422, "时间应在2000年至2100年之间"),
    "duplicate_activity": (409, "活动已存在"),
    "duplicate_appeal": (409, "您已就此提出申诉，请等待支部处理"),
    "duplicate_award": (409, "该申报已提交"),
    "duplicate_declaration": (409, "{day}的“{rule}”已申报过，同一事项不能重复申报；请在“我的申报”中查看"),
    "duplicate_org": (409, "同一上级下已有“{name}”，请换一个名称"),
    "duplicate_phone": (409, "手机号已登记"),
    "duplicate_product": (409, "商品已存在"),
    "duplicate_rule": (409, "细则编码已存在"),
    "duplicate_shop": (409, "超市已存在"),
    "duplicate_user": (409, "用户 {username} 已存在"),
    "empty_file": (422, "表格中没有数据"),
    "entry_not_in_period": (422, "该积分记录不在本次公示的期间内，请选择期间内的记录"),
    "export_too_large": (422, "符合条件的记录超过{max}条，请缩小范围（如选择组织或时间段）后再导出"),
    "forbidden": (403, "没有权限"),
    "full": (409, "人数已满"),
    "future_date": (422, "生效日期不能晚于今天，请在生效当天或之后办理"),
    "future_year": (422, "{year}年还没有到，请选择今年或以前的年份"),
    "http_error": (400, "请求失败"),
    "idempotency_key_required": (400, "请求缺少 Idempotency-Key"),
    "idempotency_key_reused": (409, "该请求编号已用于另一次提交，请为新的提交生成新编号"),
    "idempotency_key_too_long": (400, "Idempotency-Key 不能超过{max_length}个字符"),
    "import_rejected": (422, "有{count}处错误，未导入任何数据"),
    "insufficient_points": (409, "积分不足"),
    "internal_error": (500, "服务器内部错误，请稍后再试"),
    "invalid_appeal": (422, "请选择一条有异议的积分记录，或选择漏记的积分细则（二选一）"),
    "invalid_appeal:entry": (422, "该记录不计入年度积分，不能申诉，请选择计分的记录"),
    "invalid_cap": (422, "上限需同时给出周期（日/月/年）和不小于单次分值的分数"),
    "invalid_code": (400, "二维码无效"),
    "invalid_cursor": (422, "分页位置无效，请从第一页重新查询"),
    "invalid_date": (422, "日期无法识别，请用 2020-07-01 格式"),
    "invalid_date:future": (422, "事项日期不能晚于今天，请重新选择"),
    "invalid_date:year": (422, "只能申报本年度（{year}年）内的事项，请重新选择日期"),
    "invalid_dimension": (422, "维度应为学习、服务、业绩、道德、廉洁之一"),
    "invalid_file": (422, "无法读取文件，请上传 .xlsx 格式的表格"),
    "invalid_file:header": (422, "表头应为：{columns}"),
    "invalid_change": (422, "请至少修改一项"),
    "invalid_change:org": (422, "请填写新名称或选择新的上级组织"),
    "invalid_holder": (422, "请指定党员或用户名其中之一"),
    "invalid_input": (422, "输入有误，请检查后重试"),
    "invalid_items": (422, "请选择1至{max_lines}种商品，每种1至{max_qty}件"),
    "invalid_kind": (422, "活动类型无效"),
    "invalid_kind:stock": (422, "类型应为进货、盘点调整或报损"),
    "invalid_limit": (422, "限购需同时给出数量和周期（月/年）"),
    "invalid_login_code": (400, "登录码无效，请重新进入小程序"),
    "invalid_member": (422, "请提供党员码或选择党员"),
    "invalid_member_type": (422, "人员类型应为：党员、预备党员、入党积极分子、群众志愿者"),
    "invalid_minutes": (422, "会议记录不能为空"),
    "invalid_name": (422, "名称不能为空"),
    "invalid_org_kind": (422, "组织类型无效"),
    "invalid_phone_code": (400, "微信没有给出手机号，请重新点“微信手机号一键绑定”或改用短信验证码"),
    "invalid_phone": (422, "手机号格式不正确"),
    "invalid_photos": (422, "证明照片无效或超过{max}张，请重新上传后再提交"),
    "invalid_pickup_code": (422, "取货码应为8位数字"),
    "invalid_place": (422, "定位签到需同时给出纬度、经度和半径"),
    "invalid_points": (422, "分值不能为0"),
    "invalid_points:positive": (422, "积分必须大于0"),
    "invalid_policy": (422, "按月清除须填写月数（1至120）"),
    "invalid_product": (422, "商品名称和积分价格必填，价格须大于0"),
    "invalid_purchase": (422, "进货需填写单价（元）和出资方"),
    "invalid_quantity": (422, "数量无效：进货为正数，报损为负数"),
    "invalid_role": (422, "角色无效"),
    "invalid_rule": (422, "编码和名称不能为空"),
    "invalid_scope": (422, "请指定组织或超市其中之一"),
    "invalid_scope:role": (422, "超市管理员按超市授权，其他角色按组织授权"),
    "invalid_templates": (422, "订阅模板无效"),
    "invalid_time": (422, "结束时间应晚于开始时间"),
    "invalid_time:availability": (422, "下架时间应晚于上架时间"),
    "invalid_time:checkin_window": (422, "签到截止时间应晚于签到开始时间"),
    "invalid_time:scan": (422, "扫码时间无效（未来时间或超过上传期限）"),
    "invalid_token": (401, "登录凭证无效，请重新登录"),
    "leave_exists": (409, "已提交过请假申请"),
    "leave_not_needed": (409, "该活动无需请假"),
    "limit_exceeded": (409, "{product}每人每{period}限兑{limit}件"),
    "location_required": (422, "本活动需要定位签到，请允许获取位置"),
    "member_inactive": (403, "账号已停用，请联系支部"),
    "member_inactive:checkin": (403, "该党员已停用，不能签到；如需恢复请联系党委管理员启用"),
    "member_inactive:status": (409, "{names}已停用，不能记分；请从名单中移除，或先由党委管理员启用"),
    "members_only": (403, "仅党员本人可用"),
    "method_not_allowed": (405, "不支持的请求方式"),
    "move_into_own_subtree": (422, "不能移到它自己或它的下级组织之下，请选择其他上级"),
    "no_console_grant": (403, "您没有工作台权限，请联系党委管理员授权"),
    "no_members": (422, "请选择党员"),
    "not_available": (409, "商品不存在或暂不可兑换"),
    "not_dead": (409, "只有发送失败的消息可以重发"),
    "not_declarable": (422, "该积分细则不接受申报，请选择列表中可申报的细则"),
    "not_draft": (409, "只有草稿可以发布"),
    "not_eligible": (403, "您不在本次活动的参加范围内"),
    "not_found": (404, "未找到"),
    "not_in_publicity": (403, "您不在本次公示的名单中"),
    "not_open_yet": (409, "签到尚未开始"),
    "not_pending": (409, "该申请已处理"),
    "not_pending:appeal": (409, "该申诉已处理"),
    "not_pending:declaration": (409, "该申报已处理过，不能再次审核；请刷新列表查看结果"),
    "not_pending:award": (409, "该申报已处理"),
    "not_pending:leave": (409, "该请假申请已处理"),
    "not_published": (409, "活动未发布或已取消"),
    "not_published:checkin": (409, "活动尚未发布"),
    "not_returned": (409, "只有被退回的申报可以修改后重新提交"),
    "order_cancelled": (409, "该订单已取消"),
    "order_expired": (409, "该订单已过期"),
    "org_not_empty": (409, "该组织还有{children}个下级组织、{members}名在册人员，请先移走或撤销后再撤销"),
    "org_retired": (422, "“{org}”已撤销，请选择其他组织"),
    "out_of_range": (403, "不在活动地点范围内"),
    "out_of_scope": (403, "超出您的管理范围"),
    "out_of_scope:shop": (403, "您不是该超市的管理员"),
    "out_of_stock": (409, "{product}库存不足"),
    "own_grant": (409, "不能撤回自己的授权，请让另一位管理员操作"),
    "period_final": (409, "该期间的积分公示已结束并定稿，不能再记入；如需更正，请由党委管理员登记迟到更正"),
    "period_not_ended": (409, "{label}尚未结束，期满后才能公示"),
    "period_not_final": (409, "该日期不在已定稿的公示期间内，无需迟到更正，请直接记分"),
    "photo_empty": (422, "文件是空的，请重新选择图片"),
    "photo_too_large": (413, "图片不能超过{max_size}，请压缩后再上传"),
    "photo_type": (415, "只能上传 JPG、PNG 或 WebP 图片，请换一张图片"),
    "publicity_exists": (409, "{label}的积分公示已发布，请勿重复发布"),
    "rate_limited": (429, "操作过于频繁，请稍后再试"),
    "reason_required": (422, "请填写原因，党员会看到它"),
    "rule_retired": (409, "积分细则“{name}”已停用，请选择其他细则"),
    "rule_retired:checkin": (409, "本活动的积分细则已停用，暂不能签到；请联系组织者为活动更换细则"),
    "same_org": (422, "该党员已在“{org}”，请选择另一个组织"),
    "same_status": (409, "该党员已是{status}状态，无需重复操作"),
    "same_type": (422, "该党员已是{member_type}，请选择另一种类型"),
    "self_approval": (403, "不能审批自己提交的申报"),
    "token_expired": (401, "登录已过期，请重新登录"),
    "too_large": (413, "文件不能超过5MB"),
    "too_large:upload": (413, "上传内容过大"),
    "too_many_members": (422, "一次最多{max}人"),
    "too_many_photos": (422, "最多上传{max}张照片"),
    "unauthorized": (401, "请先登录"),
    "unauthorized:binding": (401, "请先完成绑定"),
    "unauthorized:wechat": (401, "请先用微信登录"),
    "unknown_activity": (404, "活动不存在"),
    "unknown_appeal": (404, "申诉不存在"),
    "unknown_award": (404, "该记分申报不存在"),
    "unknown_console_ticket": (404, "登录二维码无效，请在电脑上刷新二维码"),
    "unknown_declaration": (404, "申报不存在"),
    "unknown_entry": (404, "积分记录不存在"),
    "unknown_grant": (404, "授权不存在或已撤回"),
    "unknown_leave": (404, "请假申请不存在"),
    "unknown_member": (404, "党员不存在"),
    "unknown_message": (404, "消息不存在"),
    "unknown_notification": (404, "该通知不存在"),
    "unknown_org": (404, "组织不存在"),
    "unknown_photo": (422, "照片不存在或上传未完成，请重新上传"),
    "unknown_pickup_code": (404, "未找到该取货码的订单"),
    "unknown_policy": (404, "该组织没有单独的结算规则，沿用上级设置"),
    "unknown_product": (404, "商品不存在"),
    "unknown_publicity": (404, "公示不存在"),
    "unknown_redemption": (404, "订单不存在"),
    "unknown_rule": (404, "积分细则不存在或已停用"),
    "unknown_shop": (404, "超市不存在"),
    "unknown_user": (404, "用户不存在"),
    "unsupported_media_type": (415, "不支持的内容类型"),
    "weak_password": (422, "密码至少8位"),
    "sms_unavailable": (503, "短信暂时发不出去，请稍后再试，或请支部书记发一个绑定码"),
    "wechat_unavailable": (503, "微信服务暂时不可用，请稍后再试"),
    "year_not_over": (409, "{year}年尚未结束，请在{next}年1月1日之后结算"),
}


def codes() -> list[str]:
    """Every code an answer may carry (for the OpenAPI document)."""
    return sorted({key.split(":", 1)[0] for key in CATALOGUE})


def message_of(key: str, details: dict | None = None) -> str:
    """The catalogue's message for a key, filled from the details."""
    template = CATALOGUE[key][1] if key in CATALOGUE else "请求失败"
    try:
        return template.format(**(details or {}))
    except (KeyError, IndexError, ValueError):  # a detail is missing: say it without the name
        return re.sub(r"“?\{\w+\}”?", "", template)


class DomainError(Exception):
    """A rule of the domain said no: a code from the catalogue, its status and Chinese message.
    An answer stored earlier (a retried check-in) may bring its own message and status back."""

    def __init__(self, key: str, message: str | None = None, status: int | None = None, details: dict | None = None):
        self.code = key.split(":", 1)[0]
        super().__init__(self.code)
        self.details = details or {}
        self.status = status or CATALOGUE.get(key, (400,))[0]
        self.message = message or message_of(key, self.details)


NotFound = Forbidden = Conflict = DomainError  # the status comes from the catalogue


class Invalid(str):
    """A schema's refusal that answers with a catalogue code (invalid_phone) instead of invalid_input:
    it reads as the code's message, which the answer and its field details show."""

    code: str

    def __new__(cls, key: str, details: dict | None = None):
        text = super().__new__(cls, message_of(key, details))
        text.code = key.split(":", 1)[0]
        return text

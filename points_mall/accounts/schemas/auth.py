"""Logins."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from points_mall.common.fields import Flag, Phone, Text
from points_mall.people.schemas.members import MemberOut


class WechatLoginIn(Schema):
    code = Text(required=True, validate=validate.Length(1, 128))


class WechatLoginOut(Schema):
    token = fields.String()
    member = fields.Nested(MemberOut, allow_none=True)
    needs_binding = Flag()


class BindIn(Schema):
    """One proof that the caller is the member: phone_code, or phone with sms_code, or binding_code."""

    phone_code = Text(validate=validate.Length(1, 128), metadata={
        "description": "小程序 getPhoneNumber 给的 code：微信核验过的手机号（控制台网关：dev:手机号）"})
    phone = Phone(metadata={"description": "登记的手机号，与 sms_code 一起"})
    sms_code = Text(validate=validate.Regexp(r"^[0-9]{6}$"), metadata={
        "description": "POST /auth/sms-codes 发到该手机号的6位验证码"})
    binding_code = Text(validate=validate.Regexp(r"^[A-Za-z0-9 -]{8,12}$"), metadata={
        "description": "支部书记发的一次性绑定码（或本人在原微信生成的），如 7KQM-3XPA"})

    @validates_schema
    def one_proof(self, data, **kwargs):
        proofs = [bool(data.get("phone_code")), bool(data.get("phone") or data.get("sms_code")),
                  bool(data.get("binding_code"))]
        if sum(proofs) != 1:
            raise ValidationError("phone_code、phone+sms_code、binding_code 选一种")
        if proofs[1] and not (data.get("phone") and data.get("sms_code")):
            raise ValidationError("phone 与 sms_code 要一起给")


class SmsCodeIn(Schema):
    phone = Phone(required=True, metadata={"description": "登记的手机号"})


class SmsCodeOut(Schema):
    expires_in = fields.Integer(metadata={"description": "验证码有效秒数"})
    dev_code = fields.String(metadata={
        "description": "只有控制台短信网关在演示/调试模式下才给：不发短信，验证码直接显示"})


class BindOut(Schema):
    token = fields.String()
    member = fields.Nested(MemberOut)


class BindingCodeOut(Schema):
    code = fields.String(metadata={"description": "一次性绑定码，只显示这一次"})
    expires_at = fields.DateTime()
    member_id = fields.Integer()
    member_name = fields.String()


class StaffLoginIn(Schema):
    username = Text(required=True, validate=validate.Length(1, 50))
    password = Text(required=True, validate=validate.Length(1, 200))


class StaffLoginOut(Schema):
    token = fields.String()
    roles = fields.List(fields.String())
    display_name = fields.String()


class SessionGrantOut(Schema):
    role = fields.String()
    org_id = fields.Integer(allow_none=True)
    org_name = fields.String(allow_none=True)
    shop_id = fields.Integer(allow_none=True)
    shop_name = fields.String(allow_none=True)


class SessionOut(Schema):
    kind = fields.String(metadata={"description": "staff 或 member"})
    id = fields.Integer()
    name = fields.String()
    roles = fields.List(fields.String())
    grants = fields.List(fields.Nested(SessionGrantOut))

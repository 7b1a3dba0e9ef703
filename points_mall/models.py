"""Every domain's models, imported so that the metadata (and so the migrations) knows every table."""
from points_mall.accounts.models import BindingCode, ConsoleTicket, SmsCode
from points_mall.activities.models import Activity, Checkin, LeaveRequest, ScanAttempt
from points_mall.audit.models import AuditEntry
from points_mall.mall.models import Product, Redemption, RedemptionLine, Shop, StockMovement
from points_mall.notify.models import DeliveryAttempt, Notification, SubscriptionConsent
from points_mall.people.models import Grant, Member, Org, StaffUser
from points_mall.points.models import Award, AwardLine, Balance, LedgerEntry, Rule, RuleVersion, Score
from points_mall.year.models import (
    Appeal, Declaration, MemberChange, Membership, OpeningImport, Publicity, SettlementPolicy)

__all__ = ["Activity", "Appeal", "AuditEntry", "Award", "AwardLine", "Balance", "BindingCode", "Checkin", "ConsoleTicket",
           "Declaration", "DeliveryAttempt", "Grant", "LeaveRequest", "LedgerEntry", "Member", "MemberChange",
           "Membership", "Notification", "OpeningImport", "Org", "Product", "Publicity", "Redemption",
           "RedemptionLine", "Rule", "RuleVersion", "ScanAttempt", "Score", "SettlementPolicy", "Shop", "SmsCode", "StaffUser",
           "StockMovement", "SubscriptionConsent"]

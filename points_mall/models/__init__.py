"""SQLAlchemy models, one module per aggregate."""
from .activity import Activity, Checkin, LeaveRequest, ScanAttempt
from .audit import AuditEntry
from .console_login import ConsoleTicket
from .ledger import Award, AwardLine, Balance, LedgerEntry, Score
from .mall import Product, Redemption, RedemptionLine, Shop, StockMovement
from .member import Grant, Member, StaffUser
from .notify import DeliveryAttempt, Notification, SubscriptionConsent
from .org import Org
from .rules import Rule
from .year import (Appeal, Declaration, MemberChange, Membership, OpeningImport, Publicity, RuleVersion,
                   SettlementPolicy)

__all__ = ["Activity", "Appeal", "Declaration", "MemberChange", "Membership", "OpeningImport", "Publicity",
           "RuleVersion", "SettlementPolicy", "AuditEntry", "Award", "AwardLine", "Balance", "Checkin", "ConsoleTicket", "DeliveryAttempt", "Grant", "LeaveRequest", "LedgerEntry", "Member",
           "Notification", "Org", "Product", "Redemption", "RedemptionLine", "Rule", "ScanAttempt", "Score", "Shop",
           "StaffUser", "StockMovement", "SubscriptionConsent"]

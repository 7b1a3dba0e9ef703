"""SQLAlchemy models, one module per aggregate."""
from .activity import Activity, Checkin, LeaveRequest, ScanAttempt
from .ledger import Award, AwardLine, Balance, LedgerEntry, Score
from .member import Grant, Member, StaffUser
from .notify import Notification
from .org import Org
from .rules import Rule

__all__ = ["Activity", "Checkin", "LeaveRequest", "ScanAttempt", "Award", "AwardLine", "Balance", "Grant", "LedgerEntry", "Member", "Notification", "Org", "Rule", "Score", "StaffUser"]

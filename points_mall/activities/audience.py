"""Who an activity is for: the members of its organisation's subtree (the ones it expects), and a volunteer
(群众志愿者) as well when it is open to volunteers. The rule once, as Python for one member and as SQL for lists."""
from sqlalchemy import and_, literal, or_

from points_mall.activities.models import Activity
from points_mall.people.models import Member, Org

VOLUNTEER = "群众志愿者"


def expects(activity, member) -> bool:
    """The member belongs to the activity's subtree: it counts on them, and they may ask for leave."""
    return member.org.path.startswith(activity.org.path)


def may_attend(activity, member) -> bool:
    """The member may see the activity and check in at it."""
    return expects(activity, member) or (activity.open_to_volunteers and member.member_type == VOLUNTEER)


def expected_members(activity):
    """A condition on Member joined to its Org: the active members the activity expects."""
    return and_(Org.path.startswith(activity.org.path), Member.status == "active")


def open_to(member):
    """A condition on Activity joined to its Org: the activities the member may see and attend."""
    mine = literal(member.org.path).startswith(Org.path)
    return or_(mine, Activity.open_to_volunteers) if member.member_type == VOLUNTEER else mine

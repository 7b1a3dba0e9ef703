"""A small park for tests: committee → two general branches → branches → a group, members, rules, staff."""
from dataclasses import dataclass, field

from points_mall.extensions import db
from points_mall.people.models import Grant, Org, StaffUser
from points_mall.points.models import Rule
from points_mall.accounts.auth import hash_password, issue_token, member_token
from points_mall.people.members import add_member
from points_mall.people.orgs import add_org

PASSWORD = "secret-pass-1"
_HASH = None


def password_hash() -> str:
    """Hashing is slow on purpose; one hash serves every test account."""
    global _HASH
    _HASH = _HASH or hash_password(PASSWORD)
    return _HASH


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    phone: str
    org_id: int


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    path: str


@dataclass
class Park:
    root: Place
    branch_a: Place
    branch_b: Place
    group_a: Place
    members_a: list[Person] = field(default_factory=list)
    members_b: list[Person] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, per_branch: int = 5) -> "Park":
        root = add_org("综合党委", "committee", None)
        general = add_org("电子信息产业党总支", "general_branch", root)
        a = add_org("星联电子党支部", "branch", general)
        b = add_org("北辰软件党支部", "branch", general)
        group = add_org("星联第一党小组", "group", a)
        park = cls(*(Place(o.id, o.name, o.path) for o in (root, a, b, group)))
        people_a, people_b = [], []
        for i in range(per_branch):
            people_a.append(add_member(f"张{i}明", f"1380000{i:04d}", "党员", group if i == 0 else a))
            people_b.append(add_member(f"李{i}华", f"1390000{i:04d}", "党员", b))
        for code, dim, pts, period, cap, approval in [
            ("study.meeting", "study", 2, "month", 8, False),
            ("service.volunteer", "service", 5, None, None, False),
            ("performance.pioneer", "performance", 10, None, None, True),
            ("integrity.absent", "integrity", -3, None, None, False),
        ]:
            db.session.add(Rule(code=code, name=code, dimension=dim, points=pts, cap_period=period, cap=cap,
                                needs_approval=approval, active=True))
        park.staff("admin", "admin", None)
        park.staff("org_a", "organizer", a)
        park.staff("org_b", "organizer", b)
        park.staff("org_general", "organizer", general)
        park.staff("admin_a", "admin", a)
        db.session.commit()
        for people, into in ((people_a, park.members_a), (people_b, park.members_b)):
            for m in people:
                park.tokens[f"member:{m.id}"] = member_token(m)
                into.append(Person(m.id, m.name, m.phone, m.org_id))
        return park

    def staff(self, username: str, role: str, org: Org | Place | None) -> StaffUser:
        user = StaffUser(username=username, password_hash=password_hash(), display_name=username)
        db.session.add(user)
        db.session.flush()
        db.session.add(Grant(staff_id=user.id, role=role, org_id=org.id if org else None))
        self.tokens[username] = issue_token("staff", str(user.id), 3600)
        return user

    def auth(self, who: str | Person) -> dict:
        key = f"member:{who.id}" if isinstance(who, Person) else who
        return {"Authorization": f"Bearer {self.tokens[key]}"}


@dataclass
class Mall:
    shop_id: int
    other_shop_id: int
    products: dict[str, int]


def open_shop(park: Park, stock: int = 20) -> Mall:
    """The park's shop with a few goods bought by the committee and a branch, and its keeper;
    a second shop with its own keeper."""
    from decimal import Decimal

    from points_mall.mall.models import Product, Shop, StockMovement

    shop = Shop(name="积分超市（党群服务中心）", org_id=park.root.id, address="一楼", opening_hours="9:00-17:00",
                active=True)
    other = Shop(name="北辰积分小站", org_id=park.branch_b.id, active=True)
    db.session.add_all([shop, other])
    db.session.flush()
    products = {}
    for name, price, cost, limit in (("洗衣液", 20, "18.50", None), ("大米5kg", 50, "39.90", (2, "month")),
                                     ("毛巾", 10, "6.00", None)):
        p = Product(shop_id=shop.id, name=name, points_price=price, on_hand=stock, active=True,
                    low_stock_threshold=3, per_member_limit=limit[0] if limit else None,
                    limit_period=limit[1] if limit else None)
        db.session.add(p)
        db.session.flush()
        half = stock // 2
        db.session.add_all([
            StockMovement(product_id=p.id, kind="purchase", quantity=half, unit_cost=Decimal(cost),
                          funding_org_id=park.root.id, actor="test"),
            StockMovement(product_id=p.id, kind="purchase", quantity=stock - half, unit_cost=Decimal(cost),
                          funding_org_id=park.branch_a.id, actor="test")])
        products[name] = p.id
    for username, shop_id in (("keeper", shop.id), ("keeper_b", other.id)):
        user = StaffUser(username=username, password_hash=password_hash(), display_name=username)
        db.session.add(user)
        db.session.flush()
        db.session.add(Grant(staff_id=user.id, role="shopkeeper", shop_id=shop_id))
        park.tokens[username] = issue_token("staff", str(user.id), 3600)
    db.session.commit()
    return Mall(shop.id, other.id, products)


def give_points(member_id: int, points: int) -> None:
    """Spendable points for a test member, through the ledger like any award: one posting of the
    volunteering rule for the whole amount."""
    from points_mall.points import ledger
    from points_mall.points.models import LedgerEntry, Rule

    rule = db.session.query(Rule).filter_by(code="service.volunteer").one()
    ledger.post(LedgerEntry(member_id=member_id, kind="award", dimension=rule.dimension, rule_id=rule.id,
                            rule_version=rule.version, delta_score=points, delta_spendable=points,
                            idempotency_key=f"test-gift:{member_id}:{points}", source_type="award",
                            actor="test", reason=rule.name))
    db.session.commit()

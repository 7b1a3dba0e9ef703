"""The demo park from DOMAIN.md: "1+3+N" organisations, ~60 members, rules, staff and history."""
import random
from datetime import date, timedelta

from decimal import Decimal

from sqlalchemy import select, update

from points_mall import demo_activities
from points_mall.extensions import db
from points_mall.points.models import Award, AwardLine, Balance, Rule
from points_mall.people.models import Grant, Member, Org, StaffUser
from points_mall.mall.models import Product, Redemption, Shop, StockMovement
from points_mall.points import ledger
from points_mall.people.access import Actor, load_actor
from points_mall.accounts.auth import hash_password
from points_mall.common.clock import utcnow
from points_mall.people.members import add_member
from points_mall.people.orgs import add_org

PARK = ("高新区企业社区综合党委", {
    "石油装备产业党总支": ["华油钻采装备有限公司党支部", "宏远石油机械有限公司党支部", "金盾防腐技术有限公司党支部"],
    "石油加工产业党总支": ["辰光石化有限公司党支部", "润达化工有限公司党支部"],
    "电子信息产业党总支": ["星联电子科技有限公司党支部", "北辰软件有限公司党支部", "智芯传感有限公司党支部"],
})

# code, name, dimension, points, cap_period, cap, needs_approval
RULES = [
    ("study.meeting", "参加“三会一课”", "study", 2, "month", 8, False),
    ("study.lecture", "参加党课学习", "study", 3, "month", 6, False),
    ("study.theme_day", "参加主题党日活动", "study", 3, "month", 3, False),
    ("study.online", "学习园地线上学习", "study", 1, "day", 1, False),
    ("service.volunteer", "参加志愿服务", "service", 5, "month", 20, False),
    ("service.help", "结对帮扶困难群众", "service", 5, None, None, True),
    ("performance.pioneer", "岗位建功（技术革新、岗位能手）", "performance", 10, "year", 30, True),
    ("performance.proposal", "合理化建议被采纳", "performance", 5, None, None, True),
    ("morality.lecture", "参加道德讲堂", "morality", 2, "month", 4, False),
    ("morality.good_deed", "好人好事、见义勇为", "morality", 10, None, None, True),
    ("integrity.pledge", "签订并践行廉洁承诺", "integrity", 2, "year", 2, False),
    ("integrity.absent", "无故缺席组织生活", "integrity", -3, None, None, False),
    ("integrity.dues_late", "未按时交纳党费", "integrity", -2, "month", 2, False),
    ("integrity.violation", "违反廉洁纪律", "integrity", -20, None, None, True),
]

# Items members declare themselves, with evidence, for their branch to review (积分申报).
DECLARABLE = {"service.help", "performance.proposal", "morality.good_deed"}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = ["建国", "志强", "海燕", "丽娟", "伟", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰", "娜", "涛", "明",
         "超", "秀英", "桂英", "晓东", "红梅", "卫东", "春生", "玉兰", "国华", "德胜", "晓燕", "文博", "子涵", "雨桐"]
TYPES = ["党员"] * 8 + ["预备党员", "入党积极分子", "群众志愿者"]

GOODS = [  # name, category, points, unit cost in yuan, per-member limit
    ("洗衣液 2kg", "日用品", 30, "24.90", None),
    ("大米 5kg", "粮油", 50, "39.90", (2, "month")),
    ("食用油 1.8L", "粮油", 45, "35.00", (2, "month")),
    ("毛巾", "日用品", 10, "6.50", None),
    ("保温杯", "日用品", 40, "32.00", (1, "year")),
    ("笔记本", "文具", 5, "3.20", None),
    ("《中国共产党章程》学习读本", "图书", 8, "5.00", None),
]

STAFF = [  # username, password, display name, role, org name (None: the whole tree)
    ("admin", "admin-demo-2026", "综合党委管理员", "admin", None),
    ("dianzi", "organizer-demo-2026", "电子信息产业党总支书记", "organizer", "电子信息产业党总支"),
    ("huayou", "organizer-demo-2026", "华油钻采党支部书记", "organizer", "华油钻采装备有限公司党支部"),
]
KEEPER = ("keeper", "keeper-demo-2026")


def _orgs() -> list[Org]:
    root = add_org(PARK[0], "committee", None)
    branches = []
    for general_name, branch_names in PARK[1].items():
        general = add_org(general_name, "general_branch", root)
        for name in branch_names:
            branch = add_org(name, "branch", general)
            branches.append(branch)
            add_org(f"{name.removesuffix('党支部')}第一党小组", "group", branch)
        if general_name == "电子信息产业党总支":
            add_org("青年技术骨干自主党小组", "group", general)
    return branches


def _members(rng: random.Random, branches: list[Org]) -> list[Member]:
    people, names = [], set()
    for i in range(60):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        while name in names:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        names.add(name)
        branch = branches[i % len(branches)]
        born = date(1990, 7, 1) + timedelta(days=rng.randrange(0, 9000))
        people.append(add_member(name, f"139{20260000 + i * 37:08d}", TYPES[i % len(TYPES)], branch, born,
                                 born + timedelta(days=rng.randrange(0, 900))))
    return people


def _history(rng: random.Random, members: list[Member], rules: dict[str, Rule], admin: StaffUser) -> int:
    """About four months of points: theme days, meetings, volunteering, a few deductions."""
    entries = 0
    today = utcnow()
    by_org: dict[int, list[Member]] = {}
    for m in members:
        by_org.setdefault(m.org_id, []).append(m)
    for months_ago in range(4, 0, -1):
        at = today - timedelta(days=30 * months_ago)
        for people in by_org.values():
            for code, share in (("study.theme_day", 0.85), ("study.meeting", 0.9), ("service.volunteer", 0.4),
                                ("morality.lecture", 0.3), ("integrity.absent", 0.05)):
                chosen = [m for m in people if rng.random() < share]
                if not chosen:
                    continue
                rule = rules[code]
                award = Award(rule_id=rule.id, reason=f"{rule.name}（{at:%Y年%m月}）", status="applied",
                              proposer=Actor("staff", admin.id).key, decided_by=Actor("staff", admin.id).key, decided_at=at,
                              created_at=at, lines=[AwardLine(member_id=m.id) for m in chosen])
                db.session.add(award)
                db.session.flush()
                posted = ledger.apply_rule([m.id for m in chosen], rule, key_prefix=f"award:{award.id}:",
                                           source=("award", award.id), actor=award.proposer, reason=award.reason,
                                           occurred_at=at)
                for line in award.lines:
                    entry = posted.get(line.member_id)
                    line.outcome, line.points = ("applied", entry.delta_score) if entry else ("cap_reached", 0)
                    entries += entry is not None
    return entries


def seed() -> list[str]:
    """The demo park, once; run again it changes nothing and prints the same logins and pages."""
    if db.session.scalar(select(Org.id).limit(1)) is None:
        summary = _park()
    elif db.session.scalar(select(Member.id).where(Member.openid == "demo-secretary")) is None:
        return ["the database holds data that is not the demo park; nothing changed"]
    else:
        summary = "demo data already present; nothing changed"
    admin = db.session.scalar(select(StaffUser).where(StaffUser.username == STAFF[0][0]))
    secretary = db.session.scalar(select(Member).where(Member.openid == "demo-secretary"))
    demo_activities.seed(load_actor("staff", admin.id), secretary.org, random.Random(2026))
    return _logins() + [summary] + demo_activities.lines() + [
        "pages: / (start here), /console/ (staff), /m/ (members), /board, /docs (API)"]


def _declaration(member: Member, rule: Rule) -> None:
    """One item the demo member declared a few days ago, waiting for the branch secretary (申报审核)."""
    from points_mall.year.models import Declaration
    from points_mall.common.clock import local

    today = local(utcnow()).date()
    day = max(today - timedelta(days=3), date(today.year, 1, 1))
    db.session.add(Declaration(member_id=member.id, org_id=member.org_id, rule_id=rule.id, occurred_on=day,
                               title="合理化建议：焊接工装改进被车间采纳", photos=[], status="submitted", note="",
                               description="提出改进焊接工装定位块，车间试用后返工率下降，已在班组推广。"))


def _park() -> str:
    rng = random.Random(2026)
    branches = _orgs()
    members = _members(rng, branches)
    rules = {}
    for code, name, dimension, points, cap_period, cap, needs_approval in RULES:
        rules[code] = Rule(code=code, name=name, dimension=dimension, points=points, cap_period=cap_period,
                           cap=cap, needs_approval=needs_approval, active=True, declarable=code in DECLARABLE)
        db.session.add(rules[code])
    staff = []
    for username, password, display, role, org_name in STAFF:
        user = StaffUser(username=username, password_hash=hash_password(password), display_name=display)
        db.session.add(user)
        db.session.flush()
        org_id = db.session.scalar(select(Org.id).where(Org.name == org_name)) if org_name else None
        db.session.add(Grant(staff_id=user.id, role=role, org_id=org_id))
        staff.append(user)
    secretary, member = members[0], members[8]
    secretary.openid, member.openid = "demo-secretary", "demo-member"
    db.session.add(Grant(member_id=secretary.id, role="organizer", org_id=secretary.org_id))
    db.session.flush()
    entries = _history(rng, members, rules, staff[0])
    _declaration(member, rules["performance.proposal"])
    db.session.commit()
    shop = _shop(branches)
    orders = _redemptions(rng, members, shop)
    return (f"demo park: {len(branches)} company branches, {len(members)} members, {len(rules)} rules, "
            f"{entries} ledger entries, {orders} redemptions in {shop.name}")


def _logins() -> list[str]:
    """The logins as seeded: the passwords are the demo's constants, the names come from the database."""
    lines = ["demo staff logins (POST /api/v1/auth/staff-login, or the console at /console/):"]
    for username, password, _display, role, org_name in STAFF:
        lines.append(f"  {username:8} {password:20} {role:10} {org_name or '全部组织'}")
    shop = db.session.scalar(select(Shop).order_by(Shop.id).limit(1))
    lines.append(f"  {KEEPER[0]:8} {KEEPER[1]:20} {'shopkeeper':10} {shop.name}")
    people = {m.openid: m for m in db.session.scalars(
        select(Member).where(Member.openid.in_(["demo-secretary", "demo-member"])))}
    secretary, member = people["demo-secretary"], people["demo-member"]
    return lines + [
        "demo member logins (POST /api/v1/auth/wechat-login, or the members' pages at /m/):",
        f"  code dev:demo-secretary  {secretary.name}, organizer of {secretary.org.name}",
        f"  code dev:demo-member     {member.name}, member of {member.org.name}",
        "  any other dev:<openid> code, then /auth/bind with a proof: an SMS code to the member's phone",
        "  (make run shows it on the page), a binding code from 党员管理 → 更多 → 发绑定码, or",
        "  phone_code dev:<the member's phone> (the mini-program's verified phone)",
    ]


def _shop(branches: list[Org]):
    """The park's shop, stocked with goods bought by the committee (党工委) and the company branches."""
    root = branches[0].parent.parent
    shop = Shop(name="党员积分超市（党群服务中心）", org_id=root.id, address="党群服务中心一楼",
                opening_hours="周一至周五 9:00-17:00", active=True)
    db.session.add(shop)
    db.session.flush()
    for i, (name, category, points, cost, limit) in enumerate(GOODS):
        product = Product(shop_id=shop.id, name=name, category=category, points_price=points, active=True,
                          on_hand=0, low_stock_threshold=5, per_member_limit=limit[0] if limit else None,
                          limit_period=limit[1] if limit else None)
        db.session.add(product)
        db.session.flush()
        for funder, qty in ((root, 30), (branches[i % len(branches)], 20)):
            db.session.add(StockMovement(product_id=product.id, kind="purchase", quantity=qty, unit_cost=Decimal(cost),
                                         funding_org_id=funder.id, actor="demo", note="采购"))
            product.on_hand += qty
    keeper = StaffUser(username=KEEPER[0], password_hash=hash_password(KEEPER[1]), display_name="超市管理员")
    db.session.add(keeper)
    db.session.flush()
    db.session.add(Grant(staff_id=keeper.id, role="shopkeeper", shop_id=shop.id))
    db.session.commit()
    return shop


def _redemptions(rng: random.Random, members: list[Member], shop: Shop) -> int:
    """Most members have redeemed something over the months; a few orders wait at the counter."""
    from points_mall.mall import mall
    from points_mall.people.access import SYSTEM

    goods = db.session.scalars(select(Product).where(Product.shop_id == shop.id).order_by(Product.id)).all()
    count = 0
    for i, member in enumerate(members):
        if rng.random() < 0.15:
            continue
        spendable = db.session.get(Balance, member.id).spendable
        affordable = [g for g in goods if g.points_price <= spendable]
        if not affordable:
            continue
        product = affordable[rng.randrange(len(affordable))]
        qty = max(1, min(3, spendable // product.points_price // 2))
        order = mall.redeem(member.id, shop.id, [{"product_id": product.id, "qty": qty}], f"demo-{i}")
        count += 1
        if i % 10 == 0:
            continue  # still waiting at the counter
        mall.fulfil(SYSTEM, order.id)
        when = utcnow() - timedelta(days=rng.randrange(1, 110))
        db.session.execute(update(Redemption).where(Redemption.id == order.id)
                           .values(created_at=when - timedelta(hours=2), closed_at=when))
        db.session.commit()
    return count

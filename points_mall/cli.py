"""flask commands: seed-demo, create-admin, import-members, ledger-verify, embedded-db start|stop."""
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.people.models import Grant, Member, StaffUser
from points_mall.points import ledger
from points_mall.people import members
from points_mall.people.access import SYSTEM
from points_mall.accounts.auth import hash_password


def register(app: Flask) -> None:
    for command in (create_admin, import_members, ledger_verify, seed_demo, expire_redemptions, worker, settle_year,
                    lapse_notices, board_rebuild, embedded_db):
        app.cli.add_command(command)


def _fail(e: DomainError) -> None:
    click.echo(f"{e.message} ({e.code})", err=True)
    for error in e.details.get("errors", []):
        click.echo(f"  第{error['row']}行: {error['message']} ({error['code']})", err=True)
    sys.exit(1)


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--password", required=True, help="at least 8 characters")
@click.option("--member-phone", default=None,
              help="the account's holder is this member (so they cannot award or correct their own points)")
def create_admin(username, password, member_phone):
    """An admin over the whole organisation tree."""
    try:
        user = StaffUser(username=username, password_hash=hash_password(password), display_name=username)
    except DomainError as e:
        _fail(e)
    if db.session.query(StaffUser.id).filter_by(username=username).first():
        _fail(DomainError("duplicate_user", details={"username": username}))
    if member_phone:
        member = db.session.query(Member).filter_by(phone=member_phone).first()
        if member is None:
            _fail(DomainError("unknown_member", details={"phone": member_phone}))
        user.member_id, user.display_name = member.id, member.name
    db.session.add(user)
    db.session.flush()
    db.session.add(Grant(staff_id=user.id, role="admin"))
    db.session.commit()
    click.echo(f"admin {username} created")


@click.command("import-members")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_members(path):
    """Import members from an xlsx sheet: all rows, or none with a row-level error report."""
    with open(path, "rb") as f:
        content = f.read()
    try:
        result = members.import_members(SYSTEM, content)
    except DomainError as e:
        _fail(e)
    click.echo(f"imported {result['imported']} members")


@click.command("ledger-verify")
@with_appcontext
def ledger_verify():
    """Check every balance and score against its entries; exit 1 naming the members that disagree."""
    problems = ledger.verify()
    for p in problems:
        click.echo(" ".join(f"{k}={v}" for k, v in p.items()), err=True)
    if problems:
        click.echo(f"ledger-verify: {len({p['member_id'] for p in problems})} member(s) disagree", err=True)
        sys.exit(1)
    click.echo("ledger-verify: ok")


@click.command("board-rebuild")
@with_appcontext
def board_rebuild():
    """Rebuild every board set in Redis from SQL (the worker does it daily); nothing to do without Redis."""
    from points_mall.board import board_cache

    click.echo(f"board-rebuild: {board_cache.rebuild_all()} set(s) rebuilt")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """The demo park: 1+3+N organisations, members, rules, staff and a few months of points."""
    from points_mall.demo import seed

    for line in seed():
        click.echo(line)


@click.command("expire-redemptions")
@with_appcontext
def expire_redemptions():
    """Expire unclaimed orders past their pickup time and refund them."""
    from points_mall.mall import mall

    click.echo(f"expired {mall.expire_due()} order(s)")


@click.command("settle-year")
@with_appcontext
@click.option("--year", type=int, required=True, help="the year that has ended, e.g. 2025")
def settle_year(year):
    """年度结算: expire what lapses at the end of YEAR by each organisation's policy; safe to run twice."""
    from points_mall.year import settlement

    try:
        run = settlement.settle_year(SYSTEM, year, trigger="cli")
    except DomainError as e:
        _fail(e)
    click.echo(f"settled {year}: {run.members_checked} member(s) checked, {run.members_expired} expired "
               f"{run.points_expired} point(s) (run {run.id})")


@click.command("lapse-notices")
@with_appcontext
def lapse_notices():
    """Tell members (once per year) what will lapse at the end of this year, where the notice period has begun."""
    from points_mall.year import settlement

    click.echo(f"notified {settlement.send_notices()} member(s)")


@click.command("worker")
@with_appcontext
def worker():
    """The RQ worker and scheduler (needs REDIS_URL): expiry of unclaimed orders, notifications."""
    from points_mall.jobs import run_worker

    if current_app.extensions["pm_redis"] is None:
        click.echo("REDIS_URL is not set: on the embedded default the web process runs the jobs itself", err=True)
        sys.exit(1)
    run_worker(current_app._get_current_object())


@click.group("embedded-db")
def embedded_db():
    """The embedded default's PostgreSQL (DATABASE_URL unset), its data in instance/pg."""


@embedded_db.command("start")
@with_appcontext
def embedded_db_start():
    """Start it (initdb first if the data dir is new) unless it runs; say how to reach it with psql."""
    from points_mall import embedded

    click.echo(embedded.run(embedded.for_app(current_app), "start"))


@embedded_db.command("stop")
@with_appcontext
def embedded_db_stop():
    """Stop it if it runs (`make run` does when the server exits)."""
    from points_mall import embedded

    click.echo(embedded.run(embedded.for_app(current_app), "stop"))

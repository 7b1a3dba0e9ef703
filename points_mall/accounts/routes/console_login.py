"""The console's log-in by WeChat QR scan: the console asks for a ticket and polls it; the member's web
pages scan, confirm or refuse it (services/console_login.py)."""
from flask import current_app, request
from flask_smorest import Blueprint

from points_mall.extensions import limiter
from points_mall.accounts.schemas.console_login import (
    ConsoleTicketDoneOut, ConsoleTicketOut, ConsoleTicketScanOut, ConsoleTicketStatusOut)
from points_mall.accounts import console_login
from points_mall.common.security import BEARER, current_member_id, members_only, rate_key_subject

blp = Blueprint("console_login", __name__, url_prefix="/api/v1/auth", description="工作台扫码登录")


def _address_limit():
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.post("/console-tickets")
@limiter.limit(_address_limit)
@blp.response(201, ConsoleTicketOut)
def create_ticket():
    """A login ticket for the console's log-in page, with its QR code (2 minutes, one log-in)."""
    return console_login.create(request.headers.get("User-Agent"), request.remote_addr)


@blp.get("/console-tickets/<ticket>")
@limiter.limit(_address_limit)
@blp.response(200, ConsoleTicketStatusOut)
def poll_ticket(ticket):
    """pending | scanned | confirmed (with the token, once) | refused | expired."""
    return console_login.poll(ticket)


@blp.post("/console-tickets/<ticket>/scan")
@members_only
@limiter.limit(_login_limit, key_func=rate_key_subject)
@blp.response(200, ConsoleTicketScanOut)
@blp.doc(security=[BEARER])
def scan_ticket(ticket):
    """The member opened the ticket's link: which browser asks to log in, and whether they may."""
    return console_login.scan(ticket, current_member_id())


@blp.post("/console-tickets/<ticket>/confirm")
@members_only
@limiter.limit(_login_limit, key_func=rate_key_subject)
@blp.response(200, ConsoleTicketDoneOut)
@blp.doc(security=[BEARER])
def confirm_ticket(ticket):
    """The member confirms the log-in (needs at least one grant)."""
    return console_login.confirm(ticket, current_member_id())


@blp.post("/console-tickets/<ticket>/refuse")
@members_only
@limiter.limit(_login_limit, key_func=rate_key_subject)
@blp.response(200, ConsoleTicketDoneOut)
@blp.doc(security=[BEARER])
def refuse_ticket(ticket):
    """The member refuses: the console is told, nobody logs in."""
    return console_login.refuse(ticket, current_member_id())

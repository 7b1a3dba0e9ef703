"""Thin flask-smorest blueprints: parse → call a service → dump."""
from . import activities, admin, auth, awards, boards, mall, me, notify

BLUEPRINTS = [auth.blp, me.blp, awards.blp, activities.blp, mall.blp, notify.blp, boards.blp, admin.blp]

"""Thin flask-smorest blueprints: parse → call a service → dump."""
from . import admin, auth, awards, me

BLUEPRINTS = [auth.blp, me.blp, awards.blp, admin.blp]

"""Notifications: the outbox (also the member's inbox), delivery, reminders, what followers send us."""

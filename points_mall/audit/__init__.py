"""The audit trail (操作日志)."""

"""Writes of escalation: signals, firing policies, records by hand, acknowledge, de-escalate."""

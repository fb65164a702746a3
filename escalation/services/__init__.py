"""Writes of the escalation app; see the modules for SLA clocks and the warning sweep."""

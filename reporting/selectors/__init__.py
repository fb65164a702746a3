"""Reads of reporting: every metric (metrics.py) and every dashboard's tables, registered."""

from reporting.selectors import (  # noqa: F401  (importing registers the dashboards)
    agents,
    escalation,
    followup,
    handoffs,
    response,
    sla,
    triage,
    volume,
)
from reporting.selectors.base import METRICS as METRICS
from reporting.selectors.base import visible_metrics as visible_metrics
from reporting.selectors.tables import DASHBOARDS as _REGISTERED

# In the order of the issue: what managers open first, first.
ORDER = ("sla", "volume", "escalation", "handoffs", "followup", "triage", "response", "agents")
DASHBOARDS = {slug: _REGISTERED[slug] for slug in ORDER}

"""
Evaluate, validate and explain rule conditions.

Every rule (triage, routing, SLA matching, escalation, follow-up) stores its condition as a
JSON tree: groups ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": node}`` over leaves
``{"field": "ticket.priority", "op": "equals", "value": "P1"}``. An empty tree (``{}`` or
``None``) always holds. Conditions run against a flat mapping of facts keyed by field name,
which ticket_facts builds from a ticket.

The package imports no models at import time, so that the models, validators and migrations
of every app can use it. ``tickets.conditions.dry_run`` queries tickets and is not re-exported.
"""

from tickets.conditions.evaluation import evaluate as evaluate
from tickets.conditions.explanation import explain as explain
from tickets.conditions.explanation import matched_leaves as matched_leaves
from tickets.conditions.facts import register_fact_provider as register_fact_provider
from tickets.conditions.facts import ticket_facts as ticket_facts
from tickets.conditions.fields import CUSTOM_FIELDS_PREFIX as CUSTOM_FIELDS_PREFIX
from tickets.conditions.fields import FIELDS as FIELDS
from tickets.conditions.fields import MAX_DEPTH as MAX_DEPTH
from tickets.conditions.fields import MAX_NODES as MAX_NODES
from tickets.conditions.fields import OPERATORS as OPERATORS
from tickets.conditions.fields import OPERATORS_BY_KIND as OPERATORS_BY_KIND
from tickets.conditions.fields import REGEX_INPUT_LIMIT as REGEX_INPUT_LIMIT
from tickets.conditions.fields import VALUELESS_OPERATORS as VALUELESS_OPERATORS
from tickets.conditions.fields import FieldSpec as FieldSpec
from tickets.conditions.fields import field_spec as field_spec
from tickets.conditions.fields import register_field as register_field
from tickets.conditions.validation import condition_validator as condition_validator
from tickets.conditions.validation import validate_condition as validate_condition

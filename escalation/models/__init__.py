"""The escalation app's models, one module per area, re-exported here."""

from escalation.models.calendars import ALWAYS_OPEN_DEFAULTS as ALWAYS_OPEN_DEFAULTS
from escalation.models.calendars import ALWAYS_OPEN_SLUG as ALWAYS_OPEN_SLUG
from escalation.models.calendars import BUSINESS_HOURS_DEFAULTS as BUSINESS_HOURS_DEFAULTS
from escalation.models.calendars import BUSINESS_HOURS_SLUG as BUSINESS_HOURS_SLUG
from escalation.models.calendars import BusinessCalendar as BusinessCalendar
from escalation.models.calendars import CalendarClosure as CalendarClosure
from escalation.models.policies import SlaPolicy as SlaPolicy
from escalation.models.policies import SlaTarget as SlaTarget
from escalation.models.policies import SlaWarningLevel as SlaWarningLevel
from escalation.models.timers import SlaHistory as SlaHistory
from escalation.models.timers import SlaTimer as SlaTimer
from escalation.models.timers import SlaWarning as SlaWarning
from escalation.models.timers import TicketSla as TicketSla

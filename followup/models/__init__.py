"""The follow-up app's models, one module per area, re-exported here."""

from followup.models.rules import FollowupRule as FollowupRule
from followup.models.satisfaction import ResolutionSummary as ResolutionSummary
from followup.models.satisfaction import SatisfactionRating as SatisfactionRating
from followup.models.settings import FollowupSettings as FollowupSettings
from followup.models.steps import CheckIn as CheckIn
from followup.models.steps import ScheduledStep as ScheduledStep

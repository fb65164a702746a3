"""Triage's models, one module per area, re-exported here."""

from triage.models.decisions import ClassifierModel as ClassifierModel
from triage.models.decisions import MessageSentiment as MessageSentiment
from triage.models.decisions import SimilarTicket as SimilarTicket
from triage.models.decisions import TriageDecision as TriageDecision
from triage.models.decisions import TriageOverride as TriageOverride
from triage.models.decisions import TriageSettings as TriageSettings
from triage.models.enrichment import AccountEnrichmentHook as AccountEnrichmentHook
from triage.models.enrichment import EnrichmentCall as EnrichmentCall
from triage.models.rules import Extractor as Extractor
from triage.models.rules import PriorityRule as PriorityRule
from triage.models.rules import RequiredField as RequiredField
from triage.models.rules import TriageRule as TriageRule

"""The ticket spine's models, one module per area, re-exported here."""

from tickets.models.accounts import Category as Category
from tickets.models.accounts import Contact as Contact
from tickets.models.accounts import Organization as Organization
from tickets.models.accounts import Team as Team
from tickets.models.base import TimeStampedModel as TimeStampedModel
from tickets.models.keys import ApiKey as ApiKey
from tickets.models.keys import IdempotencyRecord as IdempotencyRecord
from tickets.models.knowledge import ArticleUse as ArticleUse
from tickets.models.knowledge import KnowledgeArticle as KnowledgeArticle
from tickets.models.knowledge import Macro as Macro
from tickets.models.knowledge import MacroUse as MacroUse
from tickets.models.messages import Attachment as Attachment
from tickets.models.messages import Message as Message
from tickets.models.messages import OutboundEmail as OutboundEmail
from tickets.models.messages import TicketEvent as TicketEvent
from tickets.models.tickets import Ticket as Ticket

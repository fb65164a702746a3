"""Routing's models, one module per area, re-exported here."""

from routing.models.agents import AgentProfile as AgentProfile
from routing.models.agents import AgentSkill as AgentSkill
from routing.models.agents import Skill as Skill
from routing.models.decisions import RoutingDecision as RoutingDecision
from routing.models.followers import Follower as Follower
from routing.models.handoffs import Handoff as Handoff
from routing.models.loads import AgentLoad as AgentLoad
from routing.models.rules import RoutingRule as RoutingRule
from routing.models.rules import RoutingRuleSkill as RoutingRuleSkill
from routing.models.teams import OnCallShift as OnCallShift
from routing.models.teams import TeamProfile as TeamProfile
from routing.models.tokens import SnapshotToken as SnapshotToken

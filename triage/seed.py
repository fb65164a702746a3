"""
The default rule set, seeded by a data migration and re-seedable in tests; idempotent by name.

Text rules test ``triage.text`` (subject and body, casefolded) with regexes that cover
English, Spanish, French, German, Portuguese and Italian wording and common typos. Where two
categories share words (a refund is also about a charge), the broader rule excludes the
narrower one's words, so that its evidence does not compete.
"""

from __future__ import annotations

from typing import Any, Final

TEXT: Final = "triage.text"

# Words that make a ticket a refund request rather than a billing question.
REFUND = (
    r"refund|money back|reimburs|chargeback|charge ?back|reembols|devoluci[oó]n|devu[eé]lv|"
    r"rembours|r[üu]ckerstatt|erstatt|geld zur[üu]ck|estorno|rimbors|terugbetal|"
    r"cancel.{0,40}and.{0,20}(refund|money)"
)
OUTAGE = (
    r"outage|\b(is|are|went|goes|seems|still|completely|totally|all) down\b|"
    r"\bdown (for|since|again)\b|"
    r"(site|app|service|api|platform|dashboard|system|server)s? (is |are )?"
    r"(down|offline|unreachable)|"
    r"\b50[234]\b|bad gateway|gateway time-?out|service unavailable|not responding|unreachable|"
    r"nobody (here |in [a-z ]+)?can|no one (here |in [a-z ]+)?can|entire (team|company|office)|"
    r"all (of )?our (users|staff|agents)|whole (team|company)|"
    r"ca[ií]d[oa]|no carga para nadie|en panne|hors service|indisponible pour tous|"
    r"\bausfall|nicht erreichbar|fora do ar|inacess[ií]vel|fuori servizio|non raggiungibile|"
    r"\bstoring\b|platform is dead|is dead"
)
ACCESS = (
    r"(can'?t|cannot|can not|unable to|couldn'?t|not able to|won'?t let me|fail(s|ed)? to) "
    r"(log ?in|sign ?in|login|signin|access (my|our) account|get into|authenticate)|"
    r"pass ?word|passwrod|pasword|forgot.{0,20}password|reset link|locked out|lockout|"
    r"account (is |got |was )?(locked|disabled|suspended|blocked)|\b2fa\b|two[- ]factor|\bmfa\b|"
    r"authenticator|verification code|one[- ]time code|\botp\b|\bsso\b|saml|login loop|"
    r"log ?in (page|screen|link) (keeps|loops|says)|change (my|the) (login )?email|"
    r"contrase[ñn]a|no puedo (entrar|iniciar ses|acceder)|mot de passe|me connecter|"
    r"passwort|kennwort|anmelden|einloggen|\bsenha\b|"
    r"n[ãa]o consigo (entrar|acessar|logar|fazer login)|"
    r"non riesco ad? (accedere|entrare)|wachtwoord|inloggen"
)
BILLING = (
    r"invoice|invoic|billing|\bbill\b|billed|charged|\bcharge\b|receipt|payment|credit card|"
    r"\bcard\b.{0,30}(declin|fail|expir|updat)|\bvat\b|tax (id|number|exempt)|"
    r"subscription|pricing|price|renewal|\bplan\b.{0,30}(upgrade|downgrade|change|cost)|"
    r"(upgrade|downgrade|switch).{0,20}plan|proration|prorat|overcharg|purchase order|\bpo number|"
    r"factura|cobr|cargo|pago|facture|factur|pr[ée]l[èe]vement|paiement|abonnement|"
    r"rechnung|abbuchung|zahlung|lastschrift|fatura|cobran[çc]a|pagamento|fattura|addebit|"
    r"abbonamento|betaling"
)
FEATURE = (
    r"feature request|feature idea|would be (great|nice|helpful|awesome|useful|cool)|"
    r"it'?d be (great|nice|useful)|please (add|consider adding|support)|"
    r"could you (add|build|support)|"
    r"can you (add|build)|would love (to see|it if|if)|\bwishlist|wish list|suggestion|"
    r"suggest (adding|that)|"
    r"roadmap|any plans? (to|for)|plans? to (add|support)|is it on the|"
    r"(add|adding) (an? )?(option|ability|setting|toggle|way) to|support for .{0,30}\?|"
    r"dark mode|"
    r"ser[ií]a (genial|[úu]til|bueno)|podr[ií]an (a[ñn]adir|agregar|incluir)|"
    r"ce serait (bien|g[ée]nial|utile)|pourriez-vous ajouter|serait-il possible d'?ajouter|"
    r"w[äa]re (sch[öo]n|toll|super|praktisch|hilfreich)|k[öo]nntet ihr|"
    r"k[öo]nnten sie .{0,30}(hinzuf|einbauen)|"
    r"seria ([óo]timo|legal|bom|[úu]til)|poderiam (adicionar|incluir)|"
    r"sarebbe (utile|bello|fantastico)|"
    r"potreste aggiungere"
)
BUG = (
    r"\berror\b|\berrors\b|\bbug\b|\bbugs\b|buggy|crash|broken|exception|stack ?trace|traceback|"
    r"(doesn'?t|does not|don'?t|isn'?t|is not|aren'?t|stopped|stops|not) work|"
    r"fails? to|failing|glitch|wrong (total|number|result|data|value|date|time|amount)|"
    r"blank (page|screen)|white screen|freez|hangs|spinner|keeps (spinning|loading)|"
    r"not (saving|loading|showing|syncing|sending|updating)|disappear|missing from|duplicat|"
    r"\bnull\b|undefined|nan\b|404|throws|shows? (the )?wrong|incorrect|unexpected|"
    r"erreur|fehler|funktioniert nicht|no funciona|falla|erro\b|errore|non funziona|"
    r"ne fonctionne pas|n[ãa]o funciona|se cuelga|bloqu"
)
ONBOARDING = (
    r"onboard|getting started|get started|first steps|set ?up (our|my|the|a) (new )?"
    r"(account|workspace|team|organi[sz]ation|instance|tenant)|setting up|"
    r"(just|recently) (signed up|started|purchased|bought|subscribed|joined)|"
    r"new (customer|client) here|"
    r"import (our|my|existing) (data|contacts|users|customers|tickets)|"
    r"migrat(e|ing|ion) (from|our)|"
    r"invite (my|our) (team|colleagues|users)|adding (our )?(team|users|seats)|kick-?off|"
    r"training (session|call)|welcome call|implementation (call|plan)|walkthrough|walk me through|"
    r"where do i (start|begin)|primeros pasos|empezar a usar|configurar (la|mi|nuestra) cuenta|"
    r"prise en main|premiers pas|mise en place|erste schritte|einrichtung|einrichten|"
    r"primeiros passos|configura[çc][ãa]o inicial|come iniziare|primi passi"
)
GENERAL = (
    r"do you (offer|have|provide|support|sell)|is there (a|an) .{0,40}\?|where can i find|"
    r"(quick|general|small) question|just (a question|wondering)|i was wondering|"
    r"(gdpr|dpa|data processing agreement|soc ?2|iso ?27001|hipaa|security questionnaire|"
    r"privacy policy|terms of service|sla document|uptime guarantee)|"
    r"(opening|business|office|support) hours|phone number|speak (to|with) (sales|someone)|"
    r"partner(ship)?|reseller|discount for (non-?profits?|education|students)|"
    r"where (are|is) (your|the) (data|servers?|office)|data (residency|center)|"
    r"tienen|ofrecen|avez-vous|proposez-vous|bieten sie|haben sie|voc[êe]s (t[êe]m|oferecem)|avete"
)

_NOT_REFUND = {"not": {"field": TEXT, "op": "matches", "value": REFUND}}


def _text(pattern: str) -> dict[str, Any]:
    return {"field": TEXT, "op": "matches", "value": pattern}


def _without(pattern: str, *excluded: str) -> dict[str, Any]:
    return {"all": [_text(pattern), *({"not": _text(p)} for p in excluded)]}


CLASSIFICATION_RULES: Final[list[dict[str, Any]]] = [
    {"name": "Service outage", "category": "service_outage", "weight": 0.9, "order": 10,
     "condition": _text(OUTAGE), "severity": "critical",
     "explanation": "The customer reports the service down or unreachable, or many users cut off."},
    {"name": "Refund request", "category": "refund_request", "weight": 0.92, "order": 20,
     "condition": _text(REFUND),
     "explanation": "The customer asks for money back."},
    {"name": "Sign-in or account access", "category": "account_access", "weight": 0.88,
     "order": 30, "condition": _without(ACCESS, OUTAGE),
     "explanation": "The customer cannot sign in, reset a password or pass 2FA/SSO."},
    {"name": "Billing question", "category": "billing", "weight": 0.85, "order": 40,
     "condition": _without(BILLING, REFUND, OUTAGE),
     "explanation": "The message is about invoices, charges, payments or the subscription plan."},
    {"name": "Feature request", "category": "feature_request", "weight": 0.88, "order": 50,
     "condition": _without(FEATURE, OUTAGE, REFUND),
     "explanation": "The customer asks for something the product does not do yet."},
    {"name": "Onboarding help", "category": "onboarding", "weight": 0.86, "order": 60,
     "condition": _without(ONBOARDING, OUTAGE, REFUND),
     "explanation": "A new customer needs help setting up, importing data or training the team."},
    {"name": "Bug report", "category": "bug_report", "weight": 0.8, "order": 70,
     "condition": _without(BUG, OUTAGE, ACCESS, REFUND, FEATURE),
     "explanation": "Something in the product fails, errors or shows wrong data."},
    {"name": "General question", "category": "general", "weight": 0.75, "order": 80,
     "condition": _without(GENERAL, BUG, OUTAGE, ACCESS, BILLING, REFUND, FEATURE, ONBOARDING),
     "explanation": "A general question about the company, the product or compliance."},
    {"name": "Security concern", "category": "", "weight": 0.0, "order": 90,
     "condition": _text(r"security (issue|incident|breach|vulnerab)|vulnerab|breach|hacked|"
                        r"compromised|phishing|leak(ed)?\b|unauthori[sz]ed (access|login)"),
     "tags": ["security"], "severity": "critical",
     "explanation": "The customer mentions a possible security problem."},
    {"name": "Data loss", "category": "", "weight": 0.0, "order": 91,
     "condition": _text(r"data loss|lost (all )?(our|my) (data|records|files)|"
                        r"(data|records|files|tickets) (are |were |got )?"
                        r"(gone|deleted|wiped|vanished)"),
     "tags": ["data-loss"], "severity": "critical",
     "explanation": "The customer reports data that is gone."},
    {"name": "Urgent wording", "category": "", "weight": 0.0, "order": 92,
     "condition": _text(r"\burgent|asap|immediately|emergency|dringend|urgente|urgence"),
     "tags": ["urgent"],
     "explanation": "The customer says it is urgent."},
]


def _impact(*values: str) -> dict[str, Any]:
    return {"field": "ticket.impact", "op": "in", "value": list(values)}


def _category(*values: str) -> dict[str, Any]:
    return {"field": "ticket.category", "op": "in", "value": list(values)}


def _tags(*values: str) -> dict[str, Any]:
    return {"field": "ticket.tags", "op": "in", "value": list(values)}


ENTERPRISE = {"field": "organization.tier", "op": "equals", "value": "enterprise"}

# The defaults: P1 outages, security, data loss; P2 enterprise blocked or billing that
# stops service use; P3 non-blocking bugs and specialised questions; P4 general questions
# and feature requests from self-serve users.
PRIORITY_RULES: Final[list[dict[str, Any]]] = [
    {"name": "P1: outage, security or data loss", "priority": "P1", "severity": "critical",
     "order": 10,
     "condition": {"any": [_impact("outage", "security", "data_loss"),
                           _category("service_outage"), _tags("security", "data-loss")]},
     "explanation": "Outages, security problems and data loss are always P1."},
    {"name": "P2: enterprise customer blocked", "priority": "P2", "severity": "high",
     "order": 20,
     "condition": {"all": [ENTERPRISE, {"any": [_impact("blocked_workflow"),
                                                _category("account_access", "bug_report")]}]},
     "explanation": "An enterprise customer who cannot work is P2."},
    {"name": "P2: billing prevents service use", "priority": "P2", "severity": "high",
     "order": 30,
     "condition": {"any": [{"all": [_impact("billing"), _impact("blocked_workflow")]},
                           {"all": [_category("billing"), _text(
                               r"suspend|locked|block|cut off|can'?t use|cannot use|deactivat")]}]},
     "explanation": "A billing problem that stops the customer using the service is P2."},
    {"name": "P4: self-serve general or feature", "priority": "P4", "severity": "low",
     "order": 40,
     "condition": {"all": [_category("general", "feature_request"),
                           {"not": {"field": "organization.tier", "op": "in",
                                    "value": ["enterprise", "smb"]}}]},
     "explanation": "General questions and feature requests from self-serve users are P4."},
    {"name": "P3: everything else", "priority": "P3", "severity": "medium", "order": 1000,
     "condition": {},
     "explanation": "Non-blocking bugs and specialised questions are P3."},
]

EXTRACTORS: Final[list[dict[str, Any]]] = [
    {"name": "Order number", "field": "order_id", "order": 10,
     "pattern": r"\border\s*(?:#|no\.?|number|nr\.?|n[º°])?\s*:?\s*([A-Z]{1,3}-?\d{3,10})\b"},
    {"name": "Invoice id", "field": "invoice_id", "order": 20,
     "pattern": r"\b(INV-?\d{3,10})\b"},
    {"name": "Error code", "field": "error_code", "order": 30,
     "pattern": r"\b((?:E|ERR)-?\d{3,6}|HTTP\s?[45]\d\d)\b"},
]


def seed_default_rules(apps: Any) -> None:
    """Create or update the default rules by name; rules admins added are left alone."""
    triage_rule = apps.get_model("triage", "TriageRule")
    priority_rule = apps.get_model("triage", "PriorityRule")
    extractor = apps.get_model("triage", "Extractor")
    for spec in CLASSIFICATION_RULES:
        triage_rule.objects.update_or_create(
            name=spec["name"],
            defaults={"category_id": spec["category"] or None, "weight": spec["weight"],
                      "order": spec["order"], "condition": spec["condition"],
                      "severity": spec.get("severity", ""), "priority": spec.get("priority", ""),
                      "tags": spec.get("tags", []), "explanation": spec["explanation"],
                      "enabled": True},
        )
    for spec in PRIORITY_RULES:
        priority_rule.objects.update_or_create(
            name=spec["name"],
            defaults={"priority": spec["priority"], "severity": spec["severity"],
                      "order": spec["order"], "condition": spec["condition"],
                      "explanation": spec["explanation"], "enabled": True},
        )
    for spec in EXTRACTORS:
        extractor.objects.update_or_create(
            name=spec["name"],
            defaults={"field": spec["field"], "order": spec["order"], "pattern": spec["pattern"],
                      "enabled": True},
        )

"""What the demo customers write about: one story per kind of request, with blanks to vary."""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    category: str
    subject: str
    description: str
    product_area: str
    priorities: str  # the priorities this story is plausibly filed at, e.g. "P2P3"
    impact: tuple[str, ...] = ()


def _s(category: str, area: str, priorities: str, impact: tuple[str, ...],
       subject: str, description: str) -> Story:
    return Story(category, subject, description, area, priorities, impact)


BILLING = (
    _s("billing", "billing portal", "P2P3", ("billing",), "Charged twice for the {plan} plan",
       "Hi, our card was charged {amount} twice on {date} for the {plan} plan. Both charges show "
       "as settled on our statement. Could you refund the duplicate? Invoice {invoice}."),
    _s("billing", "invoices", "P3P4", (), "Invoice {invoice} shows the wrong VAT number",
       "Hello, the invoice {invoice} we received lists our old VAT number. Our finance team "
       "cannot book it like this. Please reissue it with the number on our account settings."),
    _s("billing", "billing portal", "P3", ("billing",), "Card declined when renewing",
       "We tried to renew this morning and the payment page keeps saying 'card declined'. The "
       "bank says there is no block on their side. Our plan expires on {date}, please help."),
    _s("billing", "plans", "P3P4", (), "Question about prorated charge after adding seats",
       "We added {seats} seats last week and now see a charge of {amount} that I don't "
       "understand. How is the proration calculated? Just want to check it before paying."),
    _s("billing", "invoices", "P4", (), "Need invoices sent to accounts payable address",
       "Could you send all future invoices to ap@{domain} instead of to me? I keep having to "
       "forward them. Thanks, {first_name}."),
)

REFUNDS = (
    _s("refund_request", "subscriptions", "P3", ("billing",), "Refund for unused annual plan",
       "We moved to a different tool and would like a refund for the remaining months of our "
       "annual plan, bought on {date}. We have not used the account since. Invoice {invoice}."),
    _s("refund_request", "subscriptions", "P3P4", ("billing",),
       "Accidentally upgraded to {plan}",
       "I clicked upgrade by mistake while looking at the pricing page and was charged {amount}. "
       "We don't need {plan}. Can you revert the upgrade and refund the difference?"),
    _s("refund_request", "add-ons", "P4", (), "Refund request for the SMS add-on",
       "The SMS add-on never worked for numbers in our country, which your docs confirm now. "
       "Please refund the {amount} we paid for it in order {order}."),
    _s("refund_request", "billing portal", "P2P3", ("billing",),
       "Charged after cancelling our subscription",
       "We cancelled on {date} and received the confirmation email, yet we were charged {amount} "
       "again today. Please refund it and confirm the subscription is really cancelled."),
)

ACCESS = (
    _s("account_access", "login", "P2P3", ("blocked_workflow",), "Locked out after password reset",
       "I reset my password this morning and now the login page says my account is locked. "
       "I have a client presentation at 3pm and need the reports in there. {first_name}"),
    _s("account_access", "single sign-on", "P1P2", ("blocked_workflow",),
       "SSO login fails with {error} for all users",
       "Since about 9:00 our time nobody at {org} can log in through SSO. The identity provider "
       "shows a successful assertion, then your side shows error {error}. We changed nothing."),
    _s("account_access", "two-factor", "P3", (), "Lost phone with authenticator app",
       "My phone was stolen and the authenticator app was on it. I have my backup email but no "
       "recovery codes. How can I get back into my account?"),
    _s("account_access", "user management", "P3P4", (), "Transfer account ownership",
       "Our previous admin left the company. Please transfer ownership of the {org} account to "
       "me, {first_name}. I can send a letter from our CEO if you need proof."),
    _s("account_access", "login", "P3", (), "Invitation link says it has expired",
       "I was invited by my manager two days ago but the link in the email says it has expired. "
       "Can you send a new one or extend it?"),
)

BUGS = (
    _s("bug_report", "reports", "P2P3", (), "CSV export cuts off after 10,000 rows",
       "When I export the monthly report to CSV it always stops at exactly 10,000 rows. The "
       "report has about {rows} rows. This worked in the past. Browser: {browser}."),
    _s("bug_report", "dashboard", "P3", (), "Dashboard charts show yesterday's data",
       "The dashboard charts have been a day behind since {date}. The tables are up to date, "
       "only the charts lag. Screenshot attached in my head: the last point is yesterday."),
    _s("bug_report", "integrations", "P2P3", ("blocked_workflow",),
       "Slack notifications stopped arriving",
       "Our Slack channel stopped receiving notifications on {date}. The integration page still "
       "says 'connected'. Reconnecting did not help. Workspace: {org}."),
    _s("bug_report", "mobile app", "P3P4", (), "iOS app crashes when opening attachments",
       "The iOS app closes as soon as I tap a PDF attachment. iPhone 14, latest app version. "
       "Attachments open fine on the web. Happens with every PDF I've tried."),
    _s("bug_report", "api", "P2", ("blocked_workflow",), "API returns 500 on bulk update",
       "Our nightly sync calls the bulk update endpoint and has failed with HTTP 500 since "
       "{date}. Request id {error}. Single updates work. This blocks our order pipeline."),
    _s("bug_report", "search", "P3P4", (), "Search does not find records with accents",
       "Searching for 'Müller' finds nothing, though we have several records with that name. "
       "Searching 'Muller' doesn't find them either. Other searches work fine."),
)

OUTAGES = (
    _s("service_outage", "platform", "P1", ("outage",), "Site down: 502 Bad Gateway",
       "Our whole team is getting 502 Bad Gateway on every page since {time}. Your status page "
       "says all systems operational. {org} has about {seats} people blocked right now."),
    _s("service_outage", "api", "P1P2", ("outage", "blocked_workflow"),
       "API timing out for all requests",
       "Every API call from our servers times out after 30 seconds since {time} UTC. Nothing "
       "changed on our side. Our checkout depends on this; we are losing orders."),
    _s("service_outage", "email delivery", "P1P2", ("outage",),
       "Outgoing emails are not being delivered",
       "None of the notification emails have gone out since {time}. Customers are asking us "
       "where their confirmations are. The outbox shows hundreds of messages queued."),
    _s("service_outage", "file storage", "P1", ("outage", "data_loss"),
       "Uploaded files missing after this morning",
       "Files our team uploaded yesterday are gone; the records remain but the download links "
       "give 404. This is critical for us, these are signed contracts."),
)

ONBOARDING = (
    _s("onboarding", "setup", "P3P4", (), "Help importing our customer list",
       "We are new to the product and want to import about {rows} contacts from our old CRM. "
       "Which columns does the import expect? Is there a template?"),
    _s("onboarding", "single sign-on", "P3", (), "Setting up SSO with Okta",
       "We'd like to set up SSO with Okta before rolling out to {seats} users. Is there a guide? "
       "We're unsure which attribute to map to the user's email."),
    _s("onboarding", "training", "P4", (), "Training session for new team",
       "We have {seats} new people starting next month. Do you offer a live training session? "
       "Ideally in the {tz} time zone."),
    _s("onboarding", "setup", "P3P4", (), "How do we set up approval workflows?",
       "Our managers need to approve requests over {amount}. I couldn't find how to set up an "
       "approval step. Is it available on the {plan} plan?"),
)

FEATURES = (
    _s("feature_request", "reports", "P4", (), "Schedule reports to be emailed weekly",
       "It would save us a lot of time if reports could be emailed automatically every Monday. "
       "Right now someone exports and forwards them by hand."),
    _s("feature_request", "user management", "P4", (), "Custom roles with read-only access",
       "We'd like to give our auditors read-only access. The current roles all allow editing. "
       "Is a custom or read-only role on the roadmap?"),
    _s("feature_request", "integrations", "P4", (), "Integration with Microsoft Teams",
       "We use Microsoft Teams, not Slack. Are you planning a Teams integration? It would make "
       "the product much more useful for our {seats} users."),
    _s("feature_request", "mobile app", "P4", (), "Dark mode in the mobile app",
       "Small request: a dark mode in the Android app. Our field staff use it at night a lot."),
)

GENERAL = (
    _s("general", "security", "P3", ("legal",), "Request for SOC 2 report",
       "Our security team needs your latest SOC 2 Type II report for our vendor review, due "
       "{date}. Can you share it, under NDA if needed?"),
    _s("general", "data", "P3", ("legal",), "GDPR data deletion request",
       "One of our former customers asked us to delete all their personal data under GDPR. How "
       "do we make sure it is removed from your systems too, including backups?"),
    _s("general", "account", "P4", (), "Change company name on the account",
       "We have rebranded; please change the company name on the account from {org} to "
       "'{org} Group'. Invoices should show the new name from next month."),
    _s("general", "platform", "P4", (), "Planned maintenance windows?",
       "Do you publish maintenance windows in advance? We run month-end closing on {date} and "
       "want to make sure nothing is scheduled then."),
)

STORIES: tuple[Story, ...] = (
    *BILLING, *REFUNDS, *ACCESS, *BUGS, *OUTAGES, *ONBOARDING, *FEATURES, *GENERAL
)
INTERNAL_STORIES = (
    _s("general", "laptops", "P3", (), "New laptop for starter on Monday",
       "Please prepare a laptop and accounts for a new agent starting Monday in the Billing team."),
    _s("account_access", "vpn", "P2", ("blocked_workflow",), "VPN rejects my certificate",
       "Since this morning the VPN rejects my certificate, so I can't reach the admin tools."),
)

PLANS = ("Starter", "Team", "Business", "Enterprise")
BROWSERS = ("Chrome 131 on Windows 11", "Safari 18 on macOS", "Firefox 133 on Ubuntu", "Edge 131")


def fill(text: str, *, rng: random.Random, first_name: str, org: str, domain: str,
         when: str, tz: str) -> str:
    """Return the text with its blanks filled by plausible, repeatable values."""
    facts = {
        "first_name": first_name or "there",
        "org": org or "our company",
        "domain": domain,
        "date": when,
        "time": f"{rng.randint(6, 18):02d}:{rng.choice(('05', '20', '35', '50'))}",
        "tz": tz or "UTC",
        "amount": f"${rng.choice((49, 99, 180, 240, 480, 1200, 2350))}.00",
        "invoice": f"INV-{rng.randint(2024000, 2024999)}",
        "order": f"A-{rng.randint(1000, 9999)}",
        "plan": rng.choice(PLANS),
        "seats": rng.choice((5, 12, 25, 40, 120, 300)),
        "rows": f"{rng.choice((14, 23, 48, 61))},{rng.randint(100, 999)}",
        "error": f"ERR-{rng.randint(4000, 4999)}",
        "browser": rng.choice(BROWSERS),
    }
    return text.format_map(facts)

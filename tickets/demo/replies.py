"""What agents and customers say after the first message, by category where it matters."""

FIRST_REPLIES: dict[str, tuple[str, ...]] = {
    "billing": (
        "Hi {first_name}, thanks for flagging this. I can see the charges on our side and I'm "
        "checking them with our payments team now. I'll update you today.",
        "Hi {first_name}, I've pulled up the invoice. I'm reviewing the line items and will "
        "come back to you with a corrected copy if anything is off.",
    ),
    "refund_request": (
        "Hi {first_name}, thanks for reaching out. I've passed your refund request to billing "
        "for approval; refunds usually take 5-10 business days to appear.",
        "Hi {first_name}, sorry about the unexpected charge. I'm reviewing the order history "
        "and will confirm the refund amount shortly.",
    ),
    "account_access": (
        "Hi {first_name}, sorry you're locked out. For your security I've sent a verification "
        "link to the address on file; once you confirm it I can restore access.",
        "Hi {first_name}, I've checked the login logs and can see the failed attempts. I'm "
        "resetting the lock on your account now.",
    ),
    "bug_report": (
        "Hi {first_name}, thanks for the detailed report. I've reproduced the problem on our "
        "side and filed it with engineering. I'll keep you posted on the fix.",
        "Hi {first_name}, thanks, that's very helpful. I'm trying to reproduce it now with the "
        "same setup you described.",
    ),
    "service_outage": (
        "Hi {first_name}, we are aware of the problem and our engineers are working on it "
        "right now. I'll update you as soon as we have more information.",
        "Hi {first_name}, thank you for reporting this. We've declared an incident and are "
        "investigating. Updates will follow every 30 minutes.",
    ),
    "onboarding": (
        "Hi {first_name}, welcome aboard! I've attached our setup checklist and a link to the "
        "guide for this. Happy to walk you through it on a call if that helps.",
        "Hi {first_name}, great question. Here's how it works on your plan, step by step. Let "
        "me know if anything is unclear.",
    ),
    "feature_request": (
        "Hi {first_name}, thanks for the suggestion! I've added it to our product feedback "
        "board with your use case, which helps the team prioritise.",
    ),
    "general": (
        "Hi {first_name}, thanks for getting in touch. I'm looking into this and will get "
        "back to you shortly.",
        "Hi {first_name}, I've forwarded your request to the right team and will follow up "
        "with their answer.",
    ),
}

INFO_REQUESTS: tuple[str, ...] = (
    "Could you send us a screenshot of the error and the approximate time it happened? "
    "That will help us find the request in our logs.",
    "To look into this I need the email address of the affected user and the invoice or "
    "order number, if you have it.",
    "Which browser and version are you using? And does the problem also happen in a private "
    "window?",
    "Could you confirm the workspace name and whether this affects all users or only some?",
)

CUSTOMER_FOLLOW_UPS: tuple[str, ...] = (
    "Thanks for the quick answer. Here is the screenshot; it happened around 10:15 our time.",
    "It's all users as far as I can tell. We tried two different browsers.",
    "Any news on this? It's still happening for us.",
    "The order number is A-4471, and the user is our office manager.",
    "We tried what you suggested but no luck, same error.",
    "Just checking in, our finance team is asking me about this daily.",
)

INTERNAL_NOTES: dict[str, tuple[str, ...]] = {
    "billing": ("Stripe shows two captures for the same payment intent; refunding one.",
                "Customer is on a legacy price; check with Grace before changing anything."),
    "refund_request": ("Within the 30-day window, eligible for full refund.",
                       "Outside refund policy; approved as a goodwill gesture by the manager."),
    "account_access": ("Verified identity by callback to the number on file.",
                       "SAML certificate on their side expired yesterday; sent instructions."),
    "bug_report": ("Reproduced on staging. Engineering ticket ENG-4821.",
                   "Known issue, fix is in the next release (Thursday)."),
    "service_outage": ("Linked to incident INC-312 on the status page.",
                       "Root cause: load balancer config pushed at 08:55 UTC, rolled back."),
    "onboarding": ("Enterprise onboarding call booked for next Tuesday.",
                   "Sent the CSV template and import guide."),
    "feature_request": ("Logged on the product board, 14 other customers asked for this.",),
    "general": ("Checked with legal; we can share the report under our standard NDA.",
                "Nothing scheduled that week; maintenance calendar attached."),
}

WAITING_NOTES: tuple[str, ...] = (
    "Waiting on engineering; ENG ticket linked, no ETA yet.",
    "On hold until the payments provider answers our dispute query.",
    "Parked until the customer's IT team renews their SAML certificate.",
)

SOLUTIONS: tuple[str, ...] = (
    "Hi {first_name}, good news: this is fixed now. Could you check on your side and let us "
    "know if anything still looks wrong?",
    "Hi {first_name}, the refund has been issued and should reach your account within 5-10 "
    "business days. I'll mark this as solved, but just reply if you need anything else.",
    "Hi {first_name}, I've made the change you asked for; it's live now. Thanks for your "
    "patience!",
    "Hi {first_name}, the fix has been deployed and I've confirmed it on your account. I'm "
    "closing this ticket; replying to this email reopens it.",
)

THANKS: tuple[str, ...] = (
    "That worked, thank you so much!",
    "Confirmed, all good now. Thanks for the quick help.",
    "Perfect, thanks a lot.",
)

REOPEN_COMPLAINTS: tuple[str, ...] = (
    "Sorry, it's happening again since this morning. Same error as before.",
    "The invoice you sent still has the old details on page 2.",
)

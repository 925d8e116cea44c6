"""What the demo centre's contacts say and who the people are: topic mix per channel kind,
topic sentiment and queues, message templates, names, the playbook, stakeholders, and the canned
QA comments and reply-rejection reasons."""

from __future__ import annotations

from typing import Any

from ingest.demo.traffic import SOCIAL_CHANNELS

# Topic mix per channel kind; topics the admin adds later get a small default share.
TOPIC_WEIGHTS: dict[str, dict[str, float]] = {
    "voice": {"billing": 22, "outage": 8, "delivery": 12, "account access": 15,
              "product question": 15, "complaint": 10, "praise": 3, "cancellation": 15},
    "chat": {"billing": 18, "outage": 6, "delivery": 20, "account access": 18,
             "product question": 20, "complaint": 8, "praise": 4, "cancellation": 6},
    "async": {"billing": 25, "outage": 4, "delivery": 18, "account access": 10,
              "product question": 12, "complaint": 15, "praise": 4, "cancellation": 12},
    "social": {"billing": 10, "outage": 12, "delivery": 16, "account access": 8,
               "product question": 12, "complaint": 22, "praise": 14, "cancellation": 6},
}  # fmt: skip
DEFAULT_TOPIC_WEIGHT = 3.0
# Mean sentiment per topic: complaints and outages negative, praise positive.
TOPIC_SENTIMENT: dict[str, float] = {
    "billing": -0.25, "outage": -0.55, "delivery": -0.2, "account access": -0.15,
    "product question": 0.1, "complaint": -0.65, "praise": 0.75, "cancellation": -0.35,
}  # fmt: skip
TOPIC_QUEUES = {"billing": "billing", "outage": "tech", "account access": "tech",
                "cancellation": "retention"}  # fmt: skip
CHANNEL_QUEUES = {"email": "email", **{c: "social-care" for c in SOCIAL_CHANNELS}}

PRODUCTS = ["Fibre 500", "Mobile Plus", "Home Hub 3", "TV Box", "SIM-only 30", "Smart Plug"]
BRAND_HANDLE = "@AcmeHelp"
# Written as customers write: a reference where they would give one ("order 123456"), a bit of
# context, and each template tagged with its own topic by the reference taxonomy
# (tests/test_topic_tagging.py checks every one).
BODY_TEMPLATES: dict[str, list[str]] = {
    "billing": [
        "I've been charged twice for {product} this month (order {order}). Can you refund the "
        "second payment?",
        "Why is my bill higher than last month? Nothing changed on my side. Account {order}.",
        "Paid invoice {order} on Monday and today I got a reminder saying it's overdue.",
        "Got charged for the {product} after I sent it back. Order {order}, please sort this.",
        "Direct debit came out twice this month. Can someone check my payments?",
    ],
    "outage": [
        "My {product} has been down since 7am, no service at all. Any idea when it's back?",
        "Is there an outage in my area? Broadband not working since last night, ref {order}.",
        "Everything offline again, third time this week. I work from home!",
        "The {product} keeps dropping every ten minutes and now it's completely down.",
        "No signal and no internet at home. Is something broken on your side?",
    ],
    "delivery": [
        "Where is my parcel? Order {order} was due yesterday and the tracking hasn't changed.",
        "Tracking for order {order} hasn't moved in three days.",
        "Courier says delivered but there's no {product} here and no card through the door.",
        "Delivery slot was 8 to 12 and nobody came. Do I have to stay in again tomorrow?",
        "My {product} was shipped last week and still hasn't arrived, order {order}.",
    ],
    "account access": [
        "I'm locked out of my account and the password reset email never arrives.",
        "The 2FA code keeps failing so I can't sign in.",
        "Can't log in to the app to manage my {product}. It just says something went wrong.",
        "Changed my phone number and now the login codes go to my old one.",
        "My account got locked after three tries. When can I get back in?",
    ],
    "product question": [
        "Does the {product} work with my old router?",
        "How do I set up the {product}? The guide in the box is unclear.",
        "Quick question: is the {product} compatible with 5G?",
        "Can I use the {product} abroad, or does it only work in the UK?",
        "Is there a feature on the {product} to limit the kids' screen time?",
    ],
    "complaint": [
        "Absolutely terrible service. I've called four times about order {order} and nobody "
        "calls back.",
        "Really disappointed with the {product}. Worst purchase I've made this year.",
        "This is unacceptable. I want to make a formal complaint about how I was treated.",
        "Your engineer didn't turn up AGAIN. Awful. Took a day off for nothing.",
        "Worst customer service I've ever had. Two hours on hold and then cut off.",
    ],
    "praise": [
        "Thanks so much to the team, my {product} issue was sorted in minutes!",
        "Brilliant help in the shop today, love the new {product}.",
        "Great service, really helpful agent on order {order}.",
        "Just want to say the engineer was amazing, fixed everything in half an hour.",
        "Had my doubts but the upgrade to {product} was painless. Thanks!",
    ],
    "cancellation": [
        "I want to cancel my {product} contract, account {order}.",
        "Please close my account, I'm switching provider.",
        "How do I cancel? Moving abroad next month.",
        "Your prices went up again so I'd like to cancel. When does my contract end?",
        "Moving in with my partner who already has broadband. Can I cancel the {product} "
        "without a fee?",
    ],
}
GENERIC_TEMPLATES = ["Hi, about {topic}: can someone help me with reference {order}?"]
FOLLOW_UP_TEMPLATES = [
    "Hello?? Still waiting for a reply.",
    "Any update on this?",
    "Sent you a DM with the details, ref {order}.",
    "Still not sorted. {product} still not working.",
    "Thanks, that worked!",
    "It's been two days now, can someone actually get back to me?",
    "Ok, done that. What next?",
]

FIRST_NAMES = [
    "Amira", "Ben", "Chloe", "Dev", "Ella", "Farid", "Grace", "Hugo", "Isla", "Jonas", "Kemi",
    "Liam", "Maya", "Nikhil", "Olivia", "Pavel", "Queenie", "Rafael", "Sofia", "Tariq", "Uma",
    "Victor", "Wen", "Xavier", "Yara", "Zane", "Aisha", "Bruno", "Carys", "Dmitri", "Esme",
    "Felix", "Gita", "Harvey", "Ines", "Jack", "Kai", "Lena", "Mateo", "Nora",
]  # fmt: skip
LAST_NAMES = [
    "Okafor", "Smith", "Nguyen", "Patel", "Jones", "Haddad", "Kowalski", "Martin", "Brown",
    "Schmidt", "Adeyemi", "Murphy", "Chen", "Rao", "Taylor", "Novak", "Li", "Costa", "Rossi",
    "Khan", "Evans", "Dubois", "Wang", "Garcia", "Ali", "Walker", "Hughes", "Silva", "Davies",
    "Ivanov", "Clarke", "Becker", "Sharma", "Wright", "Moreno", "Fischer", "Kim", "Berg",
    "Lopez", "Quinn",
]  # fmt: skip

# The first reviewer and the supervisor are demo logins cli.py creates ("reviewer", "supervisor"),
# so those users find their own work; the other reviewers make calibration possible.
DEMO_REVIEWERS = ("reviewer", "qa.sam", "qa.jordan")
DEMO_SUPERVISOR = "supervisor"

# Canned text of the QA reviews and the reply-review workflow.
QA_COMMENTS = [
    None,
    "Good empathy, missed the account check.",
    "Clear answer and next steps.",
    "Rushed the close; confirm resolution next time.",
    "Excellent handling of an upset customer.",
    "Answer was inconsistent with the playbook.",
]
PLAYBOOK: list[dict[str, Any]] = [
    {"issue": "Service outage", "topic": "outage", "move_to_private": False,
     "response_template": "Sorry, we know about the outage in some areas and engineers are on "
                          "it. Updates on our status page; we'll reply here when it's fixed.",
     "escalation": "Tell the network on-call lead if a post mentions safety or a business site."},
    {"issue": "Billing dispute", "topic": "billing", "move_to_private": True,
     "response_template": "Sorry about the bill. Please DM us your account number and we'll "
                          "look into the charge straight away.",
     "escalation": "Refunds above 200 need a team lead's approval."},
    {"issue": "Late delivery", "topic": "delivery", "move_to_private": True,
     "response_template": "Sorry your order is late. DM us the order number and we'll chase "
                          "the courier for you.", "escalation": None},
    {"issue": "Locked account", "topic": "account access", "move_to_private": True,
     "response_template": "We can help you get back in. Never share your password here; "
                          "please DM us and we'll verify you privately.",
     "escalation": "Suspected fraud goes to the security desk."},
    {"issue": "Public complaint", "topic": "complaint", "move_to_private": True,
     "response_template": "We're sorry this happened and want to put it right. Please DM us "
                          "so we can look at the details.",
     "escalation": "Posts with reach above 20,000 go to the social lead before any reply."},
    {"issue": "Thank-you post", "topic": "praise", "move_to_private": False,
     "response_template": "Thank you for the kind words, we'll pass them on to the team!",
     "escalation": None},
]  # fmt: skip
STAKEHOLDERS = [
    ("Priya Desai", "priya.desai@example.com", "outage", "Network operations lead"),
    ("Tom Becker", "tom.becker@example.com", "billing", "Billing manager"),
    ("Lucy Grant", "lucy.grant@example.com", "complaint", "Customer experience director"),
    ("Omar Sayed", "omar.sayed@example.com", "delivery", "Logistics partner manager"),
    ("Hannah Cole", "hannah.cole@example.com", None, "Head of communications"),
]
REJECTION_REASONS = [
    "Asks for account details in public; move to DM.",
    "Tone too defensive for a complaint with this reach.",
    "Promises a refund we can't confirm yet.",
]

"""Sample traffic for the demo firm: the everyday messages of a retail broker-dealer, and a few that
supervision exists to catch (promises of returns, customer complaints, moving business off-channel).

Kept apart from the file writers so the wording can be read and changed on its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRM = "harborstreet.com"
SYMBOLS = ("AAPL", "MSFT", "JNJ", "XOM", "KO", "T", "PFE", "VZ", "HD", "IBM")


@dataclass(frozen=True)
class Person:
    name: str
    address: str

    @property
    def header(self) -> str:
        return f"{self.name} <{self.address}>"


DANA = Person("Dana Whitfield", f"dana.whitfield@{FIRM}")
LEE = Person("Lee Park", f"lee.park@{FIRM}")
SAM = Person("Sam Ortiz", f"sam.ortiz@{FIRM}")
OPS = Person("Operations", f"ops@{FIRM}")
GROUP = Person("Client Service", f"clientservice@{FIRM}")
CLIENTS = (
    Person("Jane Doe", "jane.doe@gmail.example"),
    Person("Robert Kim", "rkim@outlook.example"),
    Person("Maria Alvarez", "maria.alvarez@yahoo.example"),
    Person("Tom Becker", "tbecker@icloud.example"),
    Person("Priya Nair", "priya.nair@gmail.example"),
    Person("Walter Grant", "wgrant@aol.example"),
)

ROUTINE_INTERNAL = (
    (
        "{sym} block allocation",
        "The {sym} block is allocated across the model accounts. Fills average {price}.",
    ),
    (
        "Settlement check",
        "Can you confirm settlement for the {qty} {sym} trade is T+1? Ops shows it pending.",
    ),
    ("Branch meeting", "Reminder: branch meeting Thursday 8:30 to go over the new account forms."),
    ("Re: ACH returns", "Two ACH returns came back this morning; I have called both clients."),
    (
        "Rebalance list",
        "Attached list of accounts due for the quarterly rebalance. Please review before Friday.",
    ),
)
ROUTINE_CLIENT = (
    (
        "Your {sym} order",
        "Hi {first}, your order for {qty} shares of {sym} filled at {price}. Confirmation to follow.",
    ),
    (
        "Account transfer",
        "Hi {first}, the transfer form is received; the assets should arrive within 5 business days.",
    ),
    (
        "Quarterly review",
        "Hi {first}, are you free next week for our quarterly review? Tuesday or Wednesday works.",
    ),
    (
        "Re: statement question",
        "Hi {first}, the fee on your statement is the annual account fee described in the schedule.",
    ),
)
CLIENT_TO_FIRM = (
    ("Question about my account", "Hello, can you tell me when the dividend from {sym} will be paid?"),
    ("Wire request", "Please send $12,500 from my brokerage account to my checking account on file."),
    ("Address change", "I moved; please update my mailing address before the next statement."),
)
# Language a firm's review lexicon looks for. Each is realistic, and each should be reviewed.
FLAGGED_REP = (
    (
        "Re: {sym}",
        "Hi {first}, I can guarantee you will not lose money on {sym}; it's a sure thing this quarter.",
    ),
    ("Quick one", "Text me on my personal cell instead, it's easier than email for this. 917-555-0142."),
    (
        "Re: the idea we discussed",
        "Let's move this to WhatsApp so we can talk freely. Delete this after reading.",
    ),
    (
        "Re: returns",
        "Hi {first}, this fund is guaranteed to return at least 12% a year, no risk to principal.",
    ),
)
FLAGGED_CLIENT = (
    (
        "Complaint",
        "I want to file a formal complaint. The {sym} trade in my account was not authorized by me.",
    ),
    (
        "Unhappy",
        "I am very unhappy: you told me {sym} was risk free and I have lost $8,000. I want my money back.",
    ),
)
CHAT_LINES = (
    "anyone seen the {sym} open? looks heavy",
    "ops says the {sym} allocations are done",
    "{qty} {sym} working at {price}",
    "can someone cover my phones 12-1?",
    "client asking about the {sym} dividend date",
    "reminder: CE training due end of month",
)
CHAT_FLAGGED = (
    "just text me on my cell, don't put it in here",
    "between us, {sym} earnings leak says beat, load up",
    "I told him it's guaranteed, he's in for {qty}",
)
TICKET_SUBJECTS = (
    "Transfer to my bank has not arrived",
    "Cannot log in to my account",
    "Question about a fee on my statement",
    "Dividend not credited",
    "Request to close my account",
)
TICKET_CUSTOMER = (
    "Hello, I requested a withdrawal {days} days ago and it is still not in my bank account.",
    "I have tried to reset my password three times and it does not work.",
    "Why was I charged a $75 fee this month? Nobody told me about it.",
    "The {sym} dividend should have been paid on Friday but I don't see it.",
    "I am unhappy with the service and want to file a complaint about how my transfer was handled.",
)
TICKET_AGENT = (
    "Thank you for contacting Harbor Street. I have escalated this to our operations team.",
    "I have reset your access; you should receive an e-mail with a link shortly.",
    "The fee is the annual account maintenance fee; I have requested a one-time courtesy refund.",
    "The dividend was credited this morning; please allow one business day for it to show.",
)


def fill(rng: random.Random, template: str, first: str = "", sym: str | None = None) -> str:
    return template.format(
        sym=sym or rng.choice(SYMBOLS),
        qty=rng.choice((100, 200, 250, 500, 1000)),
        price=f"{rng.uniform(20, 400):.2f}",
        first=first,
        days=rng.choice((3, 4, 5, 6)),
    )


def email_text(rng: random.Random, rep: Person, flagged: bool) -> tuple[Person, list[Person], str, str]:
    """(sender, recipients, subject, body) for one e-mail in a rep's mailbox."""
    roll = rng.random()
    client = rng.choice(CLIENTS)
    first = client.name.split()[0]
    sym = rng.choice(SYMBOLS)
    if flagged:
        if rng.random() < 0.5:
            subject, body = rng.choice(FLAGGED_REP)
            return rep, [client], fill(rng, subject, sym=sym), fill(rng, body, first, sym)
        subject, body = rng.choice(FLAGGED_CLIENT)
        return client, [rep], fill(rng, subject, sym=sym), fill(rng, body, first, sym)
    if roll < 0.4:
        subject, body = rng.choice(ROUTINE_INTERNAL)
        other = rng.choice([p for p in (DANA, LEE, SAM, OPS) if p != rep])
        return rep, [other], fill(rng, subject, sym=sym), fill(rng, body, sym=sym)
    if roll < 0.8:
        subject, body = rng.choice(ROUTINE_CLIENT)
        signed = fill(rng, body, first, sym) + f"\n\n{rep.name}\nHarbor Street Securities"
        return rep, [client], fill(rng, subject, sym=sym), signed
    subject, body = rng.choice(CLIENT_TO_FIRM)
    return client, [rep], fill(rng, subject, sym=sym), fill(rng, body, sym=sym)

"""Draft customer notices with the content the amended Regulation S-P requires, and vendor notices.

Release 34-100155 (2024) amended 17 CFR 248.30: a covered institution must notify each affected
individual whose sensitive customer information was, or is reasonably likely to have been, accessed
or used without authorization, as soon as practicable and no later than 30 days after becoming
aware of the incident (248.30(a)(4)). The notice must be clear and conspicuous and contain the
items in `CONTENT_ITEMS`; each draft carries every item, so a missing item is visible in review
rather than discovered by an examiner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CITATION = "17 CFR 248.30(a)(4) (Regulation S-P, as amended by Release 34-100155)"

# (key, what the rule asks for) — in the order a notice presents them.
CONTENT_ITEMS: tuple[tuple[str, str], ...] = (
    (
        "incident",
        "A general description of the incident and the type of sensitive customer information involved",
    ),
    (
        "dates",
        "The date of the incident, the estimated date, or the date range, if reasonably possible to "
        "determine",
    ),
    (
        "contact",
        "Contact information sufficient to inquire about the incident: a toll-free telephone number, "
        "an email address or equivalent, a postal address, and the name of a specific office",
    ),
    (
        "protection",
        "What the firm has done to protect the information from further unauthorized access or use",
    ),
    (
        "review_accounts",
        "If the individual has an account, a recommendation to review account statements and "
        "report suspicious activity to the firm",
    ),
    ("fraud_alert", "What a fraud alert is and how to place one in the individual's credit reports"),
    (
        "credit_reports",
        "A recommendation to obtain credit reports periodically from each nationwide credit "
        "reporting company and to have information relating to fraudulent transactions deleted",
    ),
    ("free_report", "How to obtain a free credit report"),
    (
        "ftc",
        "The availability of online guidance from the FTC and usa.gov about steps to protect against "
        "identity theft, a statement encouraging the individual to report suspected identity theft to the "
        "FTC, "
        "and the FTC's website address",
    ),
)


@dataclass(frozen=True)
class FirmContact:
    firm: str
    office: str
    phone: str
    email: str
    postal: str

    def missing(self) -> list[str]:
        return [name for name in ("office", "phone", "email", "postal") if not getattr(self, name).strip()]


def customer_notice(
    customer: Mapping[str, Any],
    incident: Mapping[str, Any],
    contact: FirmContact,
    protection: str,
) -> tuple[str, dict[str, str]]:
    """The draft letter for one affected customer, and the text given to each required item."""
    touched = []
    for label, key in (
        ("viewed", "seen"),
        ("downloaded", "downloaded"),
        ("printed", "printed"),
        ("exported", "exported"),
    ):
        if customer.get(key):
            touched.append(label)
    what = ", ".join(touched) or "accessed"
    first, last = str(customer.get("first_access", ""))[:10], str(customer.get("last_access", ""))[:10]
    dates = f"on {first}" if first == last else f"between {first} and {last}"
    items = {
        "incident": (
            f"A person who was no longer associated with {contact.firm} used an account on a service "
            f"provider's system that had not been shut off, and {what} a record about you that contains "
            "nonpublic personal information (such as your name, contact details, account and policy "
            "numbers)."
        ),
        "dates": f"The access took place {dates}.",
        "contact": (
            f"Call {contact.phone} (toll-free), write to {contact.email}, or write to {contact.office}, "
            f"{contact.firm}, {contact.postal}."
        ),
        "protection": protection,
        "review_accounts": (
            "Please review your account statements and report any suspicious activity to us at the "
            "numbers above."
        ),
        "fraud_alert": (
            "A fraud alert tells lenders to verify your identity before opening credit in your name. It is "
            "free; contact any one of the three nationwide credit reporting companies (Equifax, Experian, "
            "TransUnion) and it will tell the other two."
        ),
        "credit_reports": (
            "We recommend you obtain your credit reports periodically from each nationwide credit reporting "
            "company and have information about fraudulent transactions deleted."
        ),
        "free_report": (
            "You may obtain a free credit report from each company at www.annualcreditreport.com or by "
            "calling 1-877-322-8228."
        ),
        "ftc": (
            "The Federal Trade Commission offers guidance on protecting yourself from identity theft at "
            "www.identitytheft.gov and www.usa.gov/identity-theft. We encourage you to report any "
            "suspected identity theft to the FTC at www.ftc.gov."
        ),
    }
    lines = [
        f"{contact.firm} — Notice of unauthorized access to your information",
        f"Customer record: {customer['customer']}",
        f"Incident reference: {incident['id']}",
        "",
    ]
    for key, requirement in CONTENT_ITEMS:
        lines += [f"[{key}] {requirement}", items[key], ""]
    lines.append(f"This notice is given under {CITATION}.")
    return "\n".join(lines) + "\n", items


def check_items(items: Mapping[str, str]) -> list[str]:
    """Required items a draft leaves empty."""
    return [key for key, _ in CONTENT_ITEMS if not str(items.get(key, "")).strip()]


def vendor_notice(
    incident: Mapping[str, Any], provider: str, accounts: Sequence[Mapping[str, Any]], firm: str, contact: str
) -> str:
    """The firm's written notice to the service provider: shut these accounts, report within 72 hours."""
    listed = "\n".join(
        f"  - {a.get('system')}: {a.get('login_id')} (person {a.get('employee_id') or 'unknown'})"
        for a in accounts
    )
    return (
        f"To: {provider}\nFrom: {firm} <{contact}>\nSubject: Security incident {incident['id']} — disable "
        "accounts and report\n\n"
        f"{firm} has found use of your system by persons no longer associated with us. Please disable "
        f"these accounts and revoke their sessions now:\n{listed}\n\n"
        "Under our agreement and 17 CFR 248.30(a)(5)(i), please notify us as soon as possible, and no later "
        "than 72 hours after becoming aware, of any breach in security resulting in unauthorized access to "
        "a customer information system you maintain, with the records accessed and the dates.\n"
    )

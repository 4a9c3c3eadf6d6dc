"""The one error every identifier validator raises.

Clerks read these messages at the window and applicants hear them over the
phone, so each one names the identifier, repeats the value as typed and says
which rule failed ("check digit should be X, got 3"), not merely that the
value is wrong.
"""

from __future__ import annotations

# Human labels per kind; the kind itself stays a stable machine code for the API.
_LABELS: dict[str, str] = {
    "resident_id": "resident identity number",
    "credit_code": "unified social credit code",
    "unit_number": "real-estate unit number",
    "certificate_number": "certificate number",
    "s10": "postal item number",
    "case_number": "case number",
}


class InvalidIdentifier(ValueError):
    """An identifier failed a format or check-character rule.

    Attributes:
        kind: Machine code of the identifier, e.g. ``"resident_id"``.
        value: The value as it was given (before normalisation).
        rule: The broken rule in words, e.g. ``"check digit should be X, got 3"``.
    """

    def __init__(self, kind: str, value: str, rule: str) -> None:
        self.kind = kind
        self.value = value
        self.rule = rule
        super().__init__(f"{_LABELS.get(kind, kind)} {value}: {rule}")

    def __reduce__(self) -> tuple[type[InvalidIdentifier], tuple[str, str, str]]:
        # Keeps the three fields when the error is pickled (process pools, Temporal).
        return (type(self), (self.kind, self.value, self.rule))

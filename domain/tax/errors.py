"""Errors of the tax engine; both are ``ValueError`` so callers can answer 422."""


class UnknownTreatment(ValueError):
    """A business type has no entry in the tax treatments file.

    Attributes:
        code: the business-type code that was asked for.
        field: the input field to blame (``business_type``).
    """

    field = "business_type"

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"business_type: no tax treatment for {code!r}")


class NoRulesInForce(ValueError):
    """No rate table of a tax was in force on the date asked for.

    Rates are never guessed backwards: a case dated before the earliest table
    is refused so that someone adds the missing table.

    Attributes:
        field: the input field to blame (``sale_date``).
    """

    field = "sale_date"

    def __init__(self, table: str, on: object, earliest: object | None) -> None:
        since = f"; the earliest starts {earliest}" if earliest is not None else ""
        super().__init__(f"sale_date: no {table} rate table in force on {on}{since}")

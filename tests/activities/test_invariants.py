"""A broken invariant inside an activity is final; a database that is merely busy is not."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from temporalio.exceptions import ApplicationError

from activities.errors import INVARIANT_BROKEN, NON_RETRYABLE, invariants_are_final
from devtools.demo_data import FLAT_SALE, LI_SI
from models.database import Database
from models.titles import Holding, record_title


class Flaky:
    """Raises the given errors in turn, then returns "done"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def integrity() -> IntegrityError:
    return IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed: t.a, t.b"))


def test_invariant_broken_is_a_non_retryable_type() -> None:
    assert INVARIANT_BROKEN == "InvariantBroken" and INVARIANT_BROKEN in NON_RETRYABLE


def test_a_constraint_that_fails_twice_is_final() -> None:
    flaky = Flaky(integrity(), integrity())
    with pytest.raises(ApplicationError) as caught:
        invariants_are_final(flaky)()
    assert caught.value.type == INVARIANT_BROKEN and caught.value.non_retryable
    assert "UNIQUE constraint failed: t.a, t.b" in caught.value.message
    assert caught.value.__cause__ is None  # the database's message stays out of the history
    assert flaky.calls == 2


def test_a_constraint_race_lost_once_succeeds_on_the_second_try() -> None:
    flaky = Flaky(integrity())
    assert invariants_are_final(flaky)() == "done"
    assert flaky.calls == 2


def test_a_validation_error_is_final_at_once_and_names_fields_not_values() -> None:
    class Shape(BaseModel):
        id_number: int

    try:
        Shape.model_validate({"id_number": "420106198503150026X"})
    except ValidationError as err:
        invalid = err
    flaky = Flaky(invalid)
    with pytest.raises(ApplicationError) as caught:
        invariants_are_final(flaky)()
    assert caught.value.type == INVARIANT_BROKEN and caught.value.non_retryable
    assert "id_number" in caught.value.message
    assert "420106198503150026X" not in caught.value.message
    assert flaky.calls == 1


def test_a_busy_or_unreachable_database_is_left_to_temporal_to_retry() -> None:
    locked = OperationalError("UPDATE ...", {}, Exception("database is locked"))
    with pytest.raises(OperationalError):
        invariants_are_final(Flaky(locked))()


def test_a_real_constraint_names_itself_without_the_data(demo_db: Database) -> None:
    """PostgreSQL's message quotes the values; only the constraint's name goes out."""

    def second_open_title() -> None:
        with demo_db.session() as session:
            record_title(
                session,
                unit_number=FLAT_SALE,
                since=date(2026, 1, 1),
                holdings=[Holding("李四", LI_SI, Fraction(1), date(2026, 1, 1))],
            )

    with pytest.raises(ApplicationError) as caught:
        invariants_are_final(second_open_title)()
    message = caught.value.message
    assert "uq_title_open_unit" in message or "title.unit_number" in message, message
    assert LI_SI not in message and FLAT_SALE not in message

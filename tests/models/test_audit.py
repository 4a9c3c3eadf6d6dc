"""The audit is append-only in the database itself: UPDATE and DELETE fail on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from models.audit import CaseEvent, record_event
from models.database import Database
from tests.actors import TAX_CLERK


def test_rows_can_be_added_but_never_changed_or_deleted(db: Database) -> None:
    with db.session() as session:
        event = record_event(
            session, case_no="C-1", actor=TAX_CLERK, action="payment_confirmed", request=b"x"
        )
    assert event.id is not None
    for statement in (
        "UPDATE case_event SET actor_id = 'someone-else'",
        "DELETE FROM case_event",
    ):
        with pytest.raises(DatabaseError, match="append-only"), db.session() as session:
            session.connection().execute(text(statement))
    with db.session() as session:
        [kept] = session.exec(text("SELECT actor_id FROM case_event")).all()  # type: ignore[call-overload]
        again = session.get(CaseEvent, event.id)
    assert kept[0] == TAX_CLERK.staff_id
    assert again is not None and again.request_hash is not None

"""Business refusals end a case with a readable reason; technical faults retry without repeats."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from devtools.demo_data import FLAT_SEIZED, QIAN_QI, SUN_BA
from integrations.sms import LocalOutboxSmsGateway
from models.archive import Case, Document, Handoff, SmsMessage
from models.database import Database
from models.payloads import SmsInput, StepInput
from tests.activities import BUYER_PHONE, SELLER_PHONE, Desk, make_desk, store_case


@pytest.fixture
def desk(demo_db: Database, tmp_path: Path) -> Desk:
    return make_desk(demo_db, tmp_path)


def test_seized_flat_is_refused_for_good_with_the_court_named(desk: Desk) -> None:
    case = store_case(
        desk,
        unit=FLAT_SEIZED,
        price="1500000.00",
        seller=("钱七", QIAN_QI, "13800000003"),
        buyer=("孙八", SUN_BA, "13800000004"),
    )
    with pytest.raises(ApplicationError) as caught:
        ActivityEnvironment().run(desk.housing.check_transaction, StepInput(case_no=case.case_no))
    err = caught.value
    assert err.type == "PropertySeized"
    assert err.non_retryable
    assert "武汉市江汉区人民法院" in err.message and "(2026)鄂0103执保1234号" in err.message
    assert "seized" in err.message
    with desk.db.session() as session:
        pushed = session.exec(select(Handoff).where(Handoff.case_no == case.case_no)).all()
        stored = session.get(Case, case.case_no)
    assert pushed == []  # nothing went to tax or registration
    assert stored is not None and stored.contract_no is None


def _blob_path(desk: Desk, key: str) -> Path:
    digest = key.split("/", 1)[1]
    return desk.blobs.root / digest[:2] / digest


def _scan_key(desk: Desk, case_no: str, material: str) -> str:
    with desk.db.session() as session:
        return session.exec(
            select(Document.blob_key).where(
                Document.case_no == case_no, Document.material == material
            )
        ).one()


def test_complete_intact_materials_pass_pre_review(desk: Desk) -> None:
    case = store_case(desk)
    outcome = ActivityEnvironment().run(
        desk.intake.pre_review_materials, StepInput(case_no=case.case_no)
    )
    assert outcome.complete
    assert sorted(d.material for d in outcome.documents) == [
        "application_form",
        "id_document",
        "sales_contract",
        "title_certificate",
    ]


def test_a_scan_altered_on_disk_fails_pre_review_naming_the_material(desk: Desk) -> None:
    case = store_case(desk)
    path = _blob_path(desk, _scan_key(desk, case.case_no, "sales_contract"))
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01  # one flipped bit, same size
    path.write_bytes(bytes(data))
    with pytest.raises(ApplicationError) as caught:
        ActivityEnvironment().run(desk.intake.pre_review_materials, StepInput(case_no=case.case_no))
    err = caught.value
    assert err.type == "MaterialsIncomplete" and err.non_retryable
    assert "sales_contract" in err.message
    assert "id_document" not in err.message and "application_form" not in err.message


def test_a_scan_deleted_from_disk_fails_pre_review_too(desk: Desk) -> None:
    case = store_case(desk)
    _blob_path(desk, _scan_key(desk, case.case_no, "title_certificate")).unlink()
    with pytest.raises(ApplicationError, match="title_certificate") as caught:
        ActivityEnvironment().run(desk.intake.pre_review_materials, StepInput(case_no=case.case_no))
    assert caught.value.type == "MaterialsIncomplete"


class FlakyGateway:
    """Fails the first send, then works; `deliver_first` says whether the first text got out.

    `deliver_first=True` is the nasty case: the provider sent the text but the answer was
    lost, so the activity cannot know and must send again under the same key.
    """

    def __init__(self, real: LocalOutboxSmsGateway, *, deliver_first: bool) -> None:
        self.real = real
        self.deliver_first = deliver_first
        self.calls: list[str] = []

    def send(self, *, phone: str, text: str, idempotency_key: str) -> str:
        self.calls.append(idempotency_key)
        if len(self.calls) == 1:
            if self.deliver_first:
                self.real.send(phone=phone, text=text, idempotency_key=idempotency_key)
            raise ConnectionError("sms provider: connection reset")
        return self.real.send(phone=phone, text=text, idempotency_key=idempotency_key)


@pytest.mark.parametrize("deliver_first", [False, True], ids=["lost-request", "lost-answer"])
def test_sms_retried_after_a_gateway_fault_is_sent_exactly_once(
    demo_db: Database, tmp_path: Path, deliver_first: bool
) -> None:
    outbox = LocalOutboxSmsGateway(tmp_path / "sms.jsonl")
    flaky = FlakyGateway(outbox, deliver_first=deliver_first)
    desk = make_desk(demo_db, tmp_path, sms=flaky)
    case = store_case(desk)
    inp = SmsInput(
        case_no=case.case_no,
        step="pay_taxes_buyer",
        template="pay_taxes",
        params={"total": "20000.00", "due": "2026-12-11 17:30"},
        to_roles=["buyer"],
    )
    env = ActivityEnvironment()
    with pytest.raises(ConnectionError):
        env.run(desk.notify.send_sms, inp)
    with demo_db.session() as session:
        pending = session.exec(select(SmsMessage).where(SmsMessage.case_no == case.case_no)).one()
    assert pending.status == "pending"  # written before the send, so the retry finds it

    result = env.run(desk.notify.send_sms, inp)
    assert (result.sent, result.already_sent) == (1, 0)
    key = f"{case.case_no}:pay_taxes_buyer:{BUYER_PHONE}"
    assert flaky.calls == [key, key]
    sent = outbox.messages()
    assert [(m["phone"], m["idempotency_key"]) for m in sent] == [(BUYER_PHONE, key)]
    assert "20000.00" in sent[0]["text"]
    with demo_db.session() as session:
        rows = session.exec(select(SmsMessage).where(SmsMessage.case_no == case.case_no)).all()
    assert [(r.phone, r.status, r.provider_message_id) for r in rows] == [
        (BUYER_PHONE, "sent", sent[0]["message_id"])
    ]
    # A third attempt (say the worker died before reporting) sends nothing.
    assert env.run(desk.notify.send_sms, inp).already_sent == 1
    assert len(outbox.messages()) == 1 and len(flaky.calls) == 2


def test_sms_retry_skips_the_party_already_texted(demo_db: Database, tmp_path: Path) -> None:
    outbox = LocalOutboxSmsGateway(tmp_path / "sms.jsonl")

    class SecondFails:
        calls = 0

        def send(self, *, phone: str, text: str, idempotency_key: str) -> str:
            SecondFails.calls += 1
            if SecondFails.calls == 2:
                raise TimeoutError("sms provider: read timeout")
            return outbox.send(phone=phone, text=text, idempotency_key=idempotency_key)

    desk = make_desk(demo_db, tmp_path, sms=SecondFails())
    case = store_case(desk)
    inp = SmsInput(case_no=case.case_no, step="refused", template="refused", params={"reason": "x"})
    env = ActivityEnvironment()
    with pytest.raises(TimeoutError):
        env.run(desk.notify.send_sms, inp)
    result = env.run(desk.notify.send_sms, inp)
    assert (result.sent, result.already_sent) == (1, 1)
    assert sorted(m["phone"] for m in outbox.messages()) == [SELLER_PHONE, BUYER_PHONE]
    assert SecondFails.calls == 3

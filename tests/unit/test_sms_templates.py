"""SMS texts are data: every text the flows send exists, and a broken text is refused at load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from activities.sms_templates import TemplateError, parse_templates, render, templates

ROOT = Path(__file__).resolve().parents[2]
# The ways code names a template: the kit's _notice/_sms/_tell_payers, and the activities'.
NAMED = re.compile(r"""(?:_notice|_sms|_tell_payers)\(\s*"([a-z_]+)"|template="([a-z_]+)\"""")


def test_every_template_the_code_sends_is_in_the_data_file() -> None:
    sources = [
        *ROOT.glob("workflows/**/*.py"),
        *ROOT.glob("activities/*.py"),
        ROOT / "models/notices.py",
    ]
    named = {a or b for path in sources for a, b in NAMED.findall(path.read_text())}
    assert {"accepted", "checked", "paid", "handed_over", "refused"} <= named  # the scan works
    assert named <= set(templates())


def test_each_step_of_the_seed_has_its_text() -> None:
    seed = {"accepted", "checked", "pay_taxes", "paid", "certificate_ready", "shipped"}
    assert seed | {"handed_over", "refused"} <= set(templates())


def test_a_text_renders_with_its_parameters_and_names_a_missing_one() -> None:
    text = render("paid", {"hall": "江汉", "case_no": "C-1", "amount": "80.00", "reference": "R"})
    assert "80.00" in text and "C-1" in text
    with pytest.raises(KeyError, match="reference"):
        render("paid", {"hall": "江汉", "case_no": "C-1", "amount": "80.00"})


def test_a_text_asking_for_an_undeclared_parameter_is_refused_at_load() -> None:
    with pytest.raises(TemplateError, match=r"\[paid\].*undeclared total"):
        parse_templates({"paid": {"params": ["amount"], "text": "{amount} of {total}"}})
    with pytest.raises(TemplateError, match=r"\[paid\]: expected exactly"):
        parse_templates({"paid": {"text": "x"}})

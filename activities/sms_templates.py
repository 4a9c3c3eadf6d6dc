"""SMS texts from `domain/data/sms_templates.toml`: checked on load, rendered by name.

The texts are data so the hall can reword them without a release; each declares the
parameters it takes, and a text asking for another one is refused at load, not when an
applicant would have been texted.
"""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

ALWAYS = frozenset({"hall", "case_no"})


@dataclass(frozen=True)
class SmsTemplate:
    name: str
    params: frozenset[str]
    text: str


class TemplateError(ValueError):
    """The template file is broken: named entry, named rule."""


def parse_templates(doc: Mapping[str, object]) -> dict[str, SmsTemplate]:
    """Check and read the templates of a parsed TOML document."""
    templates = {}
    for name, entry in doc.items():
        if not isinstance(entry, Mapping) or set(entry) != {"params", "text"}:
            raise TemplateError(f"[{name}]: expected exactly 'params' and 'text'")
        params, text = entry["params"], entry["text"]
        if not isinstance(text, str) or not isinstance(params, list):
            raise TemplateError(f"[{name}]: 'text' is a string, 'params' a list")
        used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        unknown = used - ALWAYS - set(params)
        if unknown:
            raise TemplateError(f"[{name}]: the text uses undeclared {', '.join(sorted(unknown))}")
        templates[name] = SmsTemplate(name, frozenset(params), text)
    return templates


@functools.cache
def templates() -> dict[str, SmsTemplate]:
    """The hall's templates, loaded once."""
    data = resources.files("domain") / "data" / "sms_templates.toml"
    return parse_templates(tomllib.loads(data.read_text(encoding="utf-8")))


def render(template: str, params: Mapping[str, str]) -> str:
    """Fill a template; an unknown template or a missing parameter is a bug (KeyError)."""
    found = templates()[template]
    missing = (found.params | ALWAYS) - set(params)
    if missing:
        raise KeyError(f"SMS {template}: missing {', '.join(sorted(missing))}")
    return found.text.format(**params)

"""structlog configured once per process: JSON in production, readable lines in development.

Lines logged inside workflow or activity code carry the case number and workflow id,
taken from Temporal's context, so a supervisor can grep one case across processes.
Workflow lines are dropped while a workflow replays so history replays print nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any, Literal

import structlog
from temporalio import activity, workflow

from workflows.ids import CASE_ID_PREFIX


def _case_no_from(workflow_id: str) -> str | None:
    """The case number in a case workflow's id (see `workflows.ids.case_workflow_id`)."""
    return (
        workflow_id.removeprefix(CASE_ID_PREFIX) if workflow_id.startswith(CASE_ID_PREFIX) else None
    )


def add_temporal_context(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Bind workflow/activity ids so every line about a case is traceable to it."""
    if activity.in_activity():
        info = activity.info()
        event.setdefault("workflow_id", info.workflow_id)
        event.setdefault("activity", info.activity_type)
        event.setdefault("attempt", info.attempt)
    elif workflow.in_workflow():
        if workflow.unsafe.is_replaying():
            raise structlog.DropEvent
        event.setdefault("workflow_id", workflow.info().workflow_id)
    workflow_id = event.get("workflow_id")
    if isinstance(workflow_id, str) and "case_no" not in event:
        case_no = _case_no_from(workflow_id)
        if case_no:
            event["case_no"] = case_no
    return event


def configure_logging(
    fmt: Literal["console", "json"] = "console", level: int = logging.INFO
) -> None:
    """Set up structlog and route stdlib logging (uvicorn, temporalio) through the same renderer."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_temporal_context,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_logger_name,
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                add_temporal_context,
            ],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # One line per outgoing request is noise next to the case lines that matter.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def get_logger(name: str | None = None) -> Any:
    """A structlog logger; bind `case_no` on it rather than formatting ids into messages."""
    return structlog.get_logger(name)

"""The flow kit: what every case flow shares, so a flow module reads as the list of its steps.

- `outcomes`: how a case ends early (refused, failed) and the shared retry policy;
- `flow.CaseFlow`: state, progress query, calendar rebase, deadlines, SMS, closing;
- `departments`, `payment`, `collection`: the steps and the updates that drive them.

Workflow code: deterministic, no I/O; activity definitions come in through the sandbox's
pass-through.
"""

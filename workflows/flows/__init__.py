"""The catalog's flows, one module each; `workflows.registry` maps each to its workflow."""

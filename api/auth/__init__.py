"""Who is calling: bearer tokens, the staff they name, and the role fence on every route."""

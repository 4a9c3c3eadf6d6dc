# onewindow: `make run` starts the whole hall on one machine; `make test` runs the suite.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: help install run test test-fast lint fmt dev-server worker api bench clean calendar-publish token schemathesis

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its dev tools

run: $(STAMP)  ## migrate, load demo data, start Temporal (UI :8233), worker and API (:8000)
	$(PY) -m devtools.run

test: $(STAMP)  ## the whole suite (starts its own Temporal servers; PostgreSQL too if it answers)
	$(VENV)/bin/pytest

test-fast: $(STAMP)  ## domain and unit tests only
	$(VENV)/bin/pytest tests/domain tests/unit -q

lint: $(STAMP)  ## ruff check, format check, mypy --strict
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: $(STAMP)  ## format and fix imports
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

token: $(STAMP)  ## a staff token: make token ROLE=tax NAME=王五 [WINDOW=A03] (last line: the token)
	@$(PY) -m devtools.token --role $(ROLE) --name "$(NAME)" $(if $(WINDOW),--window $(WINDOW)) $(if $(STAFF),--staff $(STAFF))

calendar-publish: $(STAMP)  ## hand running cases the official year once its notice is loaded
	$(PY) -m api.services.calendar_publish $(if $(HALL),--hall $(HALL))

schemathesis: $(STAMP)  ## fuzz the whole API longer than `make test` does: make schemathesis [N=300] [SEED=…]
	SCHEMATHESIS_MAX_EXAMPLES=$(or $(N),300) $(if $(SEED),SCHEMATHESIS_SEED=$(SEED)) \
		$(VENV)/bin/pytest tests/schemathesis -q -s -k sqlite

bench: $(STAMP)  ## throughput of the case workflow against bare Temporal
	$(PY) -m bench.throughput

clean:  ## remove local state (database, Temporal history, blobs, outboxes)
	rm -rf var

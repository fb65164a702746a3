# Two commands: `make run` brings the whole product up with demo data; `make test` runs the suite.
# Without DATABASE_URL / REDIS_URL both start an embedded PostgreSQL and Redis under .data/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
WITH_SERVICES := $(BIN)/python -m helpdesk.embedded exec --
PYTEST_ARGS ?=

.PHONY: install run test lint manage bench stop reset lock

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: install
	$(WITH_SERVICES) $(BIN)/python -m helpdesk.run

test: install lint
	$(WITH_SERVICES) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

manage: install
	$(WITH_SERVICES) $(BIN)/python manage.py $(ARGS)

bench: install
	$(WITH_SERVICES) $(BIN)/python -m bench $(ARGS)

stop: install
	$(BIN)/python -m helpdesk.embedded stop

reset: install
	$(BIN)/python -m helpdesk.embedded reset

# Developers only: re-resolve the lock file after changing pyproject.toml.
lock:
	uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

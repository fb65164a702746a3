# Two commands: `make run` brings the whole product up with demo data; `make test` runs the suite.
# Without DATABASE_URL / REDIS_URL both start an embedded PostgreSQL and Redis under .data/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
WITH_SERVICES := $(BIN)/python -m helpdesk.embedded exec --
# Two test processes: the suite waits on Postgres, Celery and Chromium as much as on the CPU.
# Each process has its own test database and Redis databases (helpdesk/settings/test.py).
PYTEST_ARGS ?= -n 2
# The browser tests (tests/browser/) drive this Chromium; they never skip without it.
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test lint manage bench eval-triage stop reset lock

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: install
	$(WITH_SERVICES) $(BIN)/python -m helpdesk.run

# --ds wins over a DJANGO_SETTINGS_MODULE inherited from the shell or from helpdesk.celery,
# which would otherwise run the suite on the local settings.
test: install lint check-browser
	CHROMIUM=$(CHROMIUM) $(WITH_SERVICES) $(BIN)/python -m pytest --ds=helpdesk.settings.test $(PYTEST_ARGS)

check-browser:
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { \
		echo "make test: the browser tests need Chromium, not found at $(CHROMIUM)."; \
		echo "Install it with: sudo apt-get update && sudo apt-get install -y chromium"; \
		echo "or run make test CHROMIUM=/path/to/chromium. (npx playwright install is not used.)"; \
		exit 1; }

lint: install
	$(BIN)/ruff check .

manage: install
	$(WITH_SERVICES) $(BIN)/python manage.py $(ARGS)

bench: install
	$(WITH_SERVICES) $(BIN)/python -m bench $(ARGS)

# Triage's precision, recall and coverage on the labelled set, through intake (rolled back).
# Migrates first: the evaluation runs the real intake pipeline on the local database.
eval-triage: install
	$(WITH_SERVICES) sh -c "$(BIN)/python manage.py migrate --noinput >/dev/null && $(BIN)/python manage.py eval_triage $(ARGS)"

stop: install
	$(BIN)/python -m helpdesk.embedded stop

reset: install
	$(BIN)/python -m helpdesk.embedded reset

# Developers only: re-resolve the lock file after changing pyproject.toml.
lock:
	uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

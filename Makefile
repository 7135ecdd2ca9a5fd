# Gode grep. The two commands a newcomer needs:
#   make run    set up, migrate, load demo data, serve http://127.0.0.1:8000
#   make test   the whole test suite (unit, HTTP, SQLite + PostgreSQL, browser + axe)
# Everything else here is for developers.

export UV_COMPILE_BYTECODE := 1
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1
UV := python3 -m uv
PY := .venv/bin/python
RUN := $(UV) run --locked --no-sync
LOCALES := nn en
PORT ?= 8000
# The demo's own SMTP server listens beside the app, so two demos on two ports keep their mail.
SMTP_PORT ?= $(shell expr $(PORT) + 25)
DEMO_ENV = GODEGREP_DEMO=1 GODEGREP_DEMO_JOBS_EVERY=60 GODEGREP_DATABASE_URL=$(DEMO_DB) GODEGREP_BASE_URL=http://127.0.0.1:$(PORT) GODEGREP_SMTP_PORT=$(SMTP_PORT)
DEMO_DB ?= sqlite:///$(CURDIR)/gode_grep.db
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export TEST_POSTGRES_URL

.PHONY: run jobs demo-reset test setup check-content lint fmt bench bench-compare bench-national translations extract-messages system-deps postgres clean backup restore load

run: setup
	$(DEMO_ENV) $(RUN) alembic upgrade head
	$(DEMO_ENV) $(RUN) python -m app.accounts.register
	$(DEMO_ENV) $(RUN) python -m app.review.refresh
	$(DEMO_ENV) $(RUN) python -m app.demo
	$(DEMO_ENV) $(RUN) uvicorn app.main:app --host 127.0.0.1 --port $(PORT) --no-server-header --no-proxy-headers

# The scheduled work once against the demo database (make run also does it every minute).
# `make jobs AS_OF=2027-05-02` does it as if it were that day: watch a deadline pass in the demo.
jobs: setup
	$(DEMO_ENV) $(RUN) python -m app.jobs $(if $(AS_OF),--as-of $(AS_OF))

# Start the demo from scratch: removes the demo database (make run builds it again).
demo-reset:
	rm -f $(CURDIR)/gode_grep.db $(CURDIR)/gode_grep.db-wal $(CURDIR)/gode_grep.db-shm

test: setup system-deps postgres
	$(RUN) pytest $(ARGS)

setup: .venv/.synced translations

.venv/.synced: pyproject.toml uv.lock
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q uv
	$(UV) sync --locked
	@touch $@

# Compiled catalogues (.mo) are build output, made from the .po files in app/locale.
# Compiled only when a catalogue changed, so `make backup` and the like print nothing of it.
translations: $(foreach l,$(LOCALES),app/locale/$(l)/LC_MESSAGES/messages.mo)

app/locale/%/LC_MESSAGES/messages.mo: app/locale/%/LC_MESSAGES/messages.po .venv/.synced
	@$(RUN) pybabel compile -d app/locale -D messages -l $* --statistics 2>&1 | grep -v "^compiling"; test -f $@

extract-messages: .venv/.synced
	$(RUN) pybabel extract -F pyproject.toml -k _ -k N_ -k ngettext:1,2 -o app/locale/messages.pot --no-location --sort-output .
	@for l in $(LOCALES); do $(RUN) pybabel update -i app/locale/messages.pot -d app/locale -l $$l -D messages --no-fuzzy-matching; done

check-content: .venv/.synced
	$(RUN) python -m app.content.check guidance/

lint: setup
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy app
	$(RUN) lint-imports
	$(RUN) python -m app.content.check guidance/
	GODEGREP_DATABASE_URL=sqlite:///$(CURDIR)/.lint.db $(RUN) alembic upgrade head
	GODEGREP_DATABASE_URL=sqlite:///$(CURDIR)/.lint.db $(RUN) alembic check
	@rm -f .lint.db*

fmt: .venv/.synced
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

bench: setup postgres
	$(RUN) python tests/bench/autosave.py $(ARGS)

# Development page, peer medians and council PDF over 357 municipalities x 20 closed rounds.
bench-compare: setup postgres
	$(RUN) python tests/bench/compare.py $(ARGS)

bench-national: setup postgres
	$(RUN) python tests/bench/national.py $(ARGS)

# Debian's Chromium for the browser tests (never `playwright install`); pango, harfbuzz-subset
# and the DejaVu fonts for WeasyPrint's council report PDF.
PDF_DEPS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s $(PDF_DEPS) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium $(PDF_DEPS); \
	  else echo "missing system packages: run 'sudo apt-get install chromium $(PDF_DEPS)' first"; exit 1; fi; fi

# Start the local PostgreSQL cluster if it is installed but not running (needs root).
postgres:
	@if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  v=$$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1); \
	  [ -n "$$v" ] && pg_ctlcluster --skip-systemctl-redirect $$v main start || true; \
	  for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done; fi

clean:
	rm -rf .venv gode_grep.db* app/locale/*/LC_MESSAGES/*.mo

# Back up / restore the database in GODEGREP_DATABASE_URL (see README, "Backup and restore").
BACKUP_FILE ?= backups/godegrep-$(shell date +%Y%m%d-%H%M%S).backup
backup: setup
	$(RUN) python -m app.backup backup $(or $(FILE),$(BACKUP_FILE))

restore: setup
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/….backup (into an empty database)"; exit 1; }
	$(RUN) python -m app.backup restore $(FILE)

# 300 staff for 10 minutes against two app processes on a PostgreSQL cluster of its own
# (port 5499, needs root for `runuser -u postgres`), with an app process killed and PostgreSQL
# restarted in the middle. Not a test: it prints what people saw. ARGS="--minutes 3" for less.
load: setup
	$(RUN) python tests/load/faults.py $(ARGS)

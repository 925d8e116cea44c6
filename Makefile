# The README's two commands: `make run` and `make test`. Everything else is a step of those.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DB := data/floorlight.db
PORT ?= 8501

.PHONY: run test test-replica replica-start replica-stop venv secrets demo-db browser lint format bench bench-scale clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# A random cookie key for this machine's demo; real deployments set their own.
.streamlit/secrets.toml:
	printf '[floorlight]\ncookie_key = "%s"\n' "$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')" > $@
	chmod 600 $@

secrets: $(STAMP) .streamlit/secrets.toml

$(DB): | $(STAMP)
	$(PY) cli.py demo --weeks 8 --seed 7

demo-db: $(DB)

# Starts the rollup refresher and the live simulator in the background and the app in the
# foreground; Ctrl-C stops all three.
run: secrets demo-db
	@echo "Demo logins: see data/demo-logins.txt (printed when the demo was built)."
	@$(PY) cli.py refresh-rollups --follow & REFRESH=$$!; \
	$(PY) cli.py simulate --no-refresh & SIM=$$!; \
	trap 'kill $$SIM $$REFRESH 2>/dev/null; wait $$SIM $$REFRESH 2>/dev/null' EXIT INT TERM; \
	$(PY) -m streamlit run app.py --server.port $(PORT)

# Debian's Chromium for the real-browser tests (Playwright drives it; it never downloads one) and
# for the PDF report's charts (kaleido), and the DejaVu font the PDF is written in.
browser:
	@{ command -v chromium >/dev/null && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "Install Debian's chromium and fonts-dejavu-core (sudo apt-get install chromium fonts-dejavu-core) for the tests"; exit 1; fi; }

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# The read-replica tests run against a throwaway primary and its hot standby (.ci/replica.sh),
# started for the run and stopped after. Under make they must run: a pair that cannot start fails
# them with the script's message (FLOORLIGHT_REQUIRE_REPLICA=1) instead of skipping them.
REPLICA_PRIMARY_PORT ?= 5434
REPLICA_PORT ?= 5433
export REPLICA_PRIMARY_PORT REPLICA_PORT
REPLICA_LOG := $(CURDIR)/data/replica-start.log
REPLICA_TEST_ENV := FLOORLIGHT_REQUIRE_REPLICA=1 FLOORLIGHT_REPLICA_START_LOG=$(REPLICA_LOG) \
	FLOORLIGHT_TEST_REPLICA_PRIMARY=postgresql+psycopg2://postgres@127.0.0.1:$(REPLICA_PRIMARY_PORT)/postgres \
	FLOORLIGHT_TEST_REPLICA_STANDBY=postgresql+psycopg2://postgres@127.0.0.1:$(REPLICA_PORT)/postgres

test: $(STAMP) browser lint
	-@$(MAKE) --no-print-directory replica-start
	$(REPLICA_TEST_ENV) $(PY) -m pytest -n 2 --dist loadfile; status=$$?; $(MAKE) --no-print-directory replica-stop; exit $$status

test-replica: $(STAMP)
	-@$(MAKE) --no-print-directory replica-start
	$(REPLICA_TEST_ENV) $(PY) -m pytest tests/test_replica.py tests/test_partitions.py; status=$$?; $(MAKE) --no-print-directory replica-stop; exit $$status

replica-start:
	@mkdir -p $(dir $(REPLICA_LOG))
	@.ci/replica.sh start >$(REPLICA_LOG) 2>&1; status=$$?; cat $(REPLICA_LOG); exit $$status

replica-stop:
	@.ci/replica.sh stop

# Benchmarks print figures; they are not tests. ROWS=100000 for a quicker look.
ROWS ?= 1000000
bench: $(STAMP)
	$(PY) -m bench.bulk_load --rows $(ROWS) --backend both
	$(PY) -m bench.page_timings --rows $(ROWS) --backend both
	$(PY) -m bench.qa_quality --rows $(ROWS) --reviews $$(( $(ROWS) / 20 )) --backend postgresql
	$(PY) -m bench.topics --rows $(ROWS) --backend both
	$(PY) -m bench.freshness --backend both
	$(PY) -m bench.viewers --viewers 1,50 --import-viewers 0,10
	$(PY) -m bench.scale --backend sqlite

# Every page's data at 10M interactions on PostgreSQL (built once, reused; long the first time).
bench-scale: $(STAMP)
	$(PY) -m bench.scale --backend both

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache

# The README's two commands: `make run` and `make test`. Everything else is a step of those.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DB := data/floorlight.db
PORT ?= 8501

.PHONY: run test venv secrets demo-db browser lint format bench bench-scale clean

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

# Starts the live simulator in the background and the app in the foreground; Ctrl-C stops both.
run: secrets demo-db
	@echo "Demo logins: see data/demo-logins.txt (printed when the demo was built)."
	@$(PY) cli.py simulate & SIM=$$!; \
	trap 'kill $$SIM 2>/dev/null; wait $$SIM 2>/dev/null' EXIT INT TERM; \
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

test: $(STAMP) browser lint
	$(PY) -m pytest -n 2 --dist loadfile

# Benchmarks print figures; they are not tests. ROWS=100000 for a quicker look.
ROWS ?= 1000000
bench: $(STAMP)
	$(PY) -m bench.bulk_load --rows $(ROWS) --backend both
	$(PY) -m bench.page_timings --rows $(ROWS) --backend both
	$(PY) -m bench.qa_quality --rows $(ROWS) --reviews $$(( $(ROWS) / 20 )) --backend postgresql
	$(PY) -m bench.topics --rows $(ROWS) --backend both
	$(PY) -m bench.scale --backend sqlite

# Every page's data at 10M interactions on PostgreSQL (built once, reused; long the first time).
bench-scale: $(STAMP)
	$(PY) -m bench.scale --backend both

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache

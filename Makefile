# kb — the two commands: `make run` (set up, index, serve) and `make test` (set up, test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install run-packages test-packages check index serve bench fuzz translations clean

# Debian packages: FreeDict dictionaries and Apertium's en-es lexicon (read by lttoolbox's
# lt-proc) for cross-language search; Pango (WeasyPrint's text
# layout), HarfBuzz's subsetter and the DejaVu fonts (Cyrillic and Spanish) for the Handbook's PDF;
# Chromium for the browser tests.
RUN_PACKAGES  := dict-freedict-eng-bul dict-freedict-eng-spa dict-freedict-spa-eng wspanish \
                 apertium-eng-spa lttoolbox \
                 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_PACKAGES := $(RUN_PACKAGES) chromium

run: install run-packages index
	$(BIN)/kb serve

test: install test-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

run-packages:
	@sh scripts/install-debian-packages.sh $(RUN_PACKAGES)

test-packages:
	@sh scripts/install-debian-packages.sh $(TEST_PACKAGES)

install: $(STAMP)

# A fresh Debian python3 lacks the venv module until python3-venv is installed; do it when we can.
$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "python3 -m venv is missing: installing Debian's python3-venv"; \
	    apt-get update -q && apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); \
	  else echo "error: '$(PYTHON) -m venv' failed; install your system's python3-venv package" >&2; exit 1; fi; }

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

check: install
	$(BIN)/kb check

index: install
	$(BIN)/kb index

SHARED ?= $(abspath ../shared)
bench: install
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	@sh scripts/install-debian-packages.sh wrk hunspell-bg hunspell-es hunspell-en-us
	@test -d $(SHARED)/eval || { echo "make bench: the evaluation material is not in $(SHARED)/eval (give SHARED=/path/to/shared)"; exit 2; }
	KB_SHARED=$(SHARED) $(BIN)/python bench/bench_stemmer.py
	$(BIN)/python bench/bench_web.py
	$(BIN)/python bench/bench_handbook.py
	$(BIN)/python bench/bench_retrieval.py --shared $(SHARED)
	$(BIN)/python -m bench.perf
	$(BIN)/python -m bench.load

# Longer API fuzzing than the test suite's (schemathesis against /openapi.json).
fuzz: install
	KB_FUZZ_RANDOM=1 KB_FUZZ_EXAMPLES=$${KB_FUZZ_EXAMPLES:-1000} $(BIN)/python -m pytest -q tests/test_api_fuzz.py

# Re-extract interface strings, merge them into the bg/es catalogs, compile the .mo files.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k lazy_gettext --no-location --omit-header -o kb/web/translations/messages.pot .
	$(BIN)/pybabel update -i kb/web/translations/messages.pot -d kb/web/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d kb/web/translations

clean:
	rm -rf $(VENV) var .pytest_cache

# Two commands: `make run` (demo on SQLite, no Redis) and `make test` (PostgreSQL + Redis).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app points_mall

.PHONY: run test venv bench

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

run: venv
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: venv
	./scripts/test-deps
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: venv
	./scripts/test-deps
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/checkin.py
	$(BIN)/python bench/flash_sale.py
	$(BIN)/python bench/notify.py

# Two commands: `make run` (demo on the embedded PostgreSQL, no Redis) and `make test` (PostgreSQL + Redis).
PY ?= python3
# Where `make run` listens, e.g. `make run HOST=0.0.0.0 PORT=8080` to be reached from phones on the LAN.
HOST ?= 127.0.0.1
PORT ?= 5000
# Check-in links and the demo's page URLs point here unless PUBLIC_BASE_URL is set;
# listening on every interface, the links still need one address a browser can open.
PUBLIC_BASE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app points_mall

.PHONY: run test fuzz venv bench frontend

# The console and the members' pages, rebuilt when a source under frontend/ changed.
FRONTEND_SRC := $(shell find frontend -path frontend/node_modules -prune -o -type f -print 2>/dev/null)
DIST := points_mall/web/dist/.built

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(DIST): frontend/node_modules/.installed $(FRONTEND_SRC)
	cd frontend && npm run build --silent
	touch $@

frontend: $(DIST)

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

# Without DATABASE_URL the first command starts PostgreSQL from its wheel (data in instance/pg,
# docs/database.md); it is stopped however the server ends, Ctrl-C included.
run: venv frontend
	trap '$(BIN)/python -m points_mall.embedded stop' EXIT; trap 'exit 130' INT TERM; \
	$(FLASK) db upgrade && \
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(FLASK) seed-demo && \
	DEMO_MODE=1 PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(FLASK) run --host $(HOST) --port $(PORT)

# Test workers (pytest-xdist; each has its own database and Redis index); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 3

# Vitest runs beside pytest (its report follows pytest's); either failing fails the target.
test:
	$(MAKE) --no-print-directory -j2 venv frontend  # Python's packages and the front-end's build side by side
	./scripts/test-deps
	@log=$$(mktemp); (cd frontend && npx vitest run >"$$log" 2>&1) & vitest=$$!; \
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS); tests=$$?; \
	wait $$vitest; front=$$?; cat "$$log"; rm -f "$$log"; \
	test $$tests -eq 0 && test $$front -eq 0

# The fuzz in depth: schemathesis's coverage phase on top of more generated requests per operation and role,
# longer stateful runs over the document's links and more edge values per operation.
fuzz: venv
	./scripts/test-deps
	FUZZ_COVERAGE=1 FUZZ_EXAMPLES=50 FUZZ_STEPS=200 FUZZ_EDGE_EXAMPLES=30 $(BIN)/python -m pytest -q -n $(TEST_WORKERS) tests/test_fuzz.py

bench: venv
	./scripts/bench-deps
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/checkin.py
	$(BIN)/python bench/flash_sale.py
	$(BIN)/python bench/redemptions.py
	$(BIN)/python bench/notify.py
	$(BIN)/python bench/archive.py
	$(BIN)/python bench/settlement.py
	BENCH_BOARD_MEMBERS=100000 BENCH_BOARD_ENTRIES=2000000 $(BIN)/python bench/board.py  # province size: the defaults, about an hour of seeding
	$(BIN)/python bench/scale_out.py

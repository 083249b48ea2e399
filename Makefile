# Two commands matter: `make run` and `make test`. Both set everything up first.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test typecheck pytest lint bench eval screenshots package smoke clean

run:
	@scripts/bootstrap.sh dev
	@scripts/qt-system-libs.sh xcb
	$(BIN)/desktop-agent

test:
	@scripts/bootstrap.sh dev
	@scripts/qt-system-libs.sh offscreen
	@scripts/postgres.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@# mypy (the package and tests/: about a minute on a fresh clone's empty cache) runs
	@# beside pytest, whose tests spend much of their time waiting; both must pass.
	@$(MAKE) --no-print-directory -j2 typecheck pytest

typecheck:
	$(BIN)/mypy

pytest:
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

lint:
	@scripts/bootstrap.sh dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && $(BIN)/lint-imports

bench:
	@scripts/bootstrap.sh bench
	@scripts/qt-system-libs.sh offscreen
	@scripts/postgres.sh
	@for b in benchmarks/bench_*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(BIN)/python $$b || exit 1; done

eval:
	@scripts/bootstrap.sh dev
	@scripts/qt-system-libs.sh offscreen
	$(BIN)/python benchmarks/eval_weights.py $(ARGS)

screenshots:
	@scripts/bootstrap.sh dev
	@scripts/qt-system-libs.sh xvfb
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python scripts/screenshots.py
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python scripts/screenshots_weights.py

package:
	@scripts/bootstrap.sh package
	@scripts/qt-system-libs.sh offscreen
	$(BIN)/python packaging/build.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache

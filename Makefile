# The two commands of the README, and a few more for developers.
# Everything runs from .venv, which scripts/bootstrap.sh builds from requirements.lock.

VENV := .venv/bin
SCALE ?= 0.01
CITY ?= var/city

.PHONY: setup demo test lint bench clean

setup:
	@bash scripts/bootstrap.sh

# main job on the embedded default: the demo city (1% of Xuzhou, statistical year 2026)
# through every DAG (ingest + gate, dbt build), then the load ledger
demo: setup
	SCALE=$(SCALE) CITY=$(abspath $(CITY)) bash scripts/run_demo.sh

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy
	XZH_DATA=var/lint $(VENV)/sqlfluff lint dbt_project --processes 2

test: lint
	$(VENV)/python -m pytest -n 2

bench: setup
	$(VENV)/synthcity bench --scales 0.01 0.1 1
	$(VENV)/xzh bench --scale 0.1 --population-scale-1

clean:
	rm -rf var

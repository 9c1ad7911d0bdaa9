#!/usr/bin/env bash
# The README's main job on the embedded default: generate the demo city (once),
# run every DAG once with `airflow dags test` (Airflow on SQLite under var/airflow):
# ingest + gate, the warehouse build, the report publication; then print the load
# ledger and where everything is, the report first.
#
#   scripts/run_demo.sh            # SCALE=0.01 CITY=var/city DATA=var/data by default
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/airflow_env.sh
VENV="$ROOT/.venv/bin"
SCALE="${SCALE:-0.01}"
CITY="${CITY:-$ROOT/var/city}"
export XZH_INBOX="${XZH_INBOX:-$CITY/inbox}"
export XZH_DATA="${XZH_DATA:-$ROOT/var/data}"
LOGS="$ROOT/var/logs"
mkdir -p "$LOGS"

say() { printf 'demo: %s\n' "$*"; }
run_logged() {  # run quietly into a log; on failure show its tail
    local name="$1"; shift
    if ! "$@" >"$LOGS/$name.log" 2>&1; then
        tail -n 40 "$LOGS/$name.log"
        say "FAILED: $* (full log: $LOGS/$name.log)"
        exit 1
    fi
}

if [ ! -f "$CITY/truth/deliveries.parquet" ]; then
    say "generating the demo city (scale $SCALE) into $CITY"
    "$VENV/synthcity" generate --scale "$SCALE" --out "$CITY"
fi

say "airflow: metadata database (SQLite) and the warehouse writer pool"
run_logged airflow-db "$VENV/airflow" db migrate
run_logged airflow-pool "$VENV/airflow" pools set xzh_warehouse_writer 1 \
    "dbt is the single writer of warehouse.duckdb"

for dag in xzh_ingest xzh_warehouse xzh_reports; do
    say "airflow dags test $dag"
    start=$(date +%s)
    run_logged "$dag" "$VENV/airflow" dags test "$dag"
    say "  $dag done in $(( $(date +%s) - start )) s (log: var/logs/$dag.log)"
done

"$VENV/xzh" ledger --problems 8
REPORTS="$XZH_DATA/reports"
report="$(ls -t "$REPORTS"/reports/vision_report_*.html 2>/dev/null | head -n 1)"
ehr_report="$(ls -t "$REPORTS"/reports/health_records_report_*.html 2>/dev/null | head -n 1)"
cat <<EOT

demo: REPORT       $report
demo: EHR report   ${ehr_report:-(not published)}
demo: indicators   $(ls -t "$REPORTS"/exports/*.csv 2>/dev/null | head -n 1)
demo: worklists    $REPORTS/worklists/   (XLSX per team: clear IDs and names, for the teams only)

demo: inbox        $XZH_INBOX
demo: zones        $XZH_DATA/{raw,quarantine,superseded,ledger}
demo: warehouse    $XZH_DATA/warehouse.duckdb   (dbt: see dbt_project/README.md)
demo: data docs    $XZH_DATA/gx/gx/uncommitted/data_docs/local_site/index.html
EOT

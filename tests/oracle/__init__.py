"""Independent oracles: indicators recomputed from the synthetic city's ground truth.

They follow ``shared/spec/indicators.md`` and ``edge-rules.md`` directly (never the dbt
SQL, the warehouse or the raw zone), so the warehouse is checked against the contract.
"""

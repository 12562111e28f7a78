#!/usr/bin/env bash
# Runs every night at 02:00: evaluate the three search modes and keep the JSON reports.
set -euo pipefail
cd /opt/agent
OUT=reports/eval/$(date +%F)
mkdir -p "$OUT"
for mode in lexical semantic hybrid; do
    artifact-search eval --corpus Fixtures/agent-artifacts --mode "$mode" --json > "$OUT/$mode.json"
done
jq -s 'map({mode, ndcg_at_10})' "$OUT"/*.json

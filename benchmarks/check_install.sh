#!/usr/bin/env bash
# A full non-editable install into a fresh venv (dependencies from the package index), then the
# seeds ingested from an unrelated folder. Prints the install and run times and the article count.
#   benchmarks/check_install.sh [CHECKOUT]      (default: this checkout)
set -euo pipefail
checkout="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
work="$(mktemp -d /tmp/newsflow-install.XXXXXX)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
start=$(date +%s)
"$work/venv/bin/pip" install -q "$checkout" 2> >(grep -v "^WARNING: Location" >&2)
echo "install: $(( $(date +%s) - start )) s"
mkdir -p "$work/elsewhere/home"
cd "$work/elsewhere"
start=$(date +%s)
env -u PREFECT_HOME -u PREFECT_API_URL HOME="$work/elsewhere/home" \
    "$work/venv/bin/newsflow" ingest files "$checkout/seeds" --warehouse "$work/x/W.duckdb" >"$work/run.log" 2>&1 \
    || { cat "$work/run.log"; exit 1; }
echo "ingest: $(( $(date +%s) - start )) s"
"$work/venv/bin/newsflow" --version
"$work/venv/bin/newsflow" sql "SELECT count(*) AS articles FROM articles" --warehouse "$work/x/W.duckdb"

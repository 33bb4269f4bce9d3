#!/usr/bin/env bash
# Installs the app, prepares the embedded SQLite database with the 南峪乡 sample, starts Streamlit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
.venv/bin/python -m dashboard init-db
.venv/bin/python -m dashboard seed-sample --if-empty
exec .venv/bin/streamlit run streamlit_app.py --server.headless true "$@"

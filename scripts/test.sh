#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run the checks and the tests.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-packages.sh
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

echo "== ruff"; .venv/bin/ruff check src tests bench
echo "== mypy --strict"; .venv/bin/mypy
echo "== import contracts"; .venv/bin/lint-imports
source scripts/services.sh  # PostgreSQL and Redis on loopback (the machine's, or throwaway)
echo "== pytest"; .venv/bin/pytest -n 2 "$@"
# The service tests again on PostgreSQL (pytest-django creates test_phishloop); the Celery
# worker test already ran on PostgreSQL + Redis above, and the outage tests start their own
# PostgreSQL cluster, redis-server or SQLite service whatever the test database is.
echo "== pytest tests/server on PostgreSQL"
PHISHLOOP_DATABASE_URL="$PHISHLOOP_TEST_POSTGRES/phishloop" .venv/bin/pytest -n 2 tests/server \
  --ignore=tests/server/test_celery_worker.py --ignore=tests/server/reliability/test_outages.py "$@"

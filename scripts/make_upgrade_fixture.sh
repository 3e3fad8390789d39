#!/bin/sh
# Make the upgrade test's fixture (tests/core/test_migrations.py): the database a release
# leaves after `migrate` and every demo loader (`make demo` without the web server), packed
# with xz. Run at each release, from the repository, with the release's commit:
#
#   scripts/make_upgrade_fixture.sh 0ae89eb
#
# It exports that commit into a temporary folder (no git state is touched), runs it with
# this checkout's .venv, and writes tests/fixtures/upgrade/<commit>-demo.sqlite3.xz. Then
# point PREVIOUS_RELEASE in tests/core/test_migrations.py at the new file and delete the old.
set -eu
commit=${1:?usage: scripts/make_upgrade_fixture.sh <commit>}
here=$(pwd)
py="$here/.venv/bin/python"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git archive "$commit" | tar -x -C "$work"
cd "$work"
export SAFERSTAT_SKIP_DOTENV=1 SECRET_KEY=upgrade-fixture-only-0123456789 DEBUG=0
export DATABASE_URL="sqlite:///$work/var/saferstat.sqlite3"
export SAFERSTAT_WAREHOUSE="$work/var/warehouse" SAFERSTAT_MEDIA_DIR="$work/var/media"
export SAFERSTAT_TASK_BACKEND=django_tasks.backends.immediate.ImmediateBackend
export PYTHONPATH="$work"
"$py" manage.py migrate --no-input -v 0
"$py" -m saferstat.cli reference demo_data/ons
"$py" -m saferstat.cli load demo_data/police-uk
for command in demo_setup demo_partner_data demo_governance demo_casereviews \
    demo_plan_performance demo_assessment demo_delivery; do
  "$py" manage.py "$command" > /dev/null
done
"$py" - <<PY
import sqlite3
db = sqlite3.connect("$work/var/saferstat.sqlite3")
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.execute("VACUUM INTO '$work/fixture.sqlite3'")
PY
mkdir -p "$here/tests/fixtures/upgrade"
xz -9e -c "$work/fixture.sqlite3" > "$here/tests/fixtures/upgrade/$commit-demo.sqlite3.xz"
ls -l "$here/tests/fixtures/upgrade/$commit-demo.sqlite3.xz"

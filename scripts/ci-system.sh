#!/usr/bin/env bash
# Installs and starts what the test suite needs from Debian's packages: Chromium (and Firefox
# ESR) for the real-browser tests, PostgreSQL for the storage suite, poppler/unzip/7z/xz/bzip2/zstd for benchmark baselines.
# Idempotent; needs root. Prints the PostgreSQL URL the tests use.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# Debian splits Chromium's non-English UI locales (ja) into chromium-l10n: the extension needs them.
[ -d /usr/lib/chromium/locales ] && ls /usr/lib/chromium/locales | grep -q "^ja" || need+=(chromium-l10n)
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
# Firefox ESR: the Firefox build of the extension is loaded in it too.
[ -x /usr/bin/firefox-esr ] || need+=(firefox-esr)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v unzip >/dev/null || need+=(unzip)
# Archive benchmark baselines and bombs (bench/engine-archives.ts): 7z, xz, bzip2, zstd.
command -v 7z >/dev/null || need+=(p7zip-full)
command -v xz >/dev/null || need+=(xz-utils)
command -v bzip2 >/dev/null || need+=(bzip2)
command -v zstd >/dev/null || need+=(zstd)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | grep -q "^$ver main" || pg_createcluster "$ver" main >/dev/null
pg_ctlcluster "$ver" main start 2>/dev/null || true
for i in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='upload_guard'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"create role upload_guard login password 'upload_guard' createdb\""
su postgres -c "psql -qtAc \"select 1 from pg_database where datname='upload_guard_test'\"" | grep -q 1 ||
  su postgres -c "createdb -O upload_guard upload_guard_test"
echo "postgres://upload_guard:upload_guard@127.0.0.1:5432/upload_guard_test"

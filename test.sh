#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, builds, runs every test, and prints one summary line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-check-rdb >/dev/null 2>&1 || missing+=(redis-tools)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
# The web console test drives Debian's chromium through Playwright (its node driver ships in the NuGet package, no browser download).
[ -x "${DCS_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "test.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
# Debian's packages may start a system redis on 6379 and a prometheus on 9090; the tests never use them (they start their own
# on free loopback ports).

if [ ! -d ../shared/fixtures/rdb ]; then
  echo "test.sh: ../shared/fixtures/rdb is missing (the tests read the shared fixtures in place)" >&2
  exit 1
fi

dotnet build Dcsd.slnx -c Release -nologo -v q -clp:ErrorsOnly
# The Native AOT build of the rdb commands (dcs-rdb), which tests/Dcsd.Cli.Tests compares with the JIT one:
# ./dcs publishes it when its sources changed, installing a C toolchain first if the machine has none.
./dcs rdb --help >/dev/null

results="$(pwd)/TestResults"
rm -rf "$results"
status=0
dotnet test Dcsd.slnx -c Release --no-build -nologo \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 5m -- RunConfiguration.TestSessionTimeout=1500000 || status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); passed=$((passed + ${p:-0}))
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$((failed + ${f:-0}))
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters"); skipped=$((skipped + ${n:-0}))
done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi

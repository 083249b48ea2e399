#!/usr/bin/env bash
# Install the PostgreSQL 15 server the test suite starts throwaway clusters of (the team
# store's tests run against a real server), when root and it is missing.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
pkgs=(postgresql-15 postgresql-contrib)   # contrib: unaccent, for accent-blind search
command -v dpkg-query >/dev/null || exit 0   # not Debian/Ubuntu: nothing we can do here
# Any installed server will do (tests/support/pg_cluster.py prefers 15, else the newest).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  && dpkg-query -W -f='${Status}' postgresql-contrib 2>/dev/null | grep -q "install ok installed" \
  && exit 0
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && [ -x "$bin/initdb" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "Installing the PostgreSQL server for the team-store tests: ${missing[*]}"
  apt-get update -qq
  # Ubuntu has no postgresql-15 (it ships 14 or 16): take the distribution's own server.
  if ! apt-cache show postgresql-15 >/dev/null 2>&1; then
    missing=(postgresql postgresql-contrib)
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
else
  echo "warning: the team-store tests need PostgreSQL 15: sudo apt-get install ${missing[*]}" >&2
fi

#!/usr/bin/env bash
# Proves the README's commands on a machine as new. NOT part of CI: it REMOVES packages.
#
#   bash scripts/check-fresh-machine.sh --yes [--base FILE]
#
# 1. purges every Debian package that the base image lacks (installed packages minus FILE,
#    default scripts/base-image-packages.txt: the package names of the machine image this
#    project builds on, as it starts), so nothing installed by hand hides a missing step;
# 2. clones this repository's HEAD into a temporary folder;
# 3. runs there the README's two commands, `bash scripts/demo.sh` and `bash scripts/test.sh`,
#    and times each;
# 4. installs the library with the README's library-only lines and builds and runs a
#    consumer project (tests/consumer) against it with find_package(varscope).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base="$here/scripts/base-image-packages.txt"
confirmed=no
while [ $# -gt 0 ]; do
  case "$1" in
    --yes) confirmed=yes ;;
    --base) base="$2"; shift ;;
    *) echo "usage: $0 --yes [--base FILE]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$confirmed" != yes ]; then
  echo "check-fresh-machine: this purges every Debian package outside $base; run with --yes" >&2
  exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "check-fresh-machine: needs root (apt-get purge)" >&2; exit 2; }

installed=$(mktemp)
dpkg-query -W -f='${binary:Package} ${db:Status-Status}\n' |
  awk '$2 == "installed" { n = $1; sub(/:amd64$/, "", n); print n }' | sort -u >"$installed"
mapfile -t extra < <(sort -u "$base" | comm -13 - "$installed")
rm -f "$installed"
if [ ${#extra[@]} -gt 0 ]; then
  echo "check-fresh-machine: purging ${#extra[@]} packages: ${extra[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${extra[@]}" >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -qq >/dev/null
else
  echo "check-fresh-machine: nothing outside the base image is installed"
fi

work=$(mktemp -d /tmp/varscope-fresh.XXXXXX)
git clone -q "$here" "$work/varscope"
cd "$work/varscope"
echo "check-fresh-machine: fresh clone of $(git rev-parse --short HEAD) in $work/varscope"

timed() {  # timed LABEL COMMAND...: runs it, logs to $work/LABEL.log, records seconds
  local label=$1 start end
  shift
  start=$(date +%s)
  if ! "$@" >"$work/$label.log" 2>&1; then
    tail -n 40 "$work/$label.log"
    echo "check-fresh-machine: FAILED: $label ($*); log: $work/$label.log" >&2
    exit 1
  fi
  end=$(date +%s)
  echo "check-fresh-machine: $label passed in $((end - start)) s"
}

timed demo bash scripts/demo.sh
timed tests bash scripts/test.sh
# The README's library-only install, then a project that finds it.
timed install bash -c 'cmake --preset library && cmake --build --preset library &&
                       cmake --install build/library --prefix "$0/prefix"' "$work"
timed consumer bash -c 'cmake -S tests/consumer -B "$0/consumer" -G Ninja \
                          -DCMAKE_PREFIX_PATH="$0/prefix" &&
                        cmake --build "$0/consumer" && "$0/consumer/consumer"' "$work"
echo "check-fresh-machine: all passed ($(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores)"

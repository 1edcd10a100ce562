#!/bin/sh
# Installs the system packages the project needs (system-packages.txt, or the packages given as
# arguments) with apt-get: as root directly, otherwise through sudo. Does nothing at all when every
# package is already installed. When it cannot install (no apt-get, or neither root nor sudo), it names
# the missing packages and the command to run, and exits 1.
set -eu
cd "$(dirname "$0")/.."

me=system-packages.sh
if [ "$#" -gt 0 ]; then
  pkgs=$*
else
  # Names separated by one space; '#' starts a comment.
  pkgs=$(awk '{ sub(/#.*/, ""); for (i = 1; i <= NF; i++) printf "%s%s", (n++ ? " " : ""), $i }' system-packages.txt)
fi
[ -n "$pkgs" ] || { echo "$me: no packages listed"; exit 0; }

installed() {
  case "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" in
    *" ok installed") return 0 ;;
    *) return 1 ;;
  esac
}

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "$me: this needs apt-get (Debian/Ubuntu) to install the system packages: $pkgs." >&2
  echo "$me: install their equivalents with your system's package manager, then run the rest of the" >&2
  echo "$me: README's first set-up command (the part after this script)." >&2
  exit 1
fi

missing=
for p in $pkgs; do
  installed "$p" || missing="$missing $p"
done
missing=${missing# }
if [ -z "$missing" ]; then
  echo "$me: system packages already installed ($pkgs); nothing to do"
  exit 0
fi

cmd="apt-get update && apt-get install -y --no-install-recommends $missing"
if [ "$(id -u)" = 0 ]; then
  as_root=
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
  as_root=sudo
  echo "$me: installing $missing with sudo (it may ask for your password)"
else
  echo "$me: missing system packages: $missing." >&2
  echo "$me: installing them needs root, and sudo is not available here without a password. As root run:" >&2
  echo "    $cmd" >&2
  echo "$me: then run the README's set-up commands again." >&2
  exit 1
fi

echo "$me: installing $missing"
# shellcheck disable=SC2086 # word splitting of the package list is intended
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing

still=
for p in $missing; do
  installed "$p" || still="$still $p"
done
if [ -n "$still" ]; then
  echo "$me: apt-get finished but these are still not installed:$still" >&2
  exit 1
fi
echo "$me: installed $missing"

#!/usr/bin/env bash
# Debian's Python leaves venv and pip to a separate package: install it, then make the venv.
set -euo pipefail
python="$1"
venv="$2"
rm -rf "$venv"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "python${version}-venv" >/dev/null || apt-get install -y -qq python3-venv >/dev/null
  "$python" -m venv "$venv"
else
  echo "Could not create $venv: install the venv module for $python (Debian: apt-get install python3-venv)" >&2
  exit 1
fi

#!/usr/bin/env bash
# deps.sh: install, from Debian 12's packages, everything vigie needs to build, test, demo
# and benchmark. Idempotent and quick when all is there; uses sudo when not root.
set -euo pipefail

packages=(
  build-essential cmake pkgconf git
  libzmq3-dev libnetcdf-dev libhdf5-dev netcdf-bin libdb5.3-dev db5.3-util libgsl-dev libopenblas-serial-dev
  libcairo2-dev libfontconfig-dev
  libcurl4-openssl-dev libssl-dev openssl libesmtp-dev libyaml-dev libsystemd-dev zlib1g-dev
  python3 python3-zmq python3-aiosmtpd python3-pyftpdlib python3-netcdf4 python3-xarray
  ferret-datasets valgrind
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} Debian packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: not root and no sudo: install as root: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

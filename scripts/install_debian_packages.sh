#!/usr/bin/env bash
# The Debian packages Torii needs on this host beside Python's: the workspace runner's (podman, with
# runc since crun refuses this machine's hybrid cgroups; catatonit for --init; mmdebstrap to build
# the default image offline) and the browser the web console's tests drive (chromium), installed
# only where missing. Without root or apt it says what to install and carries on: everything but
# the podman workspace runner and the browser tests (which then skip) works without them.
set -euo pipefail
PACKAGES=(podman runc catatonit mmdebstrap uidmap chromium)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "workspaces and the console's browser tests need the Debian packages: ${missing[*]} (install them as root)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null

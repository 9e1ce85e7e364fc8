#!/usr/bin/env bash
# Debian packages phishloop and its tests need. Installs only what is missing, so a
# prepared machine pays nothing. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(libmagic1 dovecot-imapd slapd ldap-utils redis-server postgresql)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

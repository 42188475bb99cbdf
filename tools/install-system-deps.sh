#!/usr/bin/env bash
# Installs the Debian packages that `make test` needs, only those missing (we are root on CI).
set -euo pipefail
PKGS=(
  swift python3-swift swift-proxy swift-account swift-container swift-object memcached  # reference Swift (parity tests, SAIO)
  python3-swiftclient rclone                                                          # real Swift clients
  xfsprogs e2fsprogs attr util-linux curl                                              # loop-device disks, xattrs
  tar bzip2 gzip unzip                                                                 # bulk extract-archive, zip downloads
  chromium firefox-esr fonts-dejavu-core                                               # browser end-to-end tests (Chromium via Playwright, Firefox via WebDriver BiDi)
  ffmpeg poppler-utils libvips-tools                                                   # video/PDF thumbnails; vipsthumbnail for the benchmark
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-system-deps: missing Debian packages (need root): ${missing[*]}" >&2
  exit 1
fi
echo "install-system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Installs the Debian packages that `make test` needs, only those missing (we are root on CI).
set -euo pipefail
PKGS=(
  swift python3-swift swift-proxy swift-account swift-container swift-object memcached  # reference Swift (parity tests, SAIO)
  python3-swiftclient python3-keystoneclient rclone                                                        # real Swift clients
  xfsprogs e2fsprogs attr util-linux curl                                              # loop-device disks, xattrs
  smartmontools ledmon python3-fusepy fuse3 openssl iproute2                           # SMART, disk LEDs, FUSE fault layer, TLS, namespaces
  tar bzip2 gzip unzip                                                                 # bulk extract-archive, zip downloads
  chromium firefox-esr fonts-dejavu-core                                               # browser end-to-end tests (Chromium via Playwright, Firefox via WebDriver BiDi)
  ffmpeg poppler-utils libvips-tools                                                   # video/PDF thumbnails; vipsthumbnail for the benchmark
  python3-prometheus-client                                                            # parses /metrics in the health console's tests
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

#!/usr/bin/env bash
# Debian packages the reports need: headless Chromium (the browser test, PDF export)
# and Noto CJK fonts (Chinese text that renders in screenshots and PDFs).
#
#   bash scripts/system_packages.sh     # idempotent; a no-op when both are installed
#
# Versions are pinned to what the report tests were run with. Debian's security
# archive replaces Chromium builds; when the pinned build is gone from the archive
# the current one is installed and a warning says so (docs/environment.md).
set -euo pipefail

CHROMIUM_VERSION="156.0.8078.108-1~deb12u1"
NOTO_CJK_VERSION="1:20220127+repack1-1"

say() { printf 'system-packages: %s\n' "$*"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if installed chromium && installed fonts-noto-cjk; then
    say "chromium $(dpkg-query -W -f='${Version}' chromium), fonts-noto-cjk present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        say "not root and no sudo: install chromium and fonts-noto-cjk by hand (the browser test will skip)"
        exit 0
    }
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
say "installing chromium $CHROMIUM_VERSION and fonts-noto-cjk $NOTO_CJK_VERSION (apt)"
$SUDO apt-get update -qq
if ! $SUDO apt-get install -y -qq --no-install-recommends \
    "chromium=$CHROMIUM_VERSION" "chromium-common=$CHROMIUM_VERSION" \
    "fonts-noto-cjk=$NOTO_CJK_VERSION" >/dev/null; then
    say "warning: pinned versions unavailable in the archive; installing the current ones"
    $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
fi
say "chromium $(dpkg-query -W -f='${Version}' chromium) installed"

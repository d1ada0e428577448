#!/usr/bin/env bash
# Re-vendor axe-core, the accessibility checker the browser tests run inside pages (tests/test_fill_browser.py and
# any other browser test: one shared copy, tests/vendor/axe-core/). Committed so CI on a clean clone needs no npm.
# axe-core is MPL-2.0: used unmodified, with its licence files beside it. It runs only in tests, never in the site.
#   bash scripts/vendor_axe_core.sh            the pinned version below
#   bash scripts/vendor_axe_core.sh 4.15.0     another version (then update VERSION and the checksum)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${1:-4.14.1}"
# sha256 of the npm tarball of axe-core 4.14.1
SHA256_4_14_1="e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745"
DEST=tests/vendor/axe-core

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@${VERSION}" >/dev/null)
if [ "$VERSION" = "4.14.1" ]; then
  echo "${SHA256_4_14_1}  $(ls "$tmp"/axe-core-*.tgz)" | sha256sum --check --quiet
fi
(cd "$tmp" && tar xzf axe-core-*.tgz)
mkdir -p "$DEST"
cp "$tmp/package/axe.min.js" "$DEST/axe.min.js"
cp "$tmp/package/LICENSE" "$DEST/LICENSE"
cp "$tmp/package/LICENSE-3RD-PARTY.txt" "$DEST/LICENSE-3RD-PARTY.txt"
echo "axe-core ${VERSION} (npm, MPL-2.0), unmodified; see scripts/vendor_axe_core.sh" > "$DEST/VERSION.txt"
echo "已更新 $DEST/axe.min.js（axe-core ${VERSION}）"

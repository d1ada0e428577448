#!/usr/bin/env bash
# Re-vendor axe-core, the accessibility checker the browser tests run on the built site (tests/test_site_trainer.py).
# It ships in the repository so CI on a clean clone needs no network.
#   bash scripts/vendor_axe.sh            the pinned version below
#   bash scripts/vendor_axe.sh 4.15.0     another version (then update VERSION and the checksum)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${1:-4.14.1}"
# sha256 of axe.min.js in axe-core 4.14.1 (npm, MPL-2.0, by Deque Systems)
SHA256_4_14_1="29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
DEST=tests/vendor/axe-core

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@${VERSION}" >/dev/null && tar xzf axe-core-*.tgz)
if [ "$VERSION" = "4.14.1" ]; then
  echo "${SHA256_4_14_1}  $tmp/package/axe.min.js" | sha256sum --check --quiet
fi
mkdir -p "$DEST"
cp "$tmp/package/axe.min.js" "$DEST/axe.min.js"
cp "$tmp/package/LICENSE" "$DEST/LICENSE.txt"
echo "$VERSION" > "$DEST/VERSION"
echo "已更新 $DEST/axe.min.js（axe-core ${VERSION}）"

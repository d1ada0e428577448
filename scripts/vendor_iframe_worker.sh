#!/usr/bin/env bash
# Re-vendor the iframe-worker shim that makes the handbook's search work from file:// (USB sticks).
# mkdocs-material's offline plugin would load it from unpkg.com; wugu ships it in the package instead and
# points extra.polyfills at it, so the built site references no outside host.
#   bash scripts/vendor_iframe_worker.sh            the pinned version below
#   bash scripts/vendor_iframe_worker.sh 1.0.5      another version (then update VERSION and the checksum)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${1:-1.0.4}"
# sha256 of shim/index.js in iframe-worker 1.0.4 (npm, MIT licence, by Martin Donath)
SHA256_1_0_4="e8e412dbcfea9b7e31b5ffa288d7b6035915e714c542f4176a0cdbe262fc9609"
DEST=src/wugu/templates/site/assets/wugu/iframe-worker

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "iframe-worker@${VERSION}" >/dev/null && tar xzf iframe-worker-*.tgz)
if [ "$VERSION" = "1.0.4" ]; then
  echo "${SHA256_1_0_4}  $tmp/package/shim/index.js" | sha256sum --check --quiet
fi
mkdir -p "$DEST"
cp "$tmp/package/shim/index.js" "$DEST/shim.js"
cp "$tmp/package/LICENSE" "$DEST/LICENSE.txt"
echo "已更新 $DEST/shim.js（iframe-worker ${VERSION}）"

#!/usr/bin/env bash
# Re-vendor the JSON Schema validator that the fill mode (在电脑上填写) runs in the browser.
# npm @cfworker/json-schema (MIT licence, by Jeremy Danyow): draft 2020-12, no eval and no new Function.
# A page opened from file:// cannot load ES modules, so its CommonJS build is joined into ONE classic script
# that sets a global (WuguJsonSchema) and also works as a Node module (the format-fixture test loads it).
# The result is committed, so a clean clone and CI need neither npm nor the network.
#   bash scripts/vendor_json_schema.sh            the pinned version below
#   bash scripts/vendor_json_schema.sh 4.1.7      another version (then update VERSION and the checksum)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${1:-4.1.6}"
# sha256 of the npm tarball of @cfworker/json-schema 4.1.6
SHA256_4_1_6="816fd637a08f4ea48b17850ed1a91bc888100db893539c53237af9cb274886f5"
DEST=src/wugu/templates/site/assets/wugu/fill
MODULES=(deep-compare-strict pointer types ucs2-length format dereference validate validator index)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@cfworker/json-schema@${VERSION}" >/dev/null)
if [ "$VERSION" = "4.1.6" ]; then
  echo "${SHA256_4_1_6}  $(ls "$tmp"/cfworker-json-schema-*.tgz)" | sha256sum --check --quiet
fi
(cd "$tmp" && tar xzf cfworker-json-schema-*.tgz)
license="$(cd "$tmp/package" && node -p 'require("./package.json").license')"
[ "$license" = "MIT" ] || { echo "许可证变了：${license}，先核对再更新" >&2; exit 1; }
if grep -nE '\beval\(|new Function' "$tmp"/package/dist/commonjs/*.js; then
  echo "这一版用了 eval 或 new Function，不能用" >&2; exit 1
fi

mkdir -p "$DEST"
out="$DEST/json-schema.js"
{
  echo "/*! @cfworker/json-schema ${VERSION} | MIT licence, (c) Jeremy Danyow | see json-schema.LICENSE.txt"
  echo " * Its CommonJS build joined into one classic script by scripts/vendor_json_schema.sh (no eval, no modules)."
  echo " * Sets the global WuguJsonSchema = { Validator, validate, format, ... }; under Node it is module.exports. */"
  echo "(function (root) {"
  echo "  var defs = {};"
  for m in "${MODULES[@]}"; do
    echo "  defs[\"./${m}.js\"] = function (module, exports, require) {"
    sed -e '/^\/\/# sourceMappingURL=/d' "$tmp/package/dist/commonjs/${m}.js"
    echo "  };"
  done
  cat <<'JS'
  var cache = {};
  function load(name) {
    if (!cache[name]) {
      var module = { exports: {} };
      cache[name] = module;
      defs[name].call(module.exports, module, module.exports, load);
    }
    return cache[name].exports;
  }
  var api = load("./index.js");
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.WuguJsonSchema = api; }
})(typeof globalThis !== "undefined" ? globalThis : this);
JS
} > "$out"
cat > "$DEST/json-schema.LICENSE.txt" <<TXT
@cfworker/json-schema ${VERSION} — https://www.npmjs.com/package/@cfworker/json-schema
Licence: MIT (as declared in its package.json; author Jeremy Danyow). The npm package ships no licence file;
this is the MIT licence text it refers to.

MIT License

Copyright (c) Jeremy Danyow

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and
to permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of
the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO
THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
IN THE SOFTWARE.
TXT
echo "已更新 $out（@cfworker/json-schema ${VERSION}）"

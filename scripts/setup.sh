#!/usr/bin/env bash
# Quick start, one command: install everything wugu needs on a fresh Debian/Ubuntu machine, then check the
# content and build the handbook site and the PDF forms into build/.
#   bash scripts/setup.sh             set up, check, build
#   bash scripts/setup.sh --no-build  set up only (used by scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Chinese fonts (Noto CJK SC), the HarfBuzz subsetter WeasyPrint uses for fast PDFs,
# Pango (WeasyPrint's text layout), poppler (pdftotext/pdffonts in tests), zbar-tools (tests scan the PDF QR codes),
# Chromium (browser tests of the site).
APT_PACKAGES=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils zbar-tools chromium libreoffice-calc-nogui)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if ((${#missing[@]})); then
  echo "==> 安装系统软件包：${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "wugu 需要 Python 3.11 或更新的版本，当前是 $(python3 --version)" >&2; exit 2; }

if [ ! -x .venv/bin/python ]; then
  echo "==> 创建 Python 虚拟环境 .venv"
  python3 -m venv .venv
fi
echo "==> 安装 wugu 及其依赖"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"

if [ "${1:-}" != "--no-build" ]; then
  .venv/bin/wugu check
  .venv/bin/wugu build
  echo "==> 完成：网站在 build/site/（打开 build/site/index.html），PDF 表格在 build/site/downloads/"
  echo "    以后在本目录先运行 source .venv/bin/activate，就可以直接用 wugu 命令。"
fi

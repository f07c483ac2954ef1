#!/usr/bin/env bash
# dolmetsch and translate-toolkit in one fresh venv, installed in either order (non-editable):
# pocount, pofilter and `dolmetsch translate` all work, and uninstalling either leaves the other working.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
model="$root/tests/fixtures/translate-de_en-tiny.argosmodel"
export XDG_CACHE_HOME="$work/cache" ARGOS_PACKAGES_DIR="$work/packages"

check_dolmetsch() {
  "$1/bin/dolmetsch" --version | grep -Eq '^dolmetsch [0-9]+(\.[0-9]+)*$'
  (cd "$work" && "$1/bin/dolmetsch" translate "$root/examples/putin-kim.txt" --model "$model" --no-glossary -q -o out --locales locales)
  grep -q '^"X-Generator: dolmetsch [0-9.]*\\n"$' "$work/locales/en/LC_MESSAGES/putin-kim.po"
}
check_toolkit() {
  "$1/bin/pocount" "$work/locales/en/LC_MESSAGES/putin-kim.po" >/dev/null
  "$1/bin/pofilter" "$work/locales/en/LC_MESSAGES/putin-kim.po" "$work/filtered.po" >/dev/null 2>&1
  "$1/bin/python" -c 'import translate.__version__ as v; assert v.sver'
}

for order in "dolmetsch-first" "toolkit-first"; do
  venv="$work/venv-$order"
  python3 -m venv "$venv"
  if [ "$order" = dolmetsch-first ]; then
    "$venv/bin/pip" install -q "$root" && "$venv/bin/pip" install -q translate-toolkit
  else
    "$venv/bin/pip" install -q translate-toolkit && "$venv/bin/pip" install -q "$root"
  fi
  check_dolmetsch "$venv" && check_toolkit "$venv"
  echo "$order: both work"
done
venv="$work/venv-dolmetsch-first"
"$venv/bin/pip" uninstall -q -y translate-toolkit && check_dolmetsch "$venv" && echo "translate-toolkit uninstalled: dolmetsch works"
venv="$work/venv-toolkit-first"
"$venv/bin/pip" uninstall -q -y dolmetsch && check_toolkit "$venv" && echo "dolmetsch uninstalled: translate-toolkit works"

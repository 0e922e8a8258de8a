#!/usr/bin/env bash
# Installs the original DC/OS CLI (Python, dcoscli==0.6.1: the last release with
# `dcos marathon pod`) into a virtualenv, for tests/dcos-cli-conformance.sh.
#
# Usage: scripts/install-dcos-cli.sh [VENV_DIR]     (default: target/dcos-cli, or under CARGO_TARGET_DIR)
#   PYTHON picks the interpreter (default python3.11). Needs access to the Python package index
#   the first time only: the finished virtualenv is stamped with this script's checksum, and a
#   later run with the same script leaves it alone. A half-finished install is never stamped, so
#   the next run starts over.
#
# The 0.6.1 release predates Python 3.10, so a plain `pip install dcoscli==0.6.1` does not work:
#   - its pinned cryptography==2.0.2 has no wheel for 3.11 and does not build; only
#     `dcos cluster setup` uses it (it is imported at start-up), so a current release stands in;
#   - the CLI imports the ABCs from `collections` (gone since 3.10); a start-up `.pth` line puts
#     the aliases back, leaving the CLI's own files as published;
#   - it reads help text and schemas through pkg_resources, so setuptools stays below 81.
# Each dependency is pinned to a version inside the range the 0.6.1 packages declare.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv=${1:-${CARGO_TARGET_DIR:-$root/target}/dcos-cli}
python=${PYTHON:-python3.11}
stamp="$venv/.installed-by"
want=$(sha256sum "$0" | cut -d' ' -f1)

if [ -x "$venv/bin/dcos" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "DC/OS CLI already installed in $venv"
  exit 0
fi

command -v "$python" >/dev/null || { echo "error: $python not found (set PYTHON)" >&2; exit 1; }
rm -rf "$venv"
"$python" -m venv "$venv"
pip() { "$venv/bin/python" -m pip --disable-pip-version-check --quiet "$@"; }

# Tools to build the old source distributions.
pip install "setuptools>=65,<81" "wheel<0.46"
# The CLI without its dependency list (part of it cannot be built any more) ...
pip install --no-deps "dcoscli==0.6.1" "dcos==0.6.1"
# ... and the dependencies, pinned, listed in full (so pip need not resolve, and does not complain
# that cryptography is newer than dcoscli's pin).
pip install --no-deps --no-build-isolation \
  "docopt==0.6.2" "pkginfo==1.2.1" "toml==0.10.2" "virtualenv==15.2.0" \
  "sseclient==0.0.19" "retrying==1.3.3" "jsonschema==2.6.0" "pager==3.3" \
  "prettytable==0.7.2" "PyJWT==1.4.2" "Pygments==2.17.2" "six==1.16.0" \
  "requests==2.31.0" "urllib3==1.26.18" "idna==3.6" "certifi==2024.2.2" \
  "charset-normalizer==3.3.2" \
  "cryptography==41.0.7" "cffi==1.16.0" "pycparser==2.21"

site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
{
  printf 'import collections, collections.abc; '
  for name in Mapping MutableMapping Sequence MutableSequence Set MutableSet Iterable Callable Hashable; do
    printf 'collections.%s = collections.abc.%s; ' "$name" "$name"
  done
  printf '\n'
} >"$site/podctl_collections_aliases.pth"

# The CLI creates its config directory on first use: keep it away from $HOME.
DCOS_DIR=$(mktemp -d) "$venv/bin/dcos" --version >/dev/null
"$venv/bin/python" -m pip freeze >"$venv/requirements.lock"
echo "$want" >"$stamp"
echo "DC/OS CLI installed in $venv"

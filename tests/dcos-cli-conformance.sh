#!/usr/bin/env bash
# Conformance: the original DC/OS CLI (dcoscli 0.6.1, Python) drives `podctl sim` through every pod
# command. If the simulator answers the way Marathon does, the old client understands it.
#
# Usage: tests/dcos-cli-conformance.sh [VENV_DIR]
#   VENV_DIR defaults to target/dcos-cli (under CARGO_TARGET_DIR when set); scripts/install-dcos-cli.sh installs the CLI there the
#   first time and leaves it alone afterwards. PODCTL overrides the podctl binary
#   (default target/debug/podctl, built when missing). Traffic stays on 127.0.0.1.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
venv=${1:-$target/dcos-cli}
podctl=${PODCTL:-$target/debug/podctl}
bash "$root/scripts/install-dcos-cli.sh" "$venv" || { echo "cannot install the DC/OS CLI"; exit 1; }
[ -x "$podctl" ] || (cd "$root" && cargo build --quiet) || exit 1

work=$(mktemp -d)
sim_pid=
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$podctl" sim --port 0 --deploy-time 0 >"$work/url" 2>"$work/sim.log" &
sim_pid=$!
for _ in $(seq 100); do
  [ -s "$work/url" ] && break
  sleep 0.05
done
url=$(head -n 1 "$work/url")
case "$url" in http://127.0.0.1:*) ;; *) echo "podctl sim did not start"; exit 1 ;; esac

export DCOS_DIR="$work/dcos" DCOS_MARATHON_URL="$url"
mkdir -p "$DCOS_DIR"
dcos() { "$venv/bin/dcos" "$@"; }

passed=0
failed=0
check() { # check NAME CONDITION-COMMAND...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name"
    echo "  last output: $(head -c 600 "$work/out" 2>/dev/null)"
  fi
}
run() { dcos "$@" >"$work/out" 2>&1; }
out_has() { grep -q -- "$1" "$work/out"; }
json_field() { python3 -c "import json,sys; d=json.load(open('$work/out')); print($1)"; }

cd "$root"
t_add() { run marathon pod add examples/web.json && grep -Eq '^Created deployment [0-9a-f-]{36}$' "$work/out"; }
t_list() { run marathon pod list && out_has /web && out_has nginx; }
t_list_json() { run marathon pod list --json && test "$(json_field "d[0]['id']")" = /web; }
t_list_quiet() { run marathon pod list --quiet && grep -qx /web "$work/out"; }
t_show() { run marathon pod show /web && test "$(json_field "d['status'] + ' ' + str(len(d['instances']))")" = "STABLE 2"; }
t_update() { dcos marathon pod update /web <examples/web-v2.json >"$work/out" 2>&1 && out_has '^Created deployment '; }
t_kill() {
  run marathon pod show /web || return 1
  local instance
  instance=$(json_field "d['instances'][0]['id']") || return 1
  run marathon pod kill /web "$instance"
}
t_remove() { run marathon pod remove /web; }
t_gone() { ! run marathon pod show /web && out_has "Pod '/web' does not exist"; }
t_conflict() {
  run marathon pod add examples/api.json && ! run marathon pod add examples/api.json &&
    out_has "Changes blocked" && run marathon pod remove /prod/api
}
t_example() { # FILE ID
  run marathon pod add "$1" && out_has '^Created deployment ' &&
    run marathon pod show "$2" && test "$(json_field "d['id']")" = "$2" &&
    run marathon pod remove "$2"
}

check "pod add prints the deployment" t_add
check "pod list table" t_list
check "pod list --json" t_list_json
check "pod list --quiet" t_list_quiet
check "pod show" t_show
check "pod update from stdin" t_update
check "pod kill" t_kill
check "pod remove" t_remove
check "a removed pod is gone" t_gone
check "adding an existing pod fails" t_conflict
examples=("$root"/tests/fixtures/pod-examples/*.json)
[ -f "${examples[0]}" ] || { echo "no pod examples in tests/fixtures/pod-examples"; exit 1; }
for file in "${examples[@]}"; do
  id=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$file")
  check "add, show, remove $(basename "$file")" t_example "$file" "$id"
done

echo "dcos-cli conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

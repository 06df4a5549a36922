#!/usr/bin/env bash
# Boots the guest with bad boot arguments and checks the console: every
# mistake is reported by name with what is accepted, the defaults are used,
# and an unknown init.run program powers the guest off with status 127.
# Prints TAP. Run by meson test (suite guest) with NO_BUILD=1 and BUILD_DIR.
set -uo pipefail

run=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/run
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$run" kernel.timeslice_ms=0 kernel.verbos=1 pager.polcy=lru2 pager.policy=lru3 nokey \
	pager.reclaim_at=60 pager.reclaim_to=65 oom.policy=never pager.reserve=5 init.run=nosuch \
	</dev/null >"$out" 2>&1
status=$?
sed -i 's/\r$//' "$out"

n=0
fails=0
check() {	# check NAME PATTERN: the console has a line matching PATTERN
	n=$((n + 1))
	if grep -qF -- "$2" "$out"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1 # no line: $2"
		fails=$((fails + 1))
	fi
}

echo "1..13"
check "kernel reports a bad value with its range and default" \
	"boot: bad value '0' for kernel.timeslice_ms (accepted: 1..1000); using default '10'"
check "kernel reports an unknown kernel key with the known keys" \
	"boot: unknown key 'kernel.verbos' (known: kernel.timeslice_ms, kernel.verbose)"
check "kernel uses the defaults" "kernel.timeslice_ms=10 kernel.verbose=0"
check "pager reports an unknown key with the known keys" \
	"pager: boot: unknown key 'pager.polcy' (known: pager.faultaround, pager.readahead, pager.policy, pager.seed, pager.reclaim_at, pager.reclaim_to, pager.free_min, pager.reserve, oom.policy, init.run, init.args)"
check "pager reports an unknown policy with the policy names" \
	"pager: boot: bad value 'lru3' for pager.policy (accepted: clock|lru2|fifo|random); using default 'clock'"
check "pager reports inconsistent watermarks and uses the defaults" \
	"pager: boot: inconsistent watermarks pager.reclaim_at=60 pager.reclaim_to=65 pager.free_min=2 (need reclaim_to < reclaim_at < 100 - free_min); using 80 70 2"
check "pager prints the policy and watermarks in force" \
	"pager: pager.policy=clock pager.seed=1 pager.reclaim_at=80 pager.reclaim_to=70 pager.free_min=2"
check "pager reports an unknown OOM policy with the names" \
	"pager: boot: bad value 'never' for oom.policy (accepted: unshared|rss|panic); using default 'unshared'"
check "pager reports a reserve out of range" \
	"pager: boot: bad value '5' for pager.reserve (accepted: 8..4096); using default '32'"
check "pager prints the reserve and OOM policy in force" "pager: pager.reserve=32 oom.policy=unshared"
check "pager reports a word without '='" "pager: boot: 'nokey' is not key=value (ignored)"
check "init reports an unknown program" "init: cannot run 'nosuch': no such program in the initrd"
n=$((n + 1))
if [[ $status -eq 127 ]]; then
	echo "ok $n - the guest powers off with status 127"
else
	echo "not ok $n - the guest powers off with status 127 # got $status"
	fails=$((fails + 1))
fi
[[ $fails -eq 0 ]] || sed 's/^/# /' "$out"
exit $((fails > 0))

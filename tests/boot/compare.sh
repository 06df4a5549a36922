#!/usr/bin/env bash
# The workloads of scripts/compare (userland/workloads), run small on this
# system so they cannot rot: each boots with 32 MiB (its swap workloads
# then go through swap) and must finish with no wrong word; one boot runs
# in fixed mode; bad arguments and the oom workload with a swap disk must
# be refused by name. Prints TAP. Run by meson test (suite guest).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
run=$top/scripts/run
# The workloads (userland/workloads/workloads.txt's names) but oom, which
# boots without a disk and is checked on its own below.
mapfile -t swapping < <(sed -n '/^[^#]/{s/ .*//;/^oom$/!p}' "$top/userland/workloads/workloads.txt")
((${#swapping[@]})) || { echo "Bail out! no workloads in userland/workloads/workloads.txt"; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT

n=0
fails=0
# boot ENV... -- ARGS...: boot once, the console in $out, status in $status.
boot() {
	local env=()
	while [[ $1 != -- ]]; do env+=("$1"); shift; done
	shift
	status=0
	env QEMU_MEM=32M "${env[@]}" "$run" "$@" </dev/null >"$out" 2>&1 || status=$?
	sed -i 's/\r$//' "$out"
}
# result NAME EXPECTED_STATUS REGEX: a TAP line; the console on failure.
result() {
	n=$((n + 1))
	if [[ $status -eq $2 ]] && grep -qE -- "$3" "$out"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1 # status $status (expected $2), or no line: $3"
		sed 's/^/# /' "$out"
		fails=$((fails + 1))
	fi
}

echo "1..$((${#swapping[@]} + 4))"
for w in "${swapping[@]}"; do
	boot -- "init.run=wl-$w"
	result "$w: every word read back right" 0 \
		"^compare: result workload=$w instret=[0-9]+ idle_ns=[0-9]+ major=[0-9]+ .* errors=0( |$)"
done
boot QEMU_SWAP=none -- init.run=wl-oom
result "oom: the growing child is killed, the parent's words are intact" 0 \
	"^compare: result workload=oom .* errors=0 child_pages=[1-9][0-9]*$"
boot -- init.run=wl-touch init.args=pages=2000
result "fixed mode: pages=2000 sets the size" 0 \
	"^compare: begin system=pagerkernel workload=touch avail_pages=[0-9]+ swap_pages=[0-9]+ unit_pages=2000 mode=fixed$"
boot -- init.run=wl-touch init.args=pages=lots
result "a bad page count is refused by name" 2 "^compare: error: bad page count 'lots'"
boot -- init.run=wl-oom
result "oom refuses to run with a swap disk" 2 "^compare: error: oom must run without a swap disk$"
exit $((fails > 0))

#!/usr/bin/env bash
# Boots with oom.policy=panic, no swap and a process that grows without
# bound: when memory runs out the pager prints the memory state (each
# process with its pages and score) and stops the machine with status 3
# instead of killing anyone. Prints TAP. Run by meson test (suite guest).
set -uo pipefail

run=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/run
out=$(mktemp)
trap 'rm -f "$out"' EXIT

QEMU_MEM=32M QEMU_SWAP=none "$run" oom.policy=panic init.run=tests init.args=oom_grower \
	</dev/null >"$out" 2>&1
status=$?
sed -i 's/\r$//' "$out"

n=0
fails=0
check() {	# check NAME REGEX: the console has a line matching REGEX
	n=$((n + 1))
	if grep -qE -- "$2" "$out"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1 # no line: $2"
		fails=$((fails + 1))
	fi
}

echo "1..6"
check "the pager says why it stops" "^pager: out of memory and oom.policy=panic$"
check "the memory state: frames, reserve and swap" \
	"^pager: memory state: [0-9]+ frames, [0-9]+ free \(reserve 32, fewest free [0-9]+\); swap slots 0, 0 free$"
check "the memory state: a line per process with its score" \
	"^pager: +[0-9]+ tests +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$"
check "init is listed as exempt" "^pager: +[0-9]+ init +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ exempt$"
check "the pager stops the machine" "^pager: panic: out of memory; stopping the machine$"
n=$((n + 1))
if [[ $status -eq 3 ]] && ! grep -q "killed: reason 137" "$out"; then
	echo "ok $n - the guest powers off with status 3 and no one was killed"
else
	echo "not ok $n - the guest powers off with status 3 and no one was killed # got $status"
	fails=$((fails + 1))
fi
[[ $fails -eq 0 ]] || sed 's/^/# /' "$out"
exit $((fails > 0))

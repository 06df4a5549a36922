#!/usr/bin/env bash
# host-plot: a sweep written by pagesim --data has the layout docs/pagesim.md
# gives, and scripts/plot draws it as a PNG and an SVG with a curve per
# policy. Prints TAP. usage: test_plot.sh PAGESIM PLOT_SCRIPT
set -uo pipefail

pagesim=$1 plot=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0

check() {	# check NAME COMMAND...
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >"$work/out" 2>&1; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		sed 's/^/# /' "$work/out"
		failed=1
	fi
}

echo "1..6"
printf '%s\n' 7 0 1 2 0 3 0 4 2 3 0 3 2 1 2 0 1 7 0 1 >"$work/classic.trace"
check "pagesim --data writes the sweep" \
	"$pagesim" -p fifo,lru,opt --sweep 1,3,6 --data "$work/s.dat" "$work/classic.trace"
check "a comment line naming the columns" \
	grep -q -x '# frames fifo lru opt' "$work/s.dat"
# The textbook string at 3 frames: FIFO 15 faults, LRU 12, OPT 9 of 20.
check "one row per size, a miss ratio per policy" \
	grep -q -x '3 0.750000 0.600000 0.450000' "$work/s.dat"
check "scripts/plot draws it" "$plot" "$work/s.dat" "$work/plot"
check "a PNG" sh -c 'head -c 8 "$1" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a"' sh "$work/plot.png"
check "an SVG with every policy in its key" \
	sh -c 'grep -q "<svg" "$1" && grep -q ">fifo<" "$1" && grep -q ">lru<" "$1" && grep -q ">opt<" "$1"' \
	sh "$work/plot.svg"
exit $failed

#!/usr/bin/env bash
# The swap driver ending with writes in flight: swap.end_driver_at has the
# pager end virtio_blk as the driver takes its 20th write batch, while
# swap_pattern streams three times the memory through swap. The pager must
# name the driver, run on without swap (its threads waiting for the disk
# woken, none for ever), and the boot must end by itself: the suite runs to
# its end or its processes are killed with a reason (a page only on the
# dead disk, or memory without swap), and the pager powers off. Before the
# driver watch every fault stopped there, and only the timeout ended the
# boot. Prints TAP. Run by meson test (suite guest) with NO_BUILD=1.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"	# $top, $tmp, ok, passed

echo "1..12"
QEMU_MEM=48M timeout 300 "$top/scripts/run" swap.end_driver_at=20 init.run=tests \
	init.args=swap_pattern </dev/null >"$tmp/run.log" 2>&1
status=$?
sed -i 's/\r$//' "$tmp/run.log"
[[ $status -ne 124 ]]
ok "the boot ends by itself, not by the timeout (status $status)" $?
grep -q "pager: the driver virtio_blk (pid [0-9]*) ended (killed, cause 1); its swap device is gone" "$tmp/run.log"
ok "the pager names the driver that ended" $?
grep -q "pager: swap: the disk at 0x[0-9a-f]* is gone; running without swap" "$tmp/run.log"
ok "it runs on without swap" $?
grep -qE "killed: .*(the page could not be read back from swap|out of memory)|pager: out of memory: killed" "$tmp/run.log"
ok "a process that cannot go on is killed with its reason" $?
# How the boot ended: init's line for the suite, then the power-off with
# the status init passes on (the suite's own, 1 if it was killed); or, init
# itself killed (a page of its own only on the dead disk), the pager's line
# that it reaped init, then the power-off with status 1. Either way the
# pager served to the end: a power-off from its own failure (a broken
# check, an OOM panic) has neither line.
ended=$(sed -nE 's/^(init: tests \(pid [0-9]+\) (exited with status [0-9]+|was killed)|pager: init ended \((status [0-9]+|killed)).*/\1/p' \
	"$tmp/run.log" | head -1)
case $ended in
*"exited with status "*) want=${ended##* } ;;
"pager: init ended (status "*) want=${ended##* } && [[ $want -ne 0 ]] || want=1 ;;
?*) want=1 ;;
*) want=none ;;
esac
off=$(awk '/^(init: tests |pager: init ended )/ { on = 1 }
	on && /^\[kernel\] power off, status / { print $NF; exit }' "$tmp/run.log")
[[ $off == "$want" && $status == "$want" ]]
ok "the pager still serves: '$ended', then the power-off with status $want (status $status)" $?
! grep -qiE "panic|pager: .*bug" "$tmp/run.log"
ok "no panic and no bug reported on the way" $?

# The driver ended as it takes the swap header's read, at boot: the read is
# woken (before, the boot waited for it until the timeout) and the pager
# runs without swap. If the driver answered before it went, swap came on
# and is seen gone (vmstat's swap_gone): either way no swap, and the boot
# goes on.
QEMU_MEM=48M timeout 120 "$top/scripts/run" swap.end_driver_at=1 init.run=vmstat \
	</dev/null >"$tmp/boot.log" 2>&1
status=$?
sed -i 's/\r$//' "$tmp/boot.log"
[[ $status -eq 0 ]]
ok "ended at the header's read: the boot ends by itself, status 0 (status $status)" $?
grep -q "pager: swap.end_driver_at=1: ending the virtio_blk driver" "$tmp/boot.log"
ok "the driver was ended at the header's read" $?
! grep -q "has no effect" "$tmp/boot.log"
ok "swap.end_driver_at, which acted, is not said to have no effect" $?
grep -q "pager: the driver virtio_blk (pid [0-9]*) ended (killed, cause 1)" "$tmp/boot.log"
ok "the pager names the driver that ended" $?
grep -qE "pager: swap: the driver of .* ended (before its first page was read|as swap started); no swap|^swap_gone 1" \
	"$tmp/boot.log"
ok "the pager runs without swap" $?
grep -q "^pgfault" "$tmp/boot.log"
ok "init's program ran (vmstat printed)" $?
[[ $fails -eq 0 ]] || grep -vE "^(Platform|Domain|Boot HART)" "$tmp/boot.log" | sed "s|^|# |"

[[ $fails -eq 0 ]] || grep -vE "^(Platform|Domain|Boot HART)" "$tmp/run.log" | sed "s|^|# |"
exit $((fails > 0))

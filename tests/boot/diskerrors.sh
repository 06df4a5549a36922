#!/usr/bin/env bash
# Disk errors, injected by QEMU's blkdebug under the swap disk: failed
# writes keep the pages in memory and retire their slots (the data still
# reads back intact); a failed read kills only the process that owns the
# page. Prints TAP. Run by meson test (suite guest) with NO_BUILD=1.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"	# $top, $tmp, ok, passed
# boot LOG CONFIG TEST: the named slow test over a blkdebug-wrapped swap
# image; 0 if the boot ended with status 0 and the test passed
boot() {
	"$top/scripts/mkswap-image" "$tmp/swap.img" 256 >/dev/null || return 1
	QEMU_MEM=48M QEMU_SWAP=none \
		QEMU_OPTS="-drive file=blkdebug:$2:$tmp/swap.img,if=none,format=raw,id=swap -device virtio-blk-device,drive=swap" \
		"$top/scripts/guest-tap" init.run=tests "init.args=$3" </dev/null >"$1" 2>&1 &&
		passed "$1" "$3"
}
# counter LOG NAME: the value vmstat printed at the end of the run
counter() { sed -n "s/^# $2 //p" "$1" | tail -1; }

# Writes fail on the first slots (sector 8 is slot 1).
cat >"$tmp/write.cfg" <<'CFG'
[inject-error]
event = "write_aio"
iotype = "write"
errno = "5"
sector = "8"
once = "off"
CFG
# Reads fail in the swap area at slot 5000, where only the child of
# swap_read_error has pages: every time, as a bad sector would. (A single
# failure may now be one of a readahead request, which the pager follows
# with the faulting page read alone; that read would succeed.)
cat >"$tmp/read.cfg" <<'CFG'
[inject-error]
event = "read_aio"
iotype = "read"
errno = "5"
sector = "40000"
once = "off"
CFG

echo "1..5"
boot "$tmp/write.log" "$tmp/write.cfg" swap_pattern
ok "with writes failing, three times the memory still reads back intact" $?
grep -qw "pager: swap: writing slot 1 failed" "$tmp/write.log"
ok "a failed write is reported with its slot" $?
[[ $(counter "$tmp/write.log" swap_slots_bad) -gt 0 && $(counter "$tmp/write.log" swap_write_errors) -gt 0 ]]
ok "failed slots are retired (swap_slots_bad, swap_write_errors)" $?

boot "$tmp/read.log" "$tmp/read.cfg" swap_read_error
ok "a failed read kills the owner only (swap_read_error passes)" $?
grep -q "killed: page fault at .*the page could not be read back from swap" "$tmp/read.log"
ok "the kill names the reason" $?

[[ $fails -eq 0 ]] || for f in "$tmp"/*.log; do grep -vE "^# (Platform|Domain|Boot HART)" "$f" | sed "s|^|# $(basename "$f"): |"; done
exit $((fails > 0))

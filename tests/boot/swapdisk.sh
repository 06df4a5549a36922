#!/usr/bin/env bash
# Boots the guest with disks the pager must not use and checks it: a disk
# without a swap signature is refused with a message and left byte for byte
# as it was (this script reads it back), no disk is reported, and a real
# swap image is found. Prints TAP. Run by meson test (suite guest).
set -uo pipefail

run=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/run
mkimage=$(dirname "$run")/mkswap-image
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"	# $tmp, ok
boot() {	# boot LOG QEMU_SWAP: the exiter program, status 0
	QEMU_SWAP=$2 "$run" init.run=exiter init.args=0 </dev/null >"$1" 2>&1
	local status=$?
	sed -i 's/\r$//' "$1"
	return $status
}
has() { grep -qF -- "$2" "$1"; }

echo "1..7"
head -c $((1024 * 1024)) /dev/urandom >"$tmp/data.img"
cp "$tmp/data.img" "$tmp/data.orig"
boot "$tmp/data.log" "$tmp/data.img"
ok "a guest with a non-swap disk still runs" $?
has "$tmp/data.log" "is not used and was not written: no swap signature"
ok "a disk without a swap signature is refused on the console" $?
cmp -s "$tmp/data.img" "$tmp/data.orig"
ok "the refused disk is unchanged, every byte" $?

boot "$tmp/none.log" none
ok "a guest without a disk runs" $?
has "$tmp/none.log" "pager: swap: no disk attached; running without swap"
ok "no disk is reported" $?

"$mkimage" "$tmp/swap.img" 8 >/dev/null
boot "$tmp/swap.log" "$tmp/swap.img"
has "$tmp/swap.log" "virtio_blk: 16384 sectors (8 MiB)"
ok "the driver finds the disk's size" $?
has "$tmp/swap.log" "pager: swap: 8188 KiB (2047 slots, 0 bad)"
ok "a swap image is accepted with its slots" $?

[[ $fails -eq 0 ]] || for f in "$tmp"/*.log; do sed "s|^|# $(basename "$f"): |" "$f"; done
exit $((fails > 0))

#!/usr/bin/env bash
# Boots the guest with disks the pager must not use and checks it: a disk
# without a swap signature is refused with a message and left byte for byte
# as it was (this script reads it back), no disk is reported, a swap area
# whose tables would take more than a sixteenth of memory (a sparse 256 GiB
# image) is refused with a message, costing the pager's heap nothing, and a
# real swap image is found. Prints TAP. Run by meson test (suite guest).
set -uo pipefail

run=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/run
mkimage=$(dirname "$run")/mkswap-image
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"	# $tmp, ok
. "$(dirname "${BASH_SOURCE[0]}")/image_state.sh"	# note_image, image_unchanged
boot() {	# boot LOG QEMU_SWAP: vmstat (its counters at the end), status 0
	QEMU_SWAP=$2 "$run" init.run=vmstat </dev/null >"$1" 2>&1
	local status=$?
	sed -i 's/\r$//' "$1"
	return $status
}
has() { grep -qF -- "$2" "$1"; }
heap() { sed -n 's/^heap_pages //p' "$1"; }	# the pager's heap, in pages, at the end

echo "1..10"
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

# 256 GiB of swap area (the image sparse: only its header takes room) at
# 128 MiB: its tables would need 640 MiB. Refused before any is made, so
# init runs, and the pager's heap is no larger than with the disk refused
# above for its signature (before, the tables took every frame the heap
# could reach, and init could not start). The disk is left as it was.
"$mkimage" "$tmp/huge.img" 262144 >/dev/null
note_image "$tmp/huge.img"
boot "$tmp/huge.log" "$tmp/huge.img"
ok "a guest with a 256 GiB swap disk runs" $?
has "$tmp/huge.log" "is not used and was not written: its swap area of 262144 MiB would need" &&
	[[ $(heap "$tmp/huge.log") -le $(heap "$tmp/data.log") ]]
ok "a swap area too large for memory is refused on the console, costing the pager's heap nothing" $?
image_unchanged "$tmp/huge.img"
ok "the refused disk is unchanged" $?
echo "# heap_pages: $(heap "$tmp/data.log") with a disk without a signature, $(heap "$tmp/huge.log") with the 256 GiB swap area"

"$mkimage" "$tmp/swap.img" 8 >/dev/null
boot "$tmp/swap.log" "$tmp/swap.img"
has "$tmp/swap.log" "virtio_blk: 16384 sectors (8 MiB)"
ok "the driver finds the disk's size" $?
has "$tmp/swap.log" "pager: swap: 8188 KiB (2047 slots, 0 bad)"
ok "a swap image is accepted with its slots" $?

[[ $fails -eq 0 ]] || for f in "$tmp"/*.log; do sed "s|^|# $(basename "$f"): |" "$f"; done
exit $((fails > 0))

#!/usr/bin/env bash
# Boots the guest with disks the pager must not use and checks it: a disk
# without a swap signature is refused with a message and left byte for byte
# as it was (this script reads it back), and so is one its driver cannot
# drive (a legacy virtio-mmio device), each named as a disk not used, not as
# no disk, and swap.device=auto does not turn to the NBD export for it; so
# is a read-only swap disk; a legacy network device is named as not used
# for the NBD export, not as no network; no disk is reported; a swap area
# whose tables would take more than a sixteenth of memory (a sparse 256 GiB
# image) is refused with a message; a disk refused costs the pager's heap
# no table of swap's or the replacement policy's (its heap the same under
# any policy), nor a driver (its device reset, the driver ended, its frames
# given back); a real swap image is found. Keys that
# swap alone gives effect to are named as having none when swap is off, and
# pager.seed under a policy that draws no random numbers. Prints TAP. Run by
# meson test (suite guest).
set -uo pipefail

run=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/run
mkimage=$(dirname "$run")/mkswap-image
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"	# $tmp, ok
. "$(dirname "${BASH_SOURCE[0]}")/image_state.sh"	# note_image, image_unchanged
boot() {	# boot LOG QEMU_SWAP [KEY=VALUE...]: vmstat (its counters at the end), status 0
	local log=$1 swap=$2
	shift 2
	QEMU_SWAP=$swap "$run" init.run=vmstat "$@" </dev/null >"$log" 2>&1
	local status=$?
	sed -i 's/\r$//' "$log"
	return $status
}
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }
heap() { sed -n 's/^heap_pages //p' "$1"; }	# the pager's heap, in pages, at the end
# vmstat's process list names no virtio_blk: a disk swap refused keeps no
# driver (before, it ran for the boot with its pinned memory).
no_driver() { ! grep -qE '^ +[0-9]+ virtio_blk ' "$1"; }
stopped="pager: virtio_blk: the disk is not used: its device reset, its driver ended and its"

# The keys only swap on a disk, or over NBD, or swap at all gives effect to.
swap_keys=(swap.nbd_outage=10 swap.end_driver_at=5 pager.policy=lru2 pager.seed=5
	pager.readahead=3)
not_used="pager: swap: the disk attached is not used; running without swap"

echo "1..46"
head -c $((1024 * 1024)) /dev/urandom >"$tmp/data.img"
cp "$tmp/data.img" "$tmp/data.orig"
boot "$tmp/data.log" "$tmp/data.img" "${swap_keys[@]}"
ok "a guest with a non-swap disk still runs" $?
has "$tmp/data.log" "is not used and was not written: no swap signature"
ok "a disk without a swap signature is refused on the console" $?
cmp -s "$tmp/data.img" "$tmp/data.orig"
ok "the refused disk is unchanged, every byte" $?
has "$tmp/data.log" "$not_used"
ok "the refused disk is named as not used, swap off" $?
has "$tmp/data.log" "pager: boot: swap.nbd_outage=10 has no effect: swap is not over NBD"
ok "swap.nbd_outage is named: swap is not over NBD, not on the refused disk" $?
has "$tmp/data.log" "pager: boot: swap.end_driver_at=5 has no effect: swap is on no virtio-blk disk"
ok "swap.end_driver_at is named: the refused disk takes no batch after its header's" $?
has "$tmp/data.log" "pager: boot: pager.policy=lru2 has no effect: swap is off, so no page is ever evicted"
ok "pager.policy is named with swap off" $?
has "$tmp/data.log" "pager: boot: pager.seed=5 has no effect: swap is off, so no page is ever evicted"
ok "pager.seed is named with swap off" $?
has "$tmp/data.log" "pager: boot: pager.readahead=3 has no effect: swap is off, so no page is ever read back"
ok "pager.readahead is named with swap off" $?
has "$tmp/data.log" "$stopped" && no_driver "$tmp/data.log"
ok "the refused disk's driver is ended, its device reset first, its frames given back" $?

# A swap image behind a legacy (version 1) virtio-mmio transport: the disk is
# there, but its driver cannot drive it. QEMU_OPTS come last, so this
# -global wins over scripts/run's force-legacy=false.
"$mkimage" "$tmp/legacy.img" 8 >/dev/null
QEMU_OPTS="-global virtio-mmio.force-legacy=true" boot "$tmp/legacy.log" "$tmp/legacy.img"
ok "a guest with a legacy disk runs" $?
has "$tmp/legacy.log" "virtio_blk: refusing the device: its virtio-mmio transport is not version 2 (virtio 1.x): a legacy device"
ok "the driver says why it refuses a legacy device" $?
has "$tmp/legacy.log" "pager: the virtio_blk driver refused its device at 0x" &&
	has "$tmp/legacy.log" ": one it cannot drive, said above)"
ok "the pager says the driver refused the device it cannot drive" $?
has "$tmp/legacy.log" "$not_used"
ok "the legacy disk is named as not used" $?
lacks "$tmp/legacy.log" "no disk attached"
ok "a refused disk is not reported as no disk" $?

# A legacy network device: netd says why it refuses it, and the NBD path
# names a network device not used, not no network (before, netd answered
# -ENODEV and the pager said "no network"); under swap.device=auto, with no
# disk, both are said.
QEMU_OPTS="-global virtio-mmio.force-legacy=true" boot "$tmp/legacynet.log" nbd swap.device=nbd \
	net.addr=10.0.2.20/24 net.end_at_start=1
ok "a guest with a legacy network device runs" $?
has "$tmp/legacynet.log" "netd: refusing the virtio-net device: its virtio-mmio transport is not version 2 (virtio 1.x): a legacy device"
ok "netd says why it refuses a legacy device" $?
has "$tmp/legacynet.log" "pager: netd refused its virtio-net device at 0x" &&
	has "$tmp/legacynet.log" ": one it cannot drive, said above)"
ok "the pager says netd refused the device it cannot drive" $?
has "$tmp/legacynet.log" "pager: swap: the network device attached is not used for an NBD export; running without swap"
ok "swap.device=nbd names the network device not used" $?
lacks "$tmp/legacynet.log" "no network"
ok "a refused network device is not reported as no network" $?
has "$tmp/legacynet.log" "pager: boot: net.addr=10.0.2.20/24 has no effect: netd does not drive the machine's virtio-net device" &&
	has "$tmp/legacynet.log" "pager: boot: net.end_at_start=1 has no effect: netd does not drive the machine's virtio-net device"
ok "net.addr and net.end_at_start are named with the network device refused" $?
QEMU_OPTS="-global virtio-mmio.force-legacy=true" boot "$tmp/legacyauto.log" nbd
ok "a guest with a legacy network device and no disk runs" $?
has "$tmp/legacyauto.log" "pager: swap: no disk attached, and the network device attached is not used; running without swap"
ok "swap.device=auto names no disk and the network device not used" $?

# A read-only swap disk: refused, said, named as not used, left as it was.
"$mkimage" "$tmp/ro.img" 8 >/dev/null
note_image "$tmp/ro.img"
QEMU_OPTS="-drive file=$tmp/ro.img,if=none,format=raw,id=ro,readonly=on -device virtio-blk-device,drive=ro" \
	boot "$tmp/ro.log" none
ok "a guest with a read-only swap disk runs" $?
has "$tmp/ro.log" "is not used and was not written: it is read-only"
ok "a read-only swap disk is refused on the console" $?
has "$tmp/ro.log" "$not_used"
ok "the read-only disk is named as not used" $?
image_unchanged "$tmp/ro.img"
ok "the read-only disk is unchanged" $?
has "$tmp/ro.log" "$stopped" && no_driver "$tmp/ro.log"
ok "the read-only disk's driver is ended" $?
# malloc's heap keeps its highest size, so a table made for a disk then refused
# would cost it for good: none of the replacement policy's is made for a
# disk refused, and the heap is the same under mglru (the default, this
# boot's) as under lru2 (the disk without a signature's), whose tables are
# 16 pages fewer at 128 MiB. Before, the policy's tables were made before
# the disk was checked, and the heaps differed by as much.
[[ $(heap "$tmp/ro.log") -eq $(heap "$tmp/data.log") ]]
ok "a disk refused costs the pager's heap no table of the policy's, whichever it is" $?

# A disk not used on a machine with a network: swap.device=auto (the
# default) leaves swap off rather than put it on the export. The driver is
# ended as it takes the header's read: swap.end_driver_at had its effect.
QEMU_OPTS="-drive file=$tmp/data.img,if=none,format=raw,id=data -device virtio-blk-device,drive=data" \
	boot "$tmp/auto.log" nbd swap.end_driver_at=1
ok "a guest with a non-swap disk and a network runs" $?
has "$tmp/auto.log" "$not_used (swap.device=auto takes the NBD export only when no disk is attached)"
ok "auto names the disk not used, and why the export is not taken" $?
lacks "$tmp/auto.log" "on the NBD export at" && lacks "$tmp/auto.log" "NBD export;"
ok "auto does not put swap on the export" $?
cmp -s "$tmp/data.img" "$tmp/data.orig"
ok "the refused disk is unchanged, every byte, after this boot too" $?
has "$tmp/auto.log" "pager: swap.end_driver_at=1: ending the virtio_blk driver" &&
	lacks "$tmp/auto.log" "swap.end_driver_at=1 has no effect"
ok "swap.end_driver_at that ended the driver at the header's read is not named" $?
# Its end is said when reaped, but not as swap's: swap never came on over it
# (before, blk_driver_stop found it ended, -EPIPE, and left it marked as
# serving swap).
grep -qE "^pager: the driver virtio_blk \(pid [0-9]+\) ended" "$tmp/auto.log" &&
	lacks "$tmp/auto.log" "its swap device is gone"
ok "the driver ended at the header's read is reaped, not as swap's" $?

boot "$tmp/none.log" none
ok "a guest without a disk runs" $?
has "$tmp/none.log" "pager: swap: no disk attached; running without swap"
ok "no disk is reported" $?

# 256 GiB of swap area (the image sparse: only its header takes room) at
# 128 MiB: its tables would need 640 MiB. Refused before any is made, so
# init runs, and the pager's heap is that with the disk refused above for
# its signature. Before, the tables took every frame the heap could reach,
# and init could not start. The disk is left as it was.
"$mkimage" "$tmp/huge.img" 262144 >/dev/null
note_image "$tmp/huge.img"
boot "$tmp/huge.log" "$tmp/huge.img" "${swap_keys[@]}"
ok "a guest with a 256 GiB swap disk runs" $?
has "$tmp/huge.log" "is not used and was not written: its swap area of 262144 MiB would need" &&
	[[ $(heap "$tmp/huge.log") -eq $(heap "$tmp/data.log") ]]
ok "a swap area too large for memory is refused on the console, costing the pager's heap nothing" $?
image_unchanged "$tmp/huge.img"
ok "the refused disk is unchanged" $?
has "$tmp/huge.log" "$stopped" && no_driver "$tmp/huge.log"
ok "the too large disk's driver is ended" $?
echo "# heap_pages: $(heap "$tmp/data.log") with a disk without a signature (lru2), $(heap "$tmp/ro.log") with a read-only one (mglru), $(heap "$tmp/huge.log") with the 256 GiB swap area (lru2)"

"$mkimage" "$tmp/swap.img" 8 >/dev/null
boot "$tmp/swap.log" "$tmp/swap.img" pager.policy=lru2 pager.seed=5 pager.readahead=3
has "$tmp/swap.log" "virtio_blk: 16384 sectors (8 MiB)"
ok "the driver finds the disk's size" $?
has "$tmp/swap.log" "pager: swap: 8188 KiB (2047 slots, 0 bad)"
ok "a swap image is accepted with its slots" $?
has "$tmp/swap.log" "pager: boot: pager.seed=5 has no effect: the lru2 policy draws no random numbers"
ok "pager.seed is named under a policy that draws no random numbers" $?
lacks "$tmp/swap.log" "pager.policy=lru2 has no effect" &&
	lacks "$tmp/swap.log" "pager.readahead=3 has no effect"
ok "with swap on, pager.policy and pager.readahead are not named" $?

boot "$tmp/random.log" "$tmp/swap.img" pager.policy=random pager.seed=5
lacks "$tmp/random.log" "has no effect"
ok "pager.seed under the random policy, with swap on, is not named" $?

[[ $fails -eq 0 ]] || for f in "$tmp"/*.log; do sed "s|^|# $(basename "$f"): |" "$f"; done
exit $((fails > 0))

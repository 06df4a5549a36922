#!/usr/bin/env bash
# The bounded fuzz runs for `meson test`: init.run=fuzz with FUZZ_CALLS calls
# (default 60,000) from four workers, its seed taken from the commit (the first 15 hex
# digits of `git rev-parse HEAD`), so every commit fuzzes differently and a
# failure names the seed to replay. Without git, or outside a repository, a
# fixed seed (said so). Prints the guest's TAP.
#
# `fuzz.sh` (guest-fuzz): swap on the virtio-blk disk, and a virtio-net
# device so that netd runs and the workers' network requests reach it: its
# one service an echo peer (`cat`) at 10.0.2.102:7001. About 20 s of guest
# CPU, a minute or two on a shared machine; scripts/fuzz runs more.
# `fuzz.sh nbd` (guest-fuzz-nbd): swap over NBD through netd (QEMU_SWAP=nbd,
# which serves the export at 10.0.2.100:10809 and the flood stream at
# 10.0.2.101:7000), the echo peer too, and 48 MiB, so that the workers'
# memory goes to swap over the network and their connections meet the swap
# server's. About 40 s.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
fixed=0x1
mode=${1:-disk}

# An echo peer for the workers' connections: QEMU's user network runs one
# `cat` per connection (scripts/run, QEMU_GUESTFWD), which ends with it.
export QEMU_GUESTFWD="tcp:10.0.2.102:7001-cmd:cat"
calls=${FUZZ_CALLS:-60000}
case $mode in
disk)
	env_words=QEMU_GUESTFWD=$QEMU_GUESTFWD
	;;
nbd)
	export QEMU_SWAP=nbd QEMU_MEM=48M
	env_words="QEMU_SWAP=nbd QEMU_MEM=48M QEMU_GUESTFWD=$QEMU_GUESTFWD"
	;;
*)
	echo "Bail out! fuzz.sh: unknown mode '$mode' (disk, nbd)"
	exit 1
	;;
esac

if head=$(git -C "$top" rev-parse HEAD 2>/dev/null) && [[ $head =~ ^[0-9a-f]{15} ]]; then
	seed=0x${head:0:15}
	echo "# fuzz seed $seed from commit $head"
else
	seed=$fixed
	echo "# fuzz: git cannot name the commit here; using the fixed seed $seed"
fi
echo "# replay: $env_words scripts/run init.run=fuzz init.args=$seed,$calls,4"
exec "$top/scripts/guest-tap" init.run=fuzz "init.args=$seed,$calls,4"

#!/usr/bin/env bash
# Boots the guest with bad boot arguments and checks the console: every
# mistake is reported by name with what is accepted, the defaults are used,
# a key given where it can have no effect is named with why,
# and an unknown init.run program, a file that is no program, or an
# init.run=FIRST+NAME without two names and one '+', powers the guest off
# with status 127, and a FIRST that fails stops NAME; an
# empty init.run is reported and the demonstration starts; the words of a
# command line past what the kernel keeps are named, none cut in half.
# Prints TAP. Run by meson test (suite guest) with NO_BUILD=1 and BUILD_DIR.
set -uo pipefail

run=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# boot LOG ARGS...: boot to power-off with ARGS; the guest's status in $status.
boot() {
	local log=$1
	shift
	"$run" "$@" </dev/null >"$log" 2>&1
	status=$?
	sed -i 's/\r$//' "$log"
}

# boot_until LOG LINE SECONDS ARGS...: boot with ARGS until the console has
# LINE (or SECONDS pass, or the guest stops), then stop QEMU.
boot_until() {
	local log=$1 line=$2 secs=$3 qemu i
	shift 3
	"$run" "$@" </dev/null >"$log" 2>&1 &
	qemu=$!		# scripts/run execs QEMU, so this is QEMU's pid
	for ((i = 0; i < secs * 10; i++)); do
		grep -qF -- "$line" "$log" && break
		kill -0 "$qemu" 2>/dev/null || break
		sleep 0.1
	done
	kill "$qemu" 2>/dev/null
	wait "$qemu" 2>/dev/null
	sed -i 's/\r$//' "$log"
}

n=0
fails=0
result() {	# result NAME OK [WHY]: one TAP line
	n=$((n + 1))
	if [[ $2 -eq 0 ]]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1 # $3"
		fails=$((fails + 1))
	fi
}
check() {	# check NAME PATTERN: the console in $out has a line matching PATTERN
	grep -qF -- "$2" "$out"
	result "$1" $? "no line: $2"
}
check_not() {	# check_not NAME PATTERN: no console line in $out matches PATTERN
	! grep -qF -- "$2" "$out"
	result "$1" $? "a line has: $2"
}

echo "1..37"

# init.args: 31 words, one more than a program may be given after its name.
# The machine has a disk but no network: swap.device=nbd leaves the disk's
# driver alone (swap.end_driver_at), and no netd is started (net.*).
words=w1; for i in $(seq 2 31); do words+=,w$i; done
out=$tmp/bad.log
boot "$out" kernel.timeslice_ms=0 kernel.verbos=1 pager.polcy=lru2 pager.policy=lru3 nokey \
	pager.reclaim_at=60 pager.reclaim_to=65 oom.policy=never pager.reserve=5 init.run=nosuch \
	init.args=$words pager.watermark_scale=50 swap.device=nbd swap.end_driver_at=3 \
	net.addr=10.0.2.20/24 net.end_at_start=1
check "kernel reports a bad value with its range and default" \
	"boot: bad value '0' for kernel.timeslice_ms (accepted: 1..1000); using default '10'"
check "kernel reports an unknown kernel key with the known keys" \
	"boot: unknown key 'kernel.verbos' (known: kernel.timeslice_ms, kernel.verbose)"
check "kernel uses the defaults" "kernel.timeslice_ms=10 kernel.verbose=0"
check "pager reports an unknown key with the known keys" \
	"pager: boot: unknown key 'pager.polcy' (known: pager.faultaround, pager.readahead, pager.policy, pager.seed, pager.watermarks, pager.watermark_scale, pager.reclaim_at, pager.reclaim_to, pager.free_min, pager.reserve, oom.policy, swap.device, swap.end_driver_at, swap.nbd_outage, net.addr, net.end_at_start, init.run, init.args, pager.check)"
check "pager reports an unknown policy with the policy names" \
	"pager: boot: bad value 'lru3' for pager.policy (accepted: mglru|clock|lru2|fifo|random|sieve|s3fifo|2q|car|clockpro); using default 'mglru'"
check "pager reports inconsistent watermarks and uses the defaults" \
	"pager: boot: inconsistent watermarks pager.reclaim_at=60 pager.reclaim_to=65 pager.free_min=2 (need reclaim_to < reclaim_at < 100 - free_min); using 80 70 2"
check "pager prints the policy and watermarks in force" \
	"pager: pager.policy=mglru pager.seed=1 pager.reclaim_at=80 pager.reclaim_to=70 pager.free_min=2"
check "pager reports an unknown OOM policy with the names" \
	"pager: boot: bad value 'never' for oom.policy (accepted: unshared|rss|panic); using default 'unshared'"
check "pager reports a reserve out of range" \
	"pager: boot: bad value '5' for pager.reserve (accepted: 8..4096); using default '32'"
check "pager prints the reserve and OOM policy in force" "pager: pager.reserve=32 oom.policy=unshared"
check "a seed percentage given chooses the seed watermarks" \
	"pager: pager.watermarks=seed pager.watermark_scale=50"
check "pager names pager.watermark_scale as having no effect with the seed watermarks" \
	"pager: boot: pager.watermark_scale=50 has no effect: it spaces the linux watermarks, and the seed ones are in force"
check "pager names swap.end_driver_at as having no effect without a disk to swap on" \
	"pager: boot: swap.end_driver_at=3 has no effect: swap is on no virtio-blk disk"
check "pager names net.addr as having no effect without a network device" \
	"pager: boot: net.addr=10.0.2.20/24 has no effect: the machine has no virtio-net device"
check "pager names net.end_at_start as having no effect without a network device" \
	"pager: boot: net.end_at_start=1 has no effect: the machine has no virtio-net device"
check "pager reports a word without '='" "pager: boot: 'nokey' is not key=value (ignored)"
check "pager names the init.args words left out" \
	"pager: boot: init.args has more than 30 words; init is given the first 30, from 'w31' on is left out"
check "init reports an unknown program" "init: cannot run 'nosuch': no such program in the initrd"
[[ $status -eq 127 ]]
result "the guest powers off with status 127" $? "got $status"

# An init.run that is in the initrd but no program: init says so by name
# (not "error 8") and powers off with status 127. Swap is on the disk here,
# so the network swap's outage budget is named as having no effect.
out=$tmp/notelf.log
boot "$out" init.run=notelf swap.nbd_outage=10
check "pager names swap.nbd_outage as having no effect with swap on a disk" \
	"pager: boot: swap.nbd_outage=10 has no effect: swap is on a virtio-blk disk"
check "init says an init.run file is no program" \
	"init: cannot run 'notelf': not a program the pager can load (no RISC-V ELF executable)"
[[ $status -eq 127 ]]
result "a file that is no program: status 127" $? "got $status"

# init.run=FIRST+NAME is checked before anything runs: a second '+' is
# reported, nothing is started, and the guest powers off with status 127.
out=$tmp/plus.log
boot "$out" init.run=a+b+c
check "init reports a FIRST+NAME with two '+'" \
	"init: init.run 'a+b+c': FIRST+NAME needs two names and one '+'"
check_not "init starts nothing of a bad FIRST+NAME" "cannot run"
[[ $status -eq 127 ]]
result "a bad FIRST+NAME: status 127" $? "got $status"

# A FIRST that fails: NAME is not started, init says why, and the guest
# powers off with FIRST's status (1: crasher is killed).
out=$tmp/first-fails.log
boot "$out" init.run=crasher+nosuch
check "init says NAME was not started as FIRST failed" "init: nosuch not started: crasher ended with 1"
[[ $status -eq 1 ]]
result "a FIRST that fails: its status" $? "got $status"

# An empty init.run is a bad value like any other: named, and the default
# (the demonstration) runs. Only its start is waited for.
out=$tmp/empty-run.log
# The whole line is waited for: the console comes a byte at a time, and a
# prefix found may be all that was written when QEMU is stopped.
boot_until "$out" "demo: an echo server, two clients and a crasher" 60 init.run=
check "pager reports an empty init.run by name" \
	"pager: boot: bad value '' for init.run (accepted: text of 1 to 255 characters); using default 'demo'"
check "pager prints the default init.run in force" "init.run=demo init.args="
check "the default watermarks are Linux's rule" "pager: pager.watermarks=linux pager.watermark_scale=10"
check "the demonstration runs" "demo: an echo server, two clients and a crasher"

# A command line longer than the kernel keeps (2047 bytes) loses whole words,
# each named. Spaces pad it (they are no one's key) so the limit falls right
# after "kernel.timeslice_ms=2": a kernel that kept bytes, not words, would
# run with 2 ms slices. init.run=nosuch, before the cut, still counts.
out=$tmp/long.log
first=init.run=nosuch cut=kernel.timeslice_ms=25
printf -v pad '%*s' $((2047 - ${#first} - 2 - (${#cut} - 1))) ''
boot "$out" "$first" "$pad" "$cut" pager.policy=lru2
check "kernel names the word the limit cuts" \
	"boot: command line longer than 2047 bytes; dropped 'kernel.timeslice_ms=25'"
check "kernel names a word after it" \
	"boot: command line longer than 2047 bytes; dropped 'pager.policy=lru2'"
check "kernel keeps its default, not part of the cut word" "kernel.timeslice_ms=10 kernel.verbose=0"
check "pager does not see the dropped words" "pager: pager.policy=mglru"
check_not "no side parses what was cut as a value" "bad value"
check "a word before the cut is used" "init: cannot run 'nosuch': no such program in the initrd"

[[ $fails -eq 0 ]] || for f in "$tmp"/*.log; do sed "s|^|# $(basename "$f"): |" "$f"; done
exit $((fails > 0))

#!/usr/bin/env bash
# Swap over NBD when things go wrong, with nbdkit's filters and by hand: an
# export without a swap signature is refused and left byte for byte as it
# was; exports far larger than memory cost the pager only the swap area
# their header names: an empty one is refused for its signature at no
# cost, one whose area's tables would take more than a sixteenth of memory
# is refused and never written (not even stamped), and a small area at the
# start of one is taken; failed writes keep their pages in memory and retire their slots; a
# failed read kills only the owner; under a slow server (the delay filter)
# the swap suite passes with requests waiting on it together; a server
# killed in the middle is reconnected and the unanswered requests sent
# again; a server gone for good is said on the console and the system
# carries on without swap, as when the server comes back with another
# export, or with a copy of the export from before swap was set up (every
# write since lost), or answers nothing at all; a server restarted over a
# copy made after setup (the generation stamp the current one) costs the
# pages it lacks their owners, never gives them back as data. Prints TAP.
# Run by meson test (suite guest) with NO_BUILD=1.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
qemu_pid=
stopped=	# nbdkits stopped by the script, continued whatever happens
cleanup() {
	# A group stopped by paused keeps the TERM pending until continued.
	[[ -z $qemu_pid ]] || { kill -- "-$qemu_pid"; kill -CONT -- "-$qemu_pid"; } 2>/dev/null
	[[ -z $stopped ]] || kill -CONT $stopped 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

n=0
fails=0
ok() {	# ok NAME STATUS
	n=$((n + 1))
	if [[ $2 -eq 0 ]]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fails=$((fails + 1)); fi
}
has() { grep -qE -- "$2" "$1"; }
# counter LOG NAME: the value vmstat printed at the end of the run
counter() { sed -n "s/^# $2 //p" "$1" | tail -1; }
image() { "$top/scripts/mkswap-image" "$1" "${2:-256}" >/dev/null; }
. "$top/tests/boot/image_state.sh"	# note_image, image_unchanged
heap() { counter "$1" heap_pages; }	# the pager's heap at the end (init.run=vmstat)
# boot LOG FILE [FILTERS] ARGS...: boot in the background over the NBD
# export FILE (48 MiB of RAM), in a process group of its own (setsid)
# whose leader's pid is in qemu_pid: the group is guest-tap, scripts/run
# and QEMU, all ended together if the test stops early. While $tmp/down
# exists the server is down: connections are closed at once
# (scripts/nbd-serve).
boot() {
	local log=$1 file=$2 filters=$3
	shift 3
	QEMU_MEM=48M QEMU_SWAP="nbd:$file" QEMU_SWAP_NBD_FILTERS="$filters" NBDKIT_LOG="$tmp/nbdkit.log" \
		NBD_SERVE_DOWN="$tmp/down" \
		setsid "$top/scripts/guest-tap" "$@" </dev/null >"$log" 2>&1 &
	qemu_pid=$!
}
# finish: wait for the boot; its status
finish() {
	local status=0
	wait "$qemu_pid" || status=$?
	qemu_pid=
	return $status
}
# wait_for LOG REGEX SECONDS: until the console shows it
wait_for() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -qsE -- "$2" "$1" && return 0	# -s: the log may not be made yet
		kill -0 "$qemu_pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# The nbdkits serving export FILE now. QEMU starts them through a double
# fork, so they are not its children: they are found by the export's path,
# which is this script's own temporary file.
nbdkit_of() { pgrep -f -- "nbdkit .*file=$1"; }

echo "1..41"

# An export that is not swap is refused and never written, and
# swap.nbd_outage, given, is said to have no effect (no outage of a server
# swap is not on is ridden out).
head -c $((1024 * 1024)) /dev/urandom >"$tmp/data.img"
cp "$tmp/data.img" "$tmp/data.orig"
boot "$tmp/data.log" "$tmp/data.img" "" swap.nbd_outage=10 init.run=vmstat
finish
ok "a guest with a non-swap export still runs" $?
has "$tmp/data.log" "pager: swap: the NBD export at 10.0.2.100:10809 is not used and was not written: no swap signature"
ok "an export without a swap signature is refused on the console" $?
has "$tmp/data.log" "pager: boot: swap.nbd_outage=10 has no effect: swap is not on the NBD export"
ok "swap.nbd_outage is named as having no effect with the export refused" $?
cmp -s "$tmp/data.img" "$tmp/data.orig"
ok "the refused export is unchanged, every byte" $?
# let_go LOG WHAT: netd let the refused export go (NET_SWAP_STOP), and
# neither it nor the pager speaks of swap's server or device as gone.
let_go() {
	has "$1" "netd: swap: the pager did not take the NBD export at 10.0.2.100:10809; connection closed" &&
		! has "$1" "gone for good|its swap device is gone"
	ok "$2: netd lets it go, and nothing says swap's server or device is gone" $?
}
let_go "$tmp/data.log" "an export without a swap signature"
# Let go, the server is anyone's: a program connects to it and reads its
# first page (nbdcheck stops there: no swap signature, nothing written).
# Before, netd kept refusing programs the server (-EACCES) for an export
# swap never used.
boot "$tmp/data2.log" "$tmp/data.img" "" init.run=nbdcheck
finish
has "$tmp/data2.log" "nbdcheck: page 0 has no swap signature" && cmp -s "$tmp/data.img" "$tmp/data.orig"
ok "once the export is refused a program may connect to its server" $?

# Exports far larger than memory (sparse files), at 48 MiB, refused: each
# boot runs vmstat, and the refusal, said as MESSAGE, must cost the
# pager's heap no more than the 1 MiB export above.
# refused LOG FILE WHAT MESSAGE
refused() {
	boot "$1" "$2" "" init.run=vmstat
	finish
	ok "a guest with $3 runs" $?
	has "$1" "pager: swap: the NBD export at 10.0.2.100:10809 is not used and was not written: $4" &&
		[[ $(heap "$1") -le $(heap "$tmp/data.log") ]]
	ok "$3 is refused on the console, costing the pager's heap nothing" $?
	let_go "$1" "$3"
}
# An empty one of 16 GiB, for its signature (before, a checksum table for
# the whole export was made before its header was read: 16 MiB, kept by
# the heap once freed; a 256 GiB export's, more than the memory, failed
# the boot).
truncate -s 16G "$tmp/empty.img"
refused "$tmp/empty.log" "$tmp/empty.img" "an empty 16 GiB export" "no swap signature"
# A swap area of 256 GiB: its tables would take more than a sixteenth of
# memory, so the pager refuses it before making any, and netd, told
# nothing more, writes nothing to it: its header is not stamped (before,
# netd stamped it at setup, whatever the pager did next), nor anything
# else written.
image "$tmp/huge.img" 262144
note_image "$tmp/huge.img"
refused "$tmp/huge.log" "$tmp/huge.img" "a 256 GiB swap area" "its swap area of 262144 MiB would need"
image_unchanged "$tmp/huge.img"
ok "the refused export is unchanged: its header not stamped, nothing written" $?
echo "# heap_pages: $(heap "$tmp/data.log") with a 1 MiB export without a signature," \
	"$(heap "$tmp/empty.log") with an empty 16 GiB one, $(heap "$tmp/huge.log") with a 256 GiB swap area"

# An 8 MiB swap area at the start of a 256 GiB export: taken (its
# checksums the area's, not the export's: before, the whole export's
# were made and did not fit).
image "$tmp/small.img" 8
truncate -s 256G "$tmp/small.img"
boot "$tmp/small.log" "$tmp/small.img" "" init.run=vmstat
finish
ok "a guest with an 8 MiB swap area in a 256 GiB export runs" $?
has "$tmp/small.log" "pager: swap: 8188 KiB \(2047 slots, 0 bad\) on the NBD export"
ok "the small area is taken" $?

# Writes fail at random (2%): pages stay, slots are retired, data intact.
image "$tmp/w.img"
boot "$tmp/write.log" "$tmp/w.img" "--filter=error error-pwrite-rate=2%" \
	init.run=tests init.args=swap_fork_sharing,swap_exit_frees
finish
ok "with 2% of writes failing, the swap tests still read their data back intact" $?
[[ $(counter "$tmp/write.log" swap_slots_bad) -gt 0 ]] && has "$tmp/write.log" "pager: swap: writing slot [0-9]+ failed"
ok "failed writes are reported and their slots retired" $?

# Reads fail while a trigger file exists: made when the child starts
# reading back, removed when it is killed. Every read is held 200 ms before
# the error filter looks (the delay filter is the outer one), so a read the
# parent makes just after the kill is looked at once the trigger is gone.
# A known race, in wall time: the parent reads its own pages 1.5 s after
# the kill (swap_read_error), so this script must see the kill line and
# remove the trigger within about 1.7 s, or the parent is killed too and
# the test fails. Nothing in the guest can tell when the trigger is gone
# (the parent's pages and stack may be in swap, and any read of them
# while it is there kills it), so there is no handshake to wait on.
image "$tmp/r.img"
boot "$tmp/read.log" "$tmp/r.img" \
	"--filter=delay --filter=error delay-read=200ms error-pread-rate=100% error-pread-file=$tmp/trigger" \
	init.run=tests init.args=swap_read_error
wait_for "$tmp/read.log" "# reading back" 300 && touch "$tmp/trigger"
wait_for "$tmp/read.log" "killed: page fault" 300
rm -f "$tmp/trigger"
finish
ok "a failed read kills the owner only (swap_read_error passes)" $?
has "$tmp/read.log" "the page could not be read back from swap"
ok "the kill names the reason" $?

# A slow server: every read and write DELAY late, the device's swap tests
# of guest-swap-nbd but swap_pattern (three quarters of that boot: it
# alone would pass 3 minutes here). Replies take real time while the pager
# goes on: faults are served while a read waits (faults_during_read, which
# swap_concurrent_faults checks), and several requests wait on the server
# at once (nbd_most_pending). Time counts instructions (-icount shift=0)
# while the guest computes, so its own work does not depend on the host's
# load; idle time (-icount's default sleep=on), and so the server's delay,
# passes at wall-clock speed. Measured on
# a loaded 2-core host: the boot takes 2 to 2.5 minutes without a delay or
# with 5 ms, 3 with 10 ms, so 5 ms.
delay=5ms
image "$tmp/d.img"
QEMU_OPTS="-icount shift=0" boot "$tmp/delay.log" "$tmp/d.img" \
	"--filter=delay delay-read=$delay delay-write=$delay" init.run=tests \
	init.args=swap_fork_sharing,swap_exit_frees,swap_concurrent_faults,swap_written_back
finish
ok "with nbdkit's delay filter ($delay a request) the swap tests pass" $?
[[ $(counter "$tmp/delay.log" faults_during_read) -gt 0 && $(counter "$tmp/delay.log" nbd_most_pending) -gt 1 ]]
ok "faults were served while reads waited, and requests waited on the server together" $?
echo "# delay $delay: faults_during_read $(counter "$tmp/delay.log" faults_during_read)," \
	"swapin_waits $(counter "$tmp/delay.log" swapin_waits)," \
	"nbd_most_pending $(counter "$tmp/delay.log" nbd_most_pending)"

# The server killed in the middle: netd reconnects, sends again, data intact.
image "$tmp/k.img"
boot "$tmp/kill.log" "$tmp/k.img" "" init.run=tests init.args=swap_fork_sharing
wait_for "$tmp/kill.log" "pager: swap: .* on the NBD export" 60 && sleep 3
kill $(nbdkit_of "$tmp/k.img") 2>/dev/null
finish
ok "with the server killed in the middle, the swap test reads its data back intact" $?
has "$tmp/kill.log" "netd: swap: reconnected; sending [0-9]+ requests again"
ok "the connection is made again and the requests sent again" $?

# The server down for longer than the writer's waits allow for, under
# memory pressure: killed once swap is up (its header stamped) and down
# from then on, every connection closed at once (scripts/nbd-serve), until
# 5 s after netd finds it gone (at the next request: nbdkit on SIGTERM
# answers it ESHUTDOWN), while reserve_throttle's eight fillers write
# twice the memory. netd rides the outage out with the writes held;
# requests and faults short of frames wait for its end, the pager lock
# let go, past kswapd_throttle_rounds() waits (8 x 300 ms at 48 MiB), and
# are counted (outage_waits); no one is killed and every filler reads its
# data back. The outage lasts from the loss to netd's first attempt after
# the 5 s (it backs off to 4 s between attempts), whatever the host's
# load. (Without the rule this boot sees no OOM kill either, only no
# outage_waits: the writer's waits before each request slow the fillers
# enough here. host-reclaim's outage cases show the kill it prevents.)
image "$tmp/o.img"
boot "$tmp/outage.log" "$tmp/o.img" "" init.run=tests init.args=reserve_throttle
wait_for "$tmp/outage.log" "netd: swap: the swap header carries generation 1" 60 && touch "$tmp/down"
kill $(nbdkit_of "$tmp/o.img") 2>/dev/null
wait_for "$tmp/outage.log" "netd: swap: connection lost" 60 && sleep 5
rm -f "$tmp/down"
finish
ok "with the server down over 5 s under memory pressure, reserve_throttle passes, every filler's data intact" $?
has "$tmp/nbdkit.log" "nbd-serve: down: connection closed" &&
	has "$tmp/outage.log" "netd: swap: reconnected; sending [0-9]+ requests again" &&
	[[ $(counter "$tmp/outage.log" outage_waits) -gt 0 && $(counter "$tmp/outage.log" oom_kill) -eq 0 ]]
ok "faults waited out the outage (outage_waits) and no one was killed" $?
echo "# server down: swap_slots_late $(counter "$tmp/outage.log" swap_slots_late)," \
	"swap_slots_late_back $(counter "$tmp/outage.log" swap_slots_late_back)"

# The server stopped (SIGSTOP: the connection stays, nothing is answered)
# under the same pressure: the writer's batch waits, and once it has been
# out one throttle wait (300 ms) it is overdue: faults short of frames
# write nothing directly (that write, the pager lock held, would hold
# every pager thread until netd drops the silent connection, 20 s with no
# answer) but wait for it, the lock let go, uncounted (overdue_waits), and
# on through the outage netd then begins (outage_waits), until the server
# answers again;
# no one is killed and every filler's data is intact. Before session 25
# faults wrote directly after kswapd_throttle_rounds() waits (8 x 300 ms),
# and the pager stood still until the outage began. A direct write may
# still be the first left unanswered (a fault's, just before the writer's
# batch is overdue, or with the writer idle): netd tells the threads
# waiting for its requests as the outage begins, and the lock's holder
# leaves its write in flight (vmstat's swap_writes_left, said on the
# console), collected once the server answers (its pages kept); before
# session 20 the holder waited through the outage.
# No sleep decides anything: the server is stopped as swap comes up (its
# header's stamp flushed), early in the fill (twice the memory: a minute
# of writes), and whichever write is the first left unanswered, faults
# short of frames wait for it (the writer's, overdue after 300 ms) or for
# its holder (a direct one), while netd drops the connection 20 s after
# it. Both are the guest's own rules on the guest's clock, the first
# bounded well inside the second, whatever the host's speed (before
# session 23 the stop came 3 s of wall time after the stamp, and the
# server was continued 5 s after the loss). Not -icount:
# the test's parent waits for its fillers by yielding in a loop (reap,
# poll_flag), so the guest never idles and its clock, counting
# instructions, crawls (20 s of it took over 120 s of wall time). The old
# server, continued once the loss is seen, performs what it holds late;
# its writes are read back on the next connection, not written again (the
# late slots' counts are printed).
image "$tmp/s.img"
boot "$tmp/stop.log" "$tmp/s.img" "" init.run=tests init.args=reserve_throttle
wait_for "$tmp/stop.log" "netd: swap: the swap header carries generation 1" 60
stopped=$(nbdkit_of "$tmp/s.img")
kill -STOP $stopped 2>/dev/null
wait_for "$tmp/stop.log" "netd: swap: connection lost" 90
kill -CONT $stopped 2>/dev/null
stopped=
finish
ok "with the server stopped under memory pressure, reserve_throttle passes, every filler's data intact" $?
# (Whether a direct write was left is only printed below: the console
# line and swap_writes_left are made together, so a check of one against
# the other could not fail; the host tests test_left_write_* hold the
# left write's handling.)
[[ $(counter "$tmp/stop.log" outage_waits) -gt 0 && $(counter "$tmp/stop.log" oom_kill) -eq 0 ]]
ok "faults waited for the silent server's writes (outage_waits), no one killed" $?
# Before the outage: the writer's write overdue, faults waited for it
# rather than write directly (overdue_waits, apart from outage_waits
# since session 26); none abandoned (netd ends the write well inside its
# bounds).
[[ $(counter "$tmp/stop.log" overdue_waits) -gt 0 && $(counter "$tmp/stop.log" overdue_abandoned) -eq 0 ]]
ok "faults waited for the writer's overdue write before the outage (overdue_waits), none abandoned" $?
echo "# server stopped: overdue_waits $(counter "$tmp/stop.log" overdue_waits)," \
	"outage_waits $(counter "$tmp/stop.log" outage_waits)," \
	"swap_writes_left $(counter "$tmp/stop.log" swap_writes_left)," \
	"swap_slots_late $(counter "$tmp/stop.log" swap_slots_late)," \
	"swap_slots_late_back $(counter "$tmp/stop.log" swap_slots_late_back)"

# Four threads of a child (PAGER_FAULT_THREADS + 1) fault on one page in swap
# with the server down (killed once the page is in swap and the parent has
# been through its steps once, every connection closed at once until the
# script lets it back): a service thread reads it and two wait for that
# read; the fourth fault waits in the kernel. The threads start once netd
# reports its swap link no longer up, a handshake with this script; so
# the kill is SIGKILL: nbdkit, told to end (SIGTERM) with no request in
# flight, keeps the idle connection open until the next request comes
# (which it answers "shutting down"), and netd would see no loss before
# the threads' read. The parent's request to the pager is answered
# meanwhile: the script lets the server back only once it has seen the
# answer (or 60 s later, failing), and checks the order on the console:
# the answer, then netd's reconnection, then the child's reads (which
# shows that the reads did wait for the server). Before session 21 every
# service thread took faults, one read and three waited, and no request
# or death was served until the server came back.
image "$tmp/r.img"
boot "$tmp/reads.log" "$tmp/r.img" "" init.run=tests init.args=swap_outage_reads
wait_for "$tmp/reads.log" "swap_outage_reads: the page is in swap" 120 && touch "$tmp/down" &&
	kill -KILL $(nbdkit_of "$tmp/r.img") 2>/dev/null
wait_for "$tmp/reads.log" "swap_outage_reads: the pager answered during the outage" 60
rm -f "$tmp/down"
finish
ok "four threads fault on a page in swap with the server down: swap_outage_reads passes" $?
# first LOG REGEX: the number of the first line that matches, or 0
first() { grep -nE -m1 -- "$2" "$1" | cut -d: -f1 | grep . || echo 0; }
answered=$(first "$tmp/reads.log" "swap_outage_reads: the pager answered during the outage")
back=$(first "$tmp/reads.log" "netd: swap: reconnected")
reads=$(first "$tmp/reads.log" "swap_outage_reads: the child's threads read their page")
((answered > 0 && back > answered && reads > back))
ok "the pager answered a request while the reads waited for the server" $?

# The server killed in the middle again, now over nbdkit's cow filter: each
# nbdkit a fresh overlay over the file, so the restarted one has lost every
# write since boot while its page 0 is the swap header as mkswap made it.
# netd finds the header's generation stamp older than the one it wrote at
# setup and gives the server up for good, naming why; the pages in swap
# are lost to their owners (the swap test and init are killed: "the page
# could not be read back from swap"), but none is read back from the copy
# as data (before, the test read zeros for its pages and died with a page
# fault at 0x0, /tmp/s18-net/cow.sh in session 18's audit).
image "$tmp/c.img"
boot "$tmp/cow.log" "$tmp/c.img" "--filter=cow" init.run=tests init.args=swap_fork_sharing
# Killed once the stamp is written and flushed, and not before: until then
# the page as it was passes too (docs/design.md).
wait_for "$tmp/cow.log" "netd: swap: the swap header carries generation 1" 60
kill $(nbdkit_of "$tmp/c.img") 2>/dev/null
finish
has "$tmp/cow.log" "netd: swap: the NBD server is gone for good \(the export has lost what was written since swap was set up"
ok "a server restarted from a copy of the export made before setup is given up, saying why" $?
! has "$tmp/cow.log" "page fault at 0x0,"
ok "no page is read back from the copy as data" $?

# The server restarted over a copy of the export made after setup: its
# generation stamp is the current one, so netd takes it, and it lacks
# every write made since the copy. The child of swap_server_restored fills
# 1.25 times the memory, then again with other data, then reads it back;
# the machine is stopped (its process group: nbdkit runs in a session of
# its own) while the export is copied at its first mark, and again while
# the copy takes the file's place and the server is killed at its second.
# The pages the second fill wrote out are older in the copy: the first the
# child reads fails its fault (the pager's per-slot checksums), the child
# is killed, and none is read back as data (it would say so).
paused() { kill -STOP -- "-$qemu_pid"; "$@"; kill -CONT -- "-$qemu_pid"; }
restore_copy() {
	mv "$tmp/v.copy" "$tmp/v.img"	# the running server keeps the file it has open
	kill $(nbdkit_of "$tmp/v.img") 2>/dev/null
}
image "$tmp/v.img" 128
boot "$tmp/copy.log" "$tmp/v.img" "" init.run=tests init.args=swap_server_restored
wait_for "$tmp/copy.log" "# filled once" 120 && paused cp "$tmp/v.img" "$tmp/v.copy"
wait_for "$tmp/copy.log" "# filled twice" 120 && paused restore_copy
finish
has "$tmp/copy.log" "pager: swap: slot [0-9]+ read back from the NBD export with a checksum that does not match what was written" &&
	has "$tmp/copy.log" "the page could not be read back from swap"
ok "a server restarted over a copy made after setup: a page it lacks fails its fault, said" $?
! has "$tmp/copy.log" "pages read back with wrong data|page fault at 0x0,"
ok "no page is read back from the later copy as data" $?

# The server gone for good before anything was written (so no page is lost
# with it): its file removed, the server killed as swap comes up. netd gives
# up once no request has been answered for swap.nbd_outage (10 s here, not
# the default 120: what follows is the point, not the wait), the pager goes
# on without swap, and a process that
# grows without bound meets the OOM killer as without swap. Writes are held
# a minute by the delay filter, so none can complete between swap coming
# up and the kill, however the host's timing falls: a page written then
# would be lost with the server and its owner killed, by design (netd
# learns that the server is gone only from its next request, so the guest
# cannot wait for that first). The writes in flight at the kill fail, and
# their pages stay in memory.
image "$tmp/g.img" 64
boot "$tmp/gone.log" "$tmp/g.img" "--filter=delay delay-write=60" \
	swap.nbd_outage=10 init.run=tests init.args=oom_grower
wait_for "$tmp/gone.log" "pager: swap: .* on the NBD export" 60
rm -f "$tmp/g.img"
kill $(nbdkit_of "$tmp/g.img") 2>/dev/null
finish
ok "with the server gone for good, the grower is the OOM killer's victim as without swap" $?
has "$tmp/gone.log" "netd: swap: the NBD server is gone for good" &&
	has "$tmp/gone.log" "pager: swap: the NBD export at 10.0.2.100:10809 is gone; running without swap" &&
	[[ $(counter "$tmp/gone.log" swap_gone) -eq 1 && $(counter "$tmp/gone.log" pswpout) -eq 0 ]]
ok "a server gone for good is said on the console, and swap goes off" $?
! has "$tmp/gone.log" "swap.nbd_outage=10 has no effect"
ok "swap.nbd_outage, in effect with swap on the export, is not said to have none" $?

# The server back after a restart with another export of the same size
# (mkswap run again: another UUID), writes held as above: netd reads the
# export's first page on the new connection before sending anything
# again, finds another swap header and gives up for good.
image "$tmp/x.img" 64
boot "$tmp/other.log" "$tmp/x.img" "--filter=delay delay-write=60" \
	init.run=tests init.args=oom_grower
wait_for "$tmp/other.log" "pager: swap: .* on the NBD export" 60
image "$tmp/x.img" 64	# made beside and renamed: the running server keeps the old one
kill $(nbdkit_of "$tmp/x.img") 2>/dev/null
finish
ok "with another export behind the server after a restart, the grower meets the OOM killer as without swap" $?
has "$tmp/other.log" "netd: swap: the NBD server is gone for good \(the export is not the one swap was set up on" &&
	[[ $(counter "$tmp/other.log" swap_gone) -eq 1 && $(counter "$tmp/other.log" pswpout) -eq 0 ]]
ok "another export after a reconnection is found out before anything is sent to it" $?

# A server that takes every connection and answers no request (nbdkit's
# error filter answering everything ESHUTDOWN once the trigger file is
# there, writes held as above): its handshakes do not count as answers,
# and once swap.nbd_outage (10 s, as above) has passed with none it is
# gone for good.
image "$tmp/s.img" 64
boot "$tmp/shut.log" "$tmp/s.img" \
	"--filter=error --filter=delay error=ESHUTDOWN error-rate=100% error-file=$tmp/shut delay-write=60" \
	swap.nbd_outage=10 init.run=tests init.args=oom_grower
wait_for "$tmp/shut.log" "pager: swap: .* on the NBD export" 60 && touch "$tmp/shut"
finish
ok "with a server that answers nothing, the grower meets the OOM killer as without swap" $?
has "$tmp/shut.log" "netd: swap: the NBD server is gone for good" &&
	[[ $(counter "$tmp/shut.log" swap_gone) -eq 1 && $(counter "$tmp/shut.log" pswpout) -eq 0 ]]
ok "a server that shakes hands but answers nothing is given up" $?

[[ $fails -eq 0 ]] || for f in "$tmp"/*.log; do grep -vE "^# (Platform|Domain|Boot HART)" "$f" | sed "s|^|# $(basename "$f"): |"; done
exit $((fails > 0))

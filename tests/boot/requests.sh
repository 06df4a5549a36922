#!/usr/bin/env bash
# Requests the pager refuses, and what the refusal must not leave: a file
# that is no program, spawned 50 times (spawn_refused_many), is refused
# with ENOEXEC each time and puts at most one line on the console (once a
# line each, under the pager's lock: a loop flooded it); and with netd
# ended as soon as it is set up (net.end_at_start=1; the machine gets a
# virtio-net device through a guestfwd rule no one uses), PAGER_NET
# answers -ENODEV (net_gone), not a handle to netd's endpoint, where no one
# receives any more. Prints TAP. Run by meson test (suite guest) with
# NO_BUILD=1.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"	# $top, $tmp, ok, passed

echo "1..6"
timeout 120 "$top/scripts/guest-tap" init.run=tests init.args=spawn_refused_many \
	</dev/null >"$tmp/spawn.log" 2>&1
status=$?
[[ $status -eq 0 ]] && passed "$tmp/spawn.log" spawn_refused_many
ok "spawn_refused_many passes: ENOEXEC every time (status $status)" $?
# The pager's console lines while the test ran: from the suite's plan to
# the test's result line.
lines=$(awk '/^1\.\.[0-9]+/ { on = 1; next }
	on && /^(not )?ok [0-9]+ - spawn_refused_many/ { exit }
	on && /^# pager:/ { n++ }
	END { print n + 0 }' "$tmp/spawn.log")
[[ $lines -le 1 ]]
ok "at most one console line for 50 refusals ($lines)" $?

QEMU_GUESTFWD="tcp:10.0.2.102:7001-cmd:true" timeout 120 "$top/scripts/guest-tap" \
	net.end_at_start=1 init.run=tests init.args=net_gone </dev/null >"$tmp/net.log" 2>&1
status=$?
grep -q "pager: net.end_at_start=1: ending netd" "$tmp/net.log"
ok "netd was started and ended at once" $?
! grep -q "has no effect" "$tmp/net.log"
ok "net.end_at_start, which acted, is not said to have no effect" $?
grep -q "pager: the driver netd (pid [0-9]*) ended" "$tmp/net.log"
ok "the pager saw netd end" $?
[[ $status -eq 0 ]] && passed "$tmp/net.log" net_gone
ok "net_gone passes: PAGER_NET gives -ENODEV once netd has ended (status $status)" $?

[[ $fails -eq 0 ]] || grep -vE "^# (Platform|Domain|Boot HART)" "$tmp/spawn.log" "$tmp/net.log" |
	sed "s|^|# |"
exit $((fails > 0))

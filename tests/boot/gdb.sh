#!/usr/bin/env bash
# scripts/gdb against a real boot: QEMU waits for gdb (-S) on a free port,
# the guest runs vmstat, and gdb in batch mode stops in the pager as it
# answers (README.md, "Debugging") and runs every helper of scripts/gdb.py.
# Fails on any error or Python exception, and checks what each helper
# prints against the guest: the pager named as the running process, a frame
# descriptor, the counters under vmstat's own names with faults counted.
# Prints TAP. Run by meson test (suite guest).
set -uo pipefail

scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)
tmp=$(mktemp -d)
qemu_pid=
cleanup() {
	[[ -z $qemu_pid ]] || kill "$qemu_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Boot, QEMU waiting for gdb. The port is free when chosen; another
# program may take it first, so a boot that never listens is tried again.
listening=0
for _ in 1 2 3; do
	port=$(free_port)
	QEMU_OPTS="-gdb tcp:127.0.0.1:$port -S" timeout 120 "$scripts/run" init.run=vmstat \
		</dev/null >"$tmp/console" 2>&1 &
	qemu_pid=$!
	for _ in $(seq 100); do
		if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" \
			2>/dev/null; then
			listening=1
			break
		fi
		kill -0 "$qemu_pid" 2>/dev/null || break
		sleep 0.1
	done
	((listening)) && break
	kill "$qemu_pid" 2>/dev/null
	wait "$qemu_pid"
done
if ((!listening)); then
	echo "1..1"
	echo "not ok 1 - QEMU listens for gdb"
	sed 's/^/# /' "$tmp/console"
	exit 1
fi

# Every helper: pk-proc before the scheduler runs, pk-user, pk-break and
# its $pk_running condition, then each reader at the stop in the pager;
# last pk-user and pk-follow, which brings the running program's symbols
# back (with the breakpoint gone: symbols never change on one's stop).
# shellcheck disable=SC2016	# $pk_running is gdb's, not the shell's
GDB_PORT=$port timeout 60 "$scripts/gdb" -batch \
	-ex pk-proc -ex 'pk-user vmstat' -ex 'pk-break pager handle_stats' -ex continue \
	-ex 'bt 2' -ex pk-proc -ex pk-runq \
	-ex 'echo -- pk-vmstat\n' -ex pk-vmstat -ex 'echo -- end\n' -ex 'pk-frame 0x80800000' \
	-ex 'print $pk_running("pager")' -ex 'print $pk_running("vmstat")' \
	-ex delete -ex 'pk-user vmstat' -ex pk-follow -ex 'bt 1' \
	>"$tmp/gdb" 2>"$tmp/gdb.err"
gdb_status=$?
wait "$qemu_pid"
qemu_status=$?
qemu_pid=
sed -i 's/\r$//' "$tmp/console"

n=0
fails=0
result() {	# result NAME OK [WHY]
	n=$((n + 1))
	if [[ $2 == 1 ]]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1 # ${3:-}"
		fails=$((fails + 1))
	fi
}
has() {	# has NAME REGEX...: gdb printed a line matching each REGEX
	local name=$1 re
	shift
	for re; do
		grep -qE -- "$re" "$tmp/gdb" || { result "$name" 0 "no line: $re"; return; }
	done
	result "$name" 1
}
value() {	# value FILE NAME: NAME's number in "NAME N" lines of FILE
	sed -nE "s/^$2 ([0-9]+)( .*)?$/\\1/p" "$1" | head -1
}

echo "1..16"
result "gdb ends well, silent on stderr" \
	"$([[ $gdb_status -eq 0 && ! -s $tmp/gdb.err ]] && echo 1)" "status $gdb_status"
result "no Python exception or error in gdb's output" \
	"$(grep -qE 'Exception|Error' "$tmp/gdb" || echo 1)" \
	"$(grep -E 'Exception|Error' "$tmp/gdb" | head -1)"
has "pk-proc before the scheduler starts" "^no current thread "
has "pk-user loads a program's symbols" "^\[pk\] user symbols: vmstat "
has "pk-break stops in the pager's handle_stats" "^Breakpoint 1, handle_stats "
has "bt names the pager's functions" "^#1 .* in dispatch "
has "pk-proc: the pager's thread is running" \
	"^thread [0-9]+ \(T_RUNNING, priority [0-9]+\) of process 1 'pager'$"
has "pk-proc: its saved context and process" "^  saved user context: pc 0x[0-9a-f]+, sp 0x[0-9a-f]+$"
has "pk-runq: a line per priority, then the running thread" \
	"^priority 0: " "^running: thread [0-9]+ \(T_RUNNING, .*'pager'$"
has "pk-frame: the descriptor of frame 2048" "^frame 2048 \(0x80800000\): \{next = .*, state = [0-3] "
# shellcheck disable=SC2016	# gdb's $pk_running, its values $1 and $2
has '$pk_running is 1 for the pager, 0 for another' '^\$1 = 1$' '^\$2 = 0$'
result "pk-follow brings back the running program's symbols" \
	"$([[ $(grep '^\[pk\] user symbols: ' "$tmp/gdb" | tail -2 | cut -d' ' -f4 | tr '\n' ' ') == \
		'vmstat pager ' ]] && grep '^#0 ' "$tmp/gdb" | tail -1 | grep -q '^#0  handle_stats ' &&
		echo 1)" \
	"the last symbols loaded: $(grep '^\[pk\] user symbols: ' "$tmp/gdb" | tail -2 | tr '\n' ' ')"

# pk-vmstat against vmstat's own report, printed on the console after gdb
# left: the same names in the same order, faults counted, and a gauge read
# from its owner equal to vmstat's (the frames managed do not change).
sed -n '/^-- pk-vmstat$/,/^-- end$/p' "$tmp/gdb" | grep -E '^[a-z_]+ ([0-9]+|-)( |$)' |
	cut -d' ' -f1 >"$tmp/names.gdb"
sed -n '/^frames_total /,/^ *pid name /p' "$tmp/console" | grep -E '^[a-z_]+ [0-9]+$' |
	cut -d' ' -f1 >"$tmp/names.vmstat"
result "pk-vmstat: every item vmstat prints, by its names" \
	"$([[ -s $tmp/names.vmstat ]] && cmp -s "$tmp/names.gdb" "$tmp/names.vmstat" && echo 1)" \
	"$(diff "$tmp/names.gdb" "$tmp/names.vmstat" | head -3 | tr '\n' ' ')"
pgfault=$(value "$tmp/gdb" pgfault)
total=$(value "$tmp/gdb" frames_total) free=$(value "$tmp/gdb" frames_free)
result "pk-vmstat: faults counted, free frames within those managed" \
	"$([[ ${pgfault:-0} -gt 0 && ${free:-0} -gt 0 && ${free:-0} -le ${total:-0} ]] && echo 1)" \
	"pgfault '$pgfault', frames_free '$free', frames_total '$total'"
result "pk-vmstat: frames_total, a gauge, is vmstat's" \
	"$([[ -n $total && $total == "$(value "$tmp/console" frames_total)" ]] && echo 1)" \
	"'$total', vmstat '$(value "$tmp/console" frames_total)'"
result "the guest runs on after gdb leaves: vmstat and power-off" \
	"$([[ $qemu_status -eq 0 ]] && grep -q '^init: vmstat (pid [0-9]*) exited with status 0$' \
		"$tmp/console" && echo 1)" "QEMU status $qemu_status"
if ((fails)); then
	echo "# gdb's output:"; sed 's/^/# /' "$tmp/gdb"
	echo "# gdb's errors:"; sed 's/^/# /' "$tmp/gdb.err"
	echo "# the console:"; sed 's/^/# /' "$tmp/console"
fi
exit $((fails > 0))

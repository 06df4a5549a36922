#!/usr/bin/env bash
# Boots the guest with damaged copies of the initrd and checks the console:
# a program missing from an intact archive is "no such program", but one the
# damage hides is reported as a damaged initrd, by the kernel (at boot, and
# when it cannot load the pager), the pager (once, at the first program it
# cannot load) and init. Prints TAP. Run by meson test (suite guest) with NO_BUILD=1.
set -uo pipefail

run=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/run
build=${BUILD_DIR:-$(dirname "$run")/../build}
initrd=$build/initrd.cpio
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# offset_of NAME: where NAME's entry starts in the built initrd (cpio newc:
# a 110-byte header, the name padded to 4, the body padded to 4).
offset_of() {
	python3 - "$initrd" "$1" <<'EOF'
import sys
data, want, off = open(sys.argv[1], "rb").read(), sys.argv[2], 0
while off + 110 <= len(data):
    size, namesize = int(data[off + 54:off + 62], 16), int(data[off + 94:off + 102], 16)
    name = data[off + 110:off + 110 + namesize - 1].decode()
    if name == want:
        sys.exit(print(off))
    if name == "TRAILER!!!":
        break
    off = (((off + 110 + namesize + 3) & ~3) + size + 3) & ~3
sys.exit(f"offset_of: no {want} in {sys.argv[1]}")
EOF
}

# boot LOG INITRD ARGS...: boot to power-off; the guest's status in $status.
boot() {
	local log=$1 image=$2
	shift 2
	QEMU_INITRD=$image "$run" "$@" </dev/null >"$log" 2>&1
	status=$?
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
check_count() {	# check_count NAME PATTERN N: N console lines in $out match PATTERN
	local got
	got=$(grep -cF -- "$2" "$out")
	[[ $got -eq $3 ]]
	result "$1" $? "$got lines have: $2"
}
check_status() {	# check_status NAME WANT
	[[ $status -eq $2 ]]
	result "$1" $? "got $status"
}

echo "1..15"
size=$(stat -c %s "$initrd")
demo=$(offset_of demo) && tests=$(offset_of tests) || exit 1

# Intact: a name that is not there is just that.
out=$tmp/intact.log
boot "$out" "$initrd" init.run=nosuch
check "intact: an unknown program is no such program" \
	"init: cannot run 'nosuch': no such program in the initrd"
check_not "intact: nothing is called damaged" "damaged"

# Cut inside the pager, the first file: the kernel cannot start anything.
out=$tmp/pager-cut.log
head -c 100000 "$initrd" >"$tmp/pager-cut.cpio"
boot "$out" "$tmp/pager-cut.cpio"
check "cut in the pager: the kernel says the initrd is damaged and why" \
	"[kernel] PANIC: initrd damaged at byte 0 of 100000, before 'pager' was found: a file's body runs past the end of the archive"
check_status "cut in the pager: the kernel's panic status" 100

# Cut inside demo's body: the pager and init (stored before) load; demo and
# the block driver (stored after) are reported as lost to damage.
out=$tmp/demo-cut.log
cut=$((demo + 5000))
head -c $cut "$initrd" >"$tmp/demo-cut.cpio"
boot "$out" "$tmp/demo-cut.cpio"
check "cut in demo: the kernel reports the damage at boot" \
	"initrd   damaged at byte $demo of $cut: a file's body runs past the end of the archive; the programs stored from there on cannot be loaded"
check "cut in demo: the pager cannot load the driver: damaged" \
	"pager: cannot load 'virtio_blk': the initrd is damaged at byte $demo of $cut: a file's body runs past the end of the archive"
check_count "cut in demo: the pager says the damage once, not at every spawn" \
	"the initrd is damaged at byte" 1
check "cut in demo: init says the initrd is damaged" \
	"init: cannot run 'demo': the initrd is damaged"
check_not "cut in demo: not 'no such program'" "no such program"
check_status "cut in demo: init powers off with status 127" 127

# A bad magic number in the middle (the tests program's header).
out=$tmp/magic.log
cp "$initrd" "$tmp/magic.cpio"
printf '070702' | dd of="$tmp/magic.cpio" bs=1 seek="$tests" conv=notrunc status=none
boot "$out" "$tmp/magic.cpio" init.run=tests
check "bad magic: the kernel reports the damage at boot" \
	"initrd   damaged at byte $tests of $size: an entry does not start with the newc magic 070701"
check "bad magic: the pager names the first program lost and the damage" \
	"pager: cannot load 'virtio_blk': the initrd is damaged at byte $tests of $size: an entry does not start with the newc magic 070701"
check_count "bad magic: the pager says the damage once" "the initrd is damaged at byte" 1
check "bad magic: init says the initrd is damaged" \
	"init: cannot run 'tests': the initrd is damaged"
check_status "bad magic: init powers off with status 127" 127

[[ $fails -eq 0 ]] || for f in "$tmp"/*.log; do sed "s|^|# $(basename "$f"): |" "$f"; done
exit $((fails > 0))

# TAP for the boot tests, sourced by them: `ok NAME STATUS` prints the next
# result (ok when STATUS is 0) and counts the failures in $fails, for the
# script's exit status. It also gives them $top, the project's top, and
# $tmp, a directory of their own removed when they exit.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok() {	# ok NAME STATUS
	n=$((n + 1))
	if [[ $2 -eq 0 ]]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fails=$((fails + 1)); fi
}
# passed LOG NAME: LOG (scripts/guest-tap's output) has an ok line for the
# guest's test NAME
passed() { grep -qE "^ok [0-9]+ - $2( |$)" "$1"; }

#!/usr/bin/env bash
# The bounded fuzz run for `meson test`: init.run=fuzz with FUZZ_CALLS calls
# (default 60000: about 25 s of guest CPU, a minute or two on a shared
# machine; scripts/fuzz runs more) from four workers, its seed taken from
# the commit (the first 15 hex digits of `git rev-parse HEAD`), so every
# commit fuzzes
# differently and a failure names the seed to replay. Without git, or
# outside a repository, a fixed seed (said so). Prints the guest's TAP.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
calls=${FUZZ_CALLS:-60000}
fixed=0x1

if head=$(git -C "$top" rev-parse HEAD 2>/dev/null) && [[ $head =~ ^[0-9a-f]{15} ]]; then
	seed=0x${head:0:15}
	echo "# fuzz seed $seed from commit $head"
else
	seed=$fixed
	echo "# fuzz: git cannot name the commit here; using the fixed seed $seed"
fi
echo "# replay: scripts/run init.run=fuzz init.args=$seed,$calls,4"
exec "$top/scripts/guest-tap" init.run=fuzz "init.args=$seed,$calls,4"

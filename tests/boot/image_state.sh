# What a boot test notes of a sparse image before the guest has it, to
# show the guest wrote nothing to it, sourced by the tests: its first MiB
# (the header, and the generation stamp netd would write there) and the
# blocks it takes on the host (a write anywhere else would fill a hole).
# note_image FILE: noted beside it (FILE.head, FILE.blocks)
note_image() {
	head -c $((1024 * 1024)) "$1" >"$1.head"
	stat -c %b "$1" >"$1.blocks"
}
# image_unchanged FILE: status 0 if it is as noted
image_unchanged() {
	cmp -s -n $((1024 * 1024)) "$1" "$1.head" && [[ $(stat -c %b "$1") -eq $(<"$1.blocks") ]]
}

#!/usr/bin/env bats
load helper

top="$BATS_TEST_DIRNAME/.."
sample="$top/examples/sample.tsv"

@test "sharded with GNU parallel: the single-pass bytes" {
	need parallel
	BLOCK=40k "$top/examples/sharded/run" "$sample" 2 >"$BATS_TEST_TMPDIR/sharded"
	nps-agg -g region,store -t responded_at -p month "$sample" | cmp - "$BATS_TEST_TMPDIR/sharded"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/sharded")" -gt 100 ]
}

@test "Hadoop Streaming mapper and reducer, shuffled by sort: the single-pass bytes" {
	tail -n +2 "$sample" >"$BATS_TEST_TMPDIR/body"
	split -n l/4 "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/split."
	# the splits hold no header: the mapper takes it from HEADER
	head -n 1 "$sample" >"$BATS_TEST_TMPDIR/header.tsv"
	export HEADER="$BATS_TEST_TMPDIR/header.tsv"
	for f in "$BATS_TEST_TMPDIR"/split.a?; do
		"$top/examples/sharded/mapper" <"$f"
	done | LC_ALL=C sort | "$top/examples/sharded/reducer" >"$BATS_TEST_TMPDIR/reduced"
	nps-agg -g region,store -t responded_at -p month "$sample" | cmp - "$BATS_TEST_TMPDIR/reduced"
}

@test "the README's one-liners run and give what their comments say" {
	cd "$top"
	mapfile -t cmds < <(grep '^    build/' README.md)
	[ "${#cmds[@]}" -eq 3 ]
	run bash -c "${cmds[0]//build\//$bin/}"
	[ "$status" -eq 0 ]
	# the header, the company total, then the 8 regions, all for 2026-10
	[ "${#lines[@]}" -eq 10 ]
	[ "$(printf '%s\n' "${lines[1]}" | cut -f 1,2)" = "$(printf '*\t2026-10')" ]
	run bash -c "${cmds[1]//build\//$bin/}"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 1,2 | tail -n 4 | paste -sd' ')" = "$(printf 'us\talpha us\tbeta us\tdelta us\tgamma')" ]
	run bash -c "${cmds[2]//build\//$bin/}"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 1 ]
	for l in "${lines[@]}"; do [[ "$l" =~ $'\t'(high|low)$ ]]; done
}

# The commands of a man page's EXAMPLES: tab-indented lines (a deeper tab
# continues the line; "++" ends a line but not the example), outside
# ``` blocks, with scdoc's \\ read as \.
man_examples() {
	awk '
	function flush() { if (cmd != "") { gsub(/\\\\/, "\\", cmd); print cmd }; cmd = "" }
	/^# EXAMPLES/ { e = 1; next }
	/^# / { flush(); e = 0 }
	!e { next }
	/^```/ { flush(); f = !f; next }
	f { next }
	more { sub(/\+\+$/, "", $0); cmd = cmd "; " $0; more = 0; next }
	/^\t\t/ { cmd = cmd " " substr($0, 3); next }
	/^\t/ { flush(); cmd = substr($0, 2); if (cmd ~ /\+\+$/) { sub(/\+\+$/, "", cmd); more = 1 }; next }
	{ flush() }
	END { flush() }' "$1"
}

@test "every man page example runs from the top of the tree" {
	mkdir "$BATS_TEST_TMPDIR/w"
	ln -s "$top/examples" "$BATS_TEST_TMPDIR/w/examples"
	ln -s "$top/tests" "$BATS_TEST_TMPDIR/w/tests"
	cd "$BATS_TEST_TMPDIR/w"
	count=0
	for page in "$top"/man/*.scd; do
		while IFS= read -r cmd; do
			case "$cmd" in *"tail -f"*) continue ;; esac
			run bash -c "set -o pipefail; $cmd >/dev/null"
			# 141: a program ended by SIGPIPE when head had enough
			[ "$status" -eq 0 ] || [ "$status" -eq 141 ] || { echo "${page##*/}: $cmd: exit $status: $output"; false; }
			count=$((count + 1))
		done < <(man_examples "$page")
	done
	echo "$count examples"
	[ "$count" -ge 15 ]
}

#!/usr/bin/env bats
load helper

top="$BATS_TEST_DIRNAME/.."
sample="$top/examples/sample.tsv"

@test "sharded with GNU parallel: the single-pass bytes" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	BLOCK=40k "$top/examples/sharded/run" "$sample" 2 >"$BATS_TEST_TMPDIR/sharded"
	nps-agg -g region,store -t responded_at -p month "$sample" | cmp - "$BATS_TEST_TMPDIR/sharded"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/sharded")" -gt 100 ]
}

@test "Hadoop Streaming mapper and reducer, shuffled by sort: the single-pass bytes" {
	tail -n +2 "$sample" >"$BATS_TEST_TMPDIR/body"
	split -n l/4 "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/split."
	for f in "$BATS_TEST_TMPDIR"/split.a?; do
		{ head -n 1 "$sample"; cat "$f"; } | "$top/examples/sharded/mapper"
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

#!/usr/bin/env bats
# examples/sharded past one machine: byte-range splits as Hadoop cuts
# them, many reducers with Hadoop's hash partitioner, and GNU parallel
# over a real ssh server. Each result is compared byte for byte with one
# pass of nps-agg over the whole file.
load helper

top="$BATS_TEST_DIRNAME/.."
sharded="$top/examples/sharded"

setup() {
	d=$BATS_TEST_TMPDIR
	sample="$top/examples/sample.tsv"
	head -n 1 "$sample" >"$d/header.tsv"
	export HEADER="$d/header.tsv"
	size=$(wc -c <"$sample")
}

# The variants of the issue: plain, dated, weighted, rolled up; each as
# GROUP / AGG / ROLLUP for the mapper and reducer.
variants=(
	"region,store||"
	"region,store|-t responded_at -p month|"
	"region|-w customer_value|"
	"region,channel|-t responded_at -p quarter|--rollup"
)

# one_pass GROUP AGG ROLLUP
one_pass() {
	# shellcheck disable=SC2086
	nps-agg -g "$1" $2 $3 "$sample"
}

# cuts N: N-1 byte offsets strictly inside the file, arbitrary (a fixed
# seed), sorted, between 0 and the size; some splits fall inside one line.
cuts() {
	awk -v n="$1" -v size="$size" 'BEGIN { srand(20); for (i = 1; i < n; i++) print int(rand() * size) }' |
		sort -n | { echo 0; cat; echo "$size"; }
}

@test "byte-range splits (Hadoop's LineRecordReader rule): mapper on each, shuffle, reducer = one pass" {
	# the rule itself, on a file of three lines "ab cd ef" (starts 0, 3, 6)
	printf 'ab\ncd\nef\n' >"$d/abc"
	[ "$("$top/tests/hadoop-split" "$d/abc" 0 1 | paste -sd,)" = ab ]
	[ "$("$top/tests/hadoop-split" "$d/abc" 1 3 | paste -sd,)" = cd ]
	[ "$("$top/tests/hadoop-split" "$d/abc" 3 4 | paste -sd,)" = "" ]
	[ "$("$top/tests/hadoop-split" "$d/abc" 4 9 | paste -sd,)" = ef ]
	for v in "${variants[@]}"; do
		IFS='|' read -r GROUP AGG ROLLUP <<<"$v"
		export GROUP AGG ROLLUP
		for n in 1 2 7 40; do
			mapfile -t at < <(cuts $n)
			: >"$d/partials"
			lines=0
			for ((i = 0; i + 1 < ${#at[@]}; i++)); do
				"$top/tests/hadoop-split" "$sample" "${at[i]}" "${at[i + 1]}" >"$d/split"
				lines=$((lines + $(wc -l <"$d/split")))
				"$sharded/mapper" <"$d/split" >>"$d/partials"
			done
			# every line in exactly one split
			[ "$lines" -eq "$(wc -l <"$sample")" ]
			LC_ALL=C sort "$d/partials" | "$sharded/reducer" >"$d/reduced"
			one_pass "$GROUP" "$AGG" "$ROLLUP" | cmp - "$d/reduced" || { echo "$v, $n splits"; false; }
		done
	done
}

# Hadoop's HashPartitioner on Text keys: Java's hashBytes (h = 31 h + b,
# signed bytes, 32-bit), then (h & Integer.MAX_VALUE) % reducers. The key
# of a streaming line is its text before the first TAB.
partition() {
	LC_ALL=C awk -F '\t' -v n="$1" -v dir="$2" '
	BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
	{
		h = 1
		for (i = 1; i <= length($1); i++) {
			b = ord[substr($1, i, 1)]
			if (b > 127) b -= 256
			h = (31 * h + b) % 4294967296
			if (h < 0) h += 4294967296
		}
		print > (dir "/part-" (h % 2147483648) % n)
	}'
}

@test "many reducers: partials hash-partitioned by key, each reducer on its sorted part, combine = one pass" {
	for v in "${variants[@]}"; do
		IFS='|' read -r GROUP AGG ROLLUP <<<"$v"
		export GROUP AGG
		mapfile -t at < <(cuts 5)
		for ((i = 0; i + 1 < ${#at[@]}; i++)); do
			"$top/tests/hadoop-split" "$sample" "${at[i]}" "${at[i + 1]}" | "$sharded/mapper"
		done >"$d/partials"
		for reducers in 1 3 8; do
			rm -rf "$d/parts" "$d/out" && mkdir "$d/parts" "$d/out"
			partition $reducers "$d/parts" <"$d/partials"
			[ "$reducers" -eq 1 ] || [ "$(ls "$d/parts" | wc -l)" -gt 1 ]
			for p in "$d"/parts/part-*; do
				LC_ALL=C sort "$p" | ROLLUP= "$sharded/reducer" >"$d/out/${p##*/}"
			done
			# the final step: combine, or with --rollup one merge
			keys=$(($(tr -cd , <<<"$GROUP" | wc -c) + 1))
			[ -z "$AGG" ] || [[ $AGG == -w* ]] || keys=$((keys + 1))
			if [ -z "$ROLLUP" ]; then
				"$sharded/combine" $keys "$d"/out/part-* >"$d/final"
			else
				cat "$d"/out/part-* | nps-agg --merge -g "$GROUP" --rollup >"$d/final"
			fi
			one_pass "$GROUP" "$AGG" "$ROLLUP" | cmp - "$d/final" || { echo "$v, $reducers reducers"; false; }
		done
	done
}

# A throwaway sshd on a free loopback port: its own host key, one user key
# allowed, the programs under test on the PATH of its sessions (as if
# installed on the hosts). teardown stops it whatever the test did.
start_sshd() {
	local sshd
	sshd=$(command -v sshd || echo /usr/sbin/sshd)
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$d/user_key"
	cp "$d/user_key.pub" "$d/authorized_keys"
	mkdir -p /run/sshd # its privilege-separation directory
	for try in 1 2 3 4 5; do
		port=$((20000 + (RANDOM * 7 + try) % 30000))
		cat >"$d/sshd_config" <<-EOF
			ListenAddress 127.0.0.1:$port
			HostKey $d/host_key
			AuthorizedKeysFile $d/authorized_keys
			StrictModes no
			UsePAM no
			PasswordAuthentication no
			KbdInteractiveAuthentication no
			PermitRootLogin prohibit-password
			SetEnv PATH=$bin:/usr/local/bin:/usr/bin:/bin
		EOF
		"$sshd" -D -e -f "$d/sshd_config" </dev/null >"$d/sshd.log" 2>&1 &
		sshd_pid=$!
		echo "$sshd_pid" >"$d/sshd.pid"
		for _ in $(seq 50); do
			grep -q 'Server listening' "$d/sshd.log" && break
			kill -0 "$sshd_pid" 2>/dev/null || break
			sleep 0.1
		done
		grep -q 'Server listening' "$d/sshd.log" && break
		kill "$sshd_pid" 2>/dev/null || true
		rm -f "$d/sshd.pid"
	done
	[ -f "$d/sshd.pid" ] || { cat "$d/sshd.log"; false; }
	# two "hosts", both this sshd
	cat >"$d/ssh_config" <<-EOF
		Host host1 host2
			HostName 127.0.0.1
			Port $port
			User $(id -un)
			IdentityFile $d/user_key
			IdentitiesOnly yes
			StrictHostKeyChecking no
			UserKnownHostsFile /dev/null
			BatchMode yes
			LogLevel ERROR
	EOF
}

teardown() {
	if [ -f "$d/sshd.pid" ]; then
		kill "$(cat "$d/sshd.pid")" 2>/dev/null || true
		rm -f "$d/sshd.pid"
	fi
}

@test "GNU parallel over ssh: two hosts through a real sshd on a loopback port, run = one pass" {
	need sshd
	need parallel
	# An sshd that logs in as this user needs root (or to be this user's
	# own, which Debian's privilege separation refuses): say so, skip.
	[ "$(id -u)" = 0 ] || skip "SKIPPED: the ssh test starts its own sshd and needs root"
	start_sshd
	export PARALLEL_SSH="ssh -F $d/ssh_config"
	# the hosts answer, and find nps-agg on their PATH
	run ssh -F "$d/ssh_config" host1 'command -v nps-agg'
	[ "$status" -eq 0 ] || { cat "$d/sshd.log"; false; }
	[ "$output" = "$bin/nps-agg" ]
	HOSTS=host1,host2 BLOCK=40k "$sharded/run" "$sample" >"$d/sharded"
	nps-agg -g region,store -t responded_at -p month "$sample" | cmp - "$d/sharded"
	# the blocks went through ssh: a session each (about 16 of 40k here)
	[ "$(grep -c "Accepted publickey" "$d/sshd.log")" -ge 4 ]
}

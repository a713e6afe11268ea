#!/usr/bin/env bats
# tests/setup: what `make check` installs is what the tests use, and a
# user who cannot install it is told exactly what to install (exit 69).
load helper

setup_sh="$BATS_TEST_DIRNAME/setup"

@test "the tools tests/setup installs for check are exactly those the tests name with need" {
	# cc, make, bats and scdoc run the suite itself; every other tool is
	# named by a test's `need TOOL`.
	named=$(grep -ho '^[[:space:]]*need [a-z0-9-]*\|; need [a-z0-9-]*' "$BATS_TEST_DIRNAME"/*.bats |
		sed 's/.*need //' | grep . | sort -u)
	listed=$("$setup_sh" --list check | grep -vx 'cc\|make\|bats\|scdoc' | sort -u)
	[ "$named" = "$listed" ] || {
		echo "named by tests: $named"; echo "listed by tests/setup: $listed"; false; }
}

@test "a target a user may name but setup does not know is a usage error" {
	run -64 "$setup_sh" nosuch
	[ "$output" = "tests/setup: unknown target 'nosuch' (demo, check, install, bench, fuzz, valgrind)" ]
}

@test "without root or sudo, a missing tool stops setup with the package to install, exit 69" {
	# A PATH holding the shell tools setup uses, but no bats, no scdoc and
	# no parallel and no sudo: as user 1000 it can install nothing.
	fake="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$fake"
	for t in sh id grep sed sort tr cat dirname mkdir locale dpkg cc make; do
		p=$(command -v "$t") && ln -s "$p" "$fake/$t"
	done
	NPSKIT_SETUP_UID=1000 PATH="$fake" run -69 "$setup_sh" check
	[[ "$output" == *"needs what this machine lacks: bats scdoc parallel python3;"* ]]
	[[ "$output" == *"apt-get install -y bats parallel python3 scdoc"* ]]
}

@test "demo needs only a compiler and make" {
	run -0 "$setup_sh" --list demo
	[ "$output" = "$(printf 'cc\nmake')" ]
}

#!/usr/bin/env bats
# tests/setup: what `make check` installs is what the tests use, and a
# user who cannot install it is told exactly what to install (exit 69).
load helper

setup_sh="$BATS_TEST_DIRNAME/setup"

@test "every tool of every target, the tests' need TOOL among them, has its Debian package" {
	# check's list is derived from the tests' `need TOOL`; a tool without a
	# package line would make tests/setup stop (70) on a fresh machine.
	for target in demo check install bench fuzz valgrind; do
		for tool in $("$setup_sh" --list $target); do
			run "$setup_sh" --package "$tool"
			[ "$status" -eq 0 ] && [ -n "$output" ] || { echo "$target: $tool: $output"; false; }
		done
	done
	[[ " $("$setup_sh" --list check | tr '\n' ' ') " == *" python3 "* ]]
	run -1 "$setup_sh" --package nosuchtool
	[ "$output" = "tests/setup: no package known for 'nosuchtool': add it to package()" ]
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
	# the tools in the order make check needs them, the packages sorted
	[[ "$output" == *"needs what this machine lacks: bats scdoc "*"parallel"* ]]
	[[ "$output" == *"apt-get install -y bats "*"parallel "*"scdoc"* ]]
}

@test "demo needs only a compiler and make" {
	run -0 "$setup_sh" --list demo
	[ "$output" = "$(printf 'cc\nmake')" ]
}

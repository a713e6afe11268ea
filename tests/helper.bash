# Shared by every tests/*.bats: the programs under test come first on PATH
# (NPS_BIN, set by `make check`, or build/), fixtures live in tests/data.
bin="${NPS_BIN:-$BATS_TEST_DIRNAME/../build}"
PATH="$bin:$PATH"
data="$BATS_TEST_DIRNAME/data"
bats_require_minimum_version 1.5.0

# tsv 'a b' 'c d': each argument a line, spaces turned into tabs.
tsv() { local l; for l in "$@"; do printf '%s\n' "${l// /	}"; done; }

# A comma-decimal locale, if this machine has one.
comma_locale() {
	local l
	for l in de_DE.UTF-8 de_DE.utf8 fr_FR.UTF-8 fr_FR.utf8 nl_NL.UTF-8; do
		if locale -a 2>/dev/null | grep -qix "${l/UTF-8/utf8}"; then
			echo "$l"
			return 0
		fi
	done
	return 1
}

# need TOOL: skip this test, saying why, unless TOOL is here. tests/setup
# installs every tool a test names this way (tests/setup.bats checks that
# its list and these names agree), so a skip means the install failed and
# bats counts it in its summary line. duckdb is the npm package in
# build/node ($duckdb_modules: NODE_PATH for node scripts).
duckdb_modules="${NPSKIT_NODE_DIR:-$BATS_TEST_DIRNAME/../build/node}/node_modules"
need() {
	case $1 in
	duckdb)
		command -v node >/dev/null && [ -d "$duckdb_modules/@duckdb/node-api" ] ||
			skip "DuckDB (npm @duckdb/node-api) is not installed: run tests/setup check" ;;
	locale-de)
		comma_locale >/dev/null || skip "no comma-decimal locale: run tests/setup check" ;;
	sshd)
		command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] ||
			skip "sshd is not installed: run tests/setup check" ;;
	tzdata)
		[ -f /usr/share/zoneinfo/Europe/Paris ] ||
			skip "the tz database (tzdata) is not installed: run tests/setup check" ;;
	*)
		command -v "$1" >/dev/null || skip "$1 is not installed: run tests/setup check" ;;
	esac
}

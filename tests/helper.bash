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

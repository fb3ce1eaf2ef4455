#!/bin/sh
# Run every test: unit binaries in $TBIN (built from tests/unit/test_*.c) and
# scripts tests/t_*.sh. Each prints one line per check:
#   ok NAME | FAIL NAME: why | skip NAME: why
# A test program that dies (signal, sanitizer, non-zero exit with no FAIL
# line) counts as one failure. The last line is "N passed, N failed, N skipped".
# ONLY=pattern runs only the tests whose file name contains the pattern.
here=$(cd "$(dirname "$0")" && pwd)
: "${BIN:?BIN must name the folder of the programs}" "${TBIN:?TBIN must name the folder of the unit tests}"
export BIN TBIN
export TOP="$(cd "$here/.." && pwd)"
export MODELS="${MODELS:-$TOP/../shared/models}"
export TMPROOT="$(mktemp -d "${TMPDIR:-/tmp}/llm-tests.XXXXXX")"
trap 'rm -rf "$TMPROOT"' EXIT INT TERM
pass=0 fail=0 skip=0
run_one() {
    name=$1; shift
    out="$TMPROOT/out.$$"
    "$@" >"$out" 2>&1
    rc=$?
    p=$(grep -c '^ok ' "$out"); f=$(grep -c '^FAIL ' "$out"); s=$(grep -c '^skip ' "$out")
    grep -E '^(FAIL|skip) ' "$out" | sed "s|^|  $name: |"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "  $name: FAIL exited with status $rc"; tail -n 15 "$out" | sed 's/^/    /'
        f=1
    elif [ "$f" -ne 0 ]; then
        grep -v -E '^(ok|FAIL|skip) ' "$out" | tail -n 15 | sed 's/^/    /'
    fi
    echo "$name: $p passed, $f failed, $s skipped"
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}
for t in "$TBIN"/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *"${ONLY:-}"*) ;; *) continue ;; esac
    run_one "$(basename "$t")" "$t"
done
for t in "$here"/t_*.sh; do
    [ -f "$t" ] || continue
    case "$t" in *"${ONLY:-}"*) ;; *) continue ;; esac
    run_one "$(basename "$t")" sh "$t"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

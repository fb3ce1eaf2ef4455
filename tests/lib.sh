# tests/lib.sh: helpers for the shell tests (sourced by tests/t_*.sh).
# Each check prints "ok NAME", "FAIL NAME: why" or "skip NAME: why".
T=$(mktemp -d "${TMPROOT:-/tmp}/t.XXXXXX")
ok()   { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }
# check NAME CMD...: passes when CMD exits 0
check() { n=$1; shift; if "$@" >/dev/null 2>&1; then ok "$n"; else fail "$n" "command failed: $*"; fi; }
# same NAME A B: passes when the strings are equal
same() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$(printf %s "$2" | head -c 300)' want '$(printf %s "$3" | head -c 300)'"; fi; }
# expect_err NAME STATUS REGEX CMD...: CMD must exit with STATUS (or any
# non-zero status if STATUS is "nz"), print one line on stderr matching the
# extended REGEX, and not be killed by a signal.
expect_err() {
    n=$1 want=$2 re=$3; shift 3
    "$@" >"$T/stdout" 2>"$T/stderr"; rc=$?
    if [ "$rc" -ge 128 ]; then fail "$n" "killed by signal $((rc - 128))"; return; fi
    if [ "$want" = nz ]; then [ "$rc" -ne 0 ] || { fail "$n" "exit 0, wanted an error"; return; }
    elif [ "$rc" -ne "$want" ]; then fail "$n" "exit $rc, wanted $want; stderr: $(head -c 300 "$T/stderr")"; return; fi
    if grep -q -E 'AddressSanitizer|runtime error|LeakSanitizer' "$T/stderr"; then fail "$n" "sanitizer: $(grep -m1 -E 'AddressSanitizer|runtime error' "$T/stderr")"; return; fi
    if ! grep -q -E -- "$re" "$T/stderr"; then fail "$n" "stderr '$(head -c 300 "$T/stderr")' does not match '$re'"; return; fi
    ok "$n"
}
have_models() { [ -f "$MODELS/stories260K.gguf" ]; }

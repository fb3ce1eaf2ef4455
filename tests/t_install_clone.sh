# t_install_clone.sh: a fresh clone builds and runs with the README's
# commands as written: `make demo` (build, then text in, text out; the clone
# has no ../shared/models beside it, so the demo generates its random-weight
# model and says so) and `make test` (a subset: ONLY=inspect). What is not
# committed is not in the clone, so this also catches a forgotten file.
# About a minute on 2 busy cores (a whole build).
. "$TOP/tests/lib.sh"
command -v git >/dev/null 2>&1 || { skip clone "git is not installed"; exit 0; }
[ -d "$TOP/.git" ] || { skip clone "$TOP is not a git repository"; exit 0; }
case $BIN in *asan*) skip clone "not under make asan (a plain build of a fresh clone)"; exit 0 ;; esac
C=$T/clone
git clone -q "$TOP" "$C" 2>"$T/err"; rc=$?
same "git clone" "$rc" 0
[ "$rc" = 0 ] || exit 0
# the clone sees nothing of this test run: no BIN, MODEL(S) or ONLY
clean_env() { env -u BIN -u TBIN -u MODEL -u MODELS -u ONLY -u TMPROOT -u MAKEFLAGS -u MAKELEVEL "$@"; }
(cd "$C" && clean_env nice make -j2 demo) >"$T/demo.out" 2>"$T/demo.err"; rc=$?
same "fresh clone: make -j2 demo exits 0" "$rc" 0
if [ "$rc" != 0 ]; then tail -n 15 "$T/demo.err" | sed 's/^/    /'; exit 0; fi
[ -s "$T/demo.out" ] && ok "fresh clone: make demo prints text" || fail "fresh clone: make demo prints text" "empty stdout"
if [ -f "$C/../shared/models/stories260K.gguf" ]; then
    skip "fresh clone: random model note" "$C/../shared/models exists"
elif grep -q 'RANDOM weights' "$T/demo.err"; then
    ok "fresh clone without models: the demo says its weights are random"
else
    fail "fresh clone without models: the demo says its weights are random" "$(tail -n 3 "$T/demo.err")"
fi
(cd "$C" && clean_env ONLY=inspect nice make -j2 test) >"$T/test.out" 2>&1; rc=$?
same "fresh clone: ONLY=inspect make test exits 0" "$rc" 0
last=$(tail -n 1 "$T/test.out")
case $last in
*" passed, 0 failed, "*) ok "fresh clone: make test's last line: $last" ;;
*) fail "fresh clone: make test's last line" "'$last'"; grep FAIL "$T/test.out" | head -n 5 | sed 's/^/    /' ;;
esac
rm -rf "$T"

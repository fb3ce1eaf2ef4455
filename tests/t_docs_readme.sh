# t_docs_readme.sh: every ```sh block of README.md runs, as the README says
# they do: from the repository root after make, with PATH=$PWD/build/bin:$PATH
# and M=../shared/models/stories260K.gguf (its first ```sh block). Blocks
# that need a machine of their own (apt-get, make install, ssh, Slurm) are
# indented, not ```sh, and are not run here. The root is a scratch copy
# whose build/bin is this run's programs and ../shared/models the models,
# so files the commands write land in $T.
. "$TOP/tests/lib.sh"
if ! have_models; then skip README "no $MODELS/stories260K.gguf: the README's commands use it"; exit 0; fi
R=$T/repo
mkdir -p "$R/build" "$T/shared"
ln -s "$BIN" "$R/build/bin"
ln -s "$(cd "$MODELS" && pwd)" "$T/shared/models"
cp -R "$TOP/examples" "$TOP/man" "$R/"
rm -rf "$R/examples/batch/out"

# Cut README.md into its ```sh blocks: block N goes to $T/block.N, and
# $T/line.N says on which line it starts.
awk -v dir="$T" '
    /^```sh$/ { n++; f = dir "/block." n; printf "" > f; print NR > (dir "/line." n); on = 1; next }
    /^```/ { on = 0; next }
    on { print > f }' "$TOP/README.md"
n=$(ls "$T"/block.* 2>/dev/null | wc -l)
[ "$n" -gt 5 ] && ok "README has $n sh blocks" || fail "README has sh blocks" "found $n"
same "README's first sh block sets PATH and M" "$(cat "$T/block.1")" \
    "$(printf '%s\n' 'PATH=$PWD/build/bin:$PATH' 'M=../shared/models/stories260K.gguf')"

i=1
while [ $i -le "$n" ]; do
    line=$(cat "$T/line.$i")
    first=$(grep -v '^#' "$T/block.$i" | head -n 1 | cut -c1-60)
    # each block in a fresh shell, after the first block's settings, with
    # set -e. A stage that fails inside a pipe does not stop the pipe, but
    # it says so on stderr in the one error form ("PROG: ..."); warnings and
    # the seed a sampler picked are not errors. (Not pipefail: | head ends
    # its writers with SIGPIPE, as it should.)
    { echo 'set -e'; cat "$T/block.1"; cat "$T/block.$i"; } > "$T/run.$i.sh"
    (cd "$R" && env -u BIN -u MODEL timeout 120 sh "$T/run.$i.sh") >"$T/out" 2>"$T/err" </dev/null; rc=$?
    errs=$(grep -E '^([^ ]*/)?(llm-[a-z]+|mkmodel|sh|bash|make|cat|tee|awk|od|tail|head|examples/[^ ]*): ' "$T/err" |
        grep -v -E ': warning: |: seed [0-9]+$|^make(\[[0-9]+\])?: (Entering|Leaving)')
    if [ "$rc" = 0 ] && [ -z "$errs" ]; then ok "README line $line: $first"
    else fail "README line $line: $first" "exit $rc: $(printf '%s\n' "$errs" | head -n 3 | head -c 400) $(tail -n 2 "$T/err" | head -c 200)"; fi
    i=$((i + 1))
done

# The programs' sections show what they claim.
out=$(cd "$R" && PATH=$R/build/bin:$PATH llm-tokenize -m ../shared/models/stories260K.gguf --ids "Once upon a time")
same "README: llm-tokenize --ids shows 1 403 407 261 378" "$out" "1 403 407 261 378"
out=$(cd "$R" && PATH=$R/build/bin:$PATH llm-cost --users 100 --tokens 300 --input-share 1 --api gpt-3.5-turbo | sed -n 2p)
case $out in *" 0.015 "*" 0.45"*) ok "README: llm-cost's corrected scenario is \$0.015/day, \$0.45/month" ;;
*) fail "README: llm-cost's corrected scenario" "'$out'" ;; esac
# every file or folder of this repository the README names exists
miss=''
for f in $(grep -o -E '`(lib|tests|examples|man|tools|cmd|\.ci)/[A-Za-z0-9_.*/-]*`' "$TOP/README.md" | tr -d '`' | sort -u); do
    # shellcheck disable=SC2086 # a pattern like tests/t_*.sh is globbed on purpose
    set -- $TOP/$f
    [ -e "$1" ] || miss="$miss $f"
done
same "the files the README names exist" "$miss" ""
# the Performance section keeps its marked place until the lead fills it
grep -q '^## Performance' "$TOP/README.md" && ok "README has a Performance section" || fail "README has a Performance section" "missing"
# the set-up and test commands are the ones the Makefile has
grep -q '^    make demo$' "$TOP/README.md" && grep -q '^demo:' "$TOP/Makefile" && ok "README's make demo exists" || fail "README's make demo exists" "missing"
grep -q '^    make test$' "$TOP/README.md" && ok "README gives make test" || fail "README gives make test" "missing"
grep -q '^    apt-get install -y gcc make$' "$TOP/README.md" && ok "README gives the apt-get line" || fail "README gives the apt-get line" "missing"
rm -rf "$T"

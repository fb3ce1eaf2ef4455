#!/bin/sh
# cluster.sh: the batch job of batch/Makefile (prompts/NAME.txt in,
# out/NAME.txt out) spread over several machines. We do not write a
# scheduler: an existing engine does it, GNU parallel over ssh or Slurm.
#
#   examples/cluster.sh local [PROMPTS [OUT]]       GNU parallel, this machine
#   examples/cluster.sh ssh HOSTS [PROMPTS [OUT]]   GNU parallel --sshlogin
#   examples/cluster.sh slurm [PROMPTS [OUT]]       a Slurm array job
#
# PROMPTS defaults to examples/batch/prompts, OUT to ./out. MODEL names the
# model (default ../shared/models/stories260K.gguf, else a generated model
# with random weights, see default-model.sh); N (64) and SAMPLE ("--temp 0")
# as in batch/Makefile; JOBS: jobs per machine (default: its CPU count).
# Like make, a prompt whose output is newer than it and the model is skipped.
#
# ssh: HOSTS is GNU parallel's list, e.g. "2/node1,2/node2" (2 jobs each;
# ":" is this machine). It assumes a shared file system: this folder, the
# build and the model at the same path on every host (NFS home, a cluster).
# Without one, install the programs on each host (make install) and let
# parallel copy the files: --basefile "$MODEL" --transferfile {}
# --return out/{/.}.txt --cleanup.
#
# slurm: writes OUT/batch.sbatch, an array job with one task per prompt
# (task i takes the i-th prompt in sorted order), and submits it with sbatch
# when sbatch is here; else it says how. Slurm clusters share a file system.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
self=$here/cluster.sh
B=${BIN:-$here/../build/bin}
B=$(cd "$B" && pwd)
export BIN=$B N=${N:-64} SAMPLE="${SAMPLE:---temp 0}"

# one PROMPT OUT: the job for one prompt, as in batch/Makefile, run by every
# mode below on whichever machine the engine chose. One thread: the engine
# runs several jobs per machine.
if [ "${1:-}" = one ]; then
    p=$2 o=$3 M=$MODEL
    # done already: the output is newer than the prompt and the model
    if [ -f "$o" ] && [ -n "$(find "$o" -newer "$p" -newer "$M")" ]; then exit 0; fi
    mkdir -p "$(dirname "$o")"
    "$B/llm-tokenize" -m "$M" "$(cat "$p")" > "$o.tok"
    # shellcheck disable=SC2086 # SAMPLE holds several options
    "$B/llm-infer" -m "$M" -t 1 -n "$N" $SAMPLE < "$o.tok" > "$o.gen"
    { "$B/llm-tokenize" -m "$M" -d < "$o.gen" && echo; } > "$o.tmp"
    rm -f "$o.tok" "$o.gen"
    mv "$o.tmp" "$o"
    echo "$(hostname): $o" >&2
    exit 0
fi

mode=${1:-}
[ $# -gt 0 ] && shift
hosts=
if [ "$mode" = ssh ]; then
    [ $# -gt 0 ] || { echo "cluster.sh: ssh needs HOSTS, e.g. 2/node1,2/node2" >&2; exit 2; }
    hosts=$1; shift
fi
prompts=$(cd "${1:-$here/batch/prompts}" && pwd)
out=${2:-out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
MODEL=${MODEL:-$("$here/default-model.sh")}
export MODEL

need_parallel() {
    command -v parallel >/dev/null 2>&1 ||
        { echo "cluster.sh: GNU parallel is not installed (apt-get install parallel)" >&2; exit 1; }
}

case $mode in
local)
    need_parallel
    # {} is a prompt file, {/.} its name without folder and .txt.
    parallel --will-cite --halt now,fail=1 ${JOBS:+-j "$JOBS"} \
        "$self" one {} "$out/{/.}.txt" ::: "$prompts"/*.txt
    ;;
ssh)
    need_parallel
    # --env passes the settings to the remote shells; each host runs
    # ${JOBS:-its CPU count} jobs at a time.
    parallel --will-cite --halt now,fail=1 ${JOBS:+-j "$JOBS"} --sshlogin "$hosts" \
        --env MODEL --env BIN --env N --env SAMPLE \
        "$self" one {} "$out/{/.}.txt" ::: "$prompts"/*.txt
    ;;
slurm)
    n=$(ls "$prompts"/*.txt | wc -l)
    # The job script: Slurm runs it once per array index, in parallel, on
    # the nodes it picks; SLURM_ARRAY_TASK_ID says which prompt.
    cat > "$out/batch.sbatch" <<EOF
#!/bin/sh
#SBATCH --job-name=llm-batch
#SBATCH --array=0-$((n - 1))
#SBATCH --cpus-per-task=1
#SBATCH --output=$out/slurm-%A_%a.log
export MODEL='$MODEL' BIN='$B' N='$N' SAMPLE='$SAMPLE'
p=\$(ls '$prompts'/*.txt | sed -n "\$((SLURM_ARRAY_TASK_ID + 1))p")
exec '$self' one "\$p" '$out'/"\$(basename "\$p" .txt)".txt
EOF
    if command -v sbatch >/dev/null 2>&1; then
        sbatch "$out/batch.sbatch"
    else
        echo "cluster.sh: no sbatch here: on the cluster, run: sbatch $out/batch.sbatch" >&2
        echo "cluster.sh: (one task by hand: SLURM_ARRAY_TASK_ID=0 sh $out/batch.sbatch)" >&2
    fi
    ;;
*)
    sed -n '2,14s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
esac

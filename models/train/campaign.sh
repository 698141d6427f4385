#!/usr/bin/env bash
# The training campaign: the shipped models keep training in the background, on corpus v2, whenever work on the
# project goes on. One command starts or resumes it; timings pause it (codeassist bench/eval do so themselves).
#
#   bash models/train/campaign.sh start [CONFIG...]   # resume each config's run in the background (default: small)
#   bash models/train/campaign.sh pause | resume      # SIGSTOP / SIGCONT every running trainer
#   bash models/train/campaign.sh stop                # checkpoint and exit (SIGTERM; the trainer saves first)
#   bash models/train/campaign.sh status              # per run: state, step, tokens seen, last held-out loss, ETA
#
# Each run resumes from models/train/.work/<config>/ckpt.pt (training precision, written every few minutes and on
# stop); on a fresh machine without it, from the shipped F16 model. Budgets are cumulative minutes of training
# steps: raise MINUTES_<config> (or pass --minutes through CAMPAIGN_ARGS_<config>) to continue a finished run.
# Logs: models/train/.work/<config>.log; process ids: models/train/.work/campaign/<config>.pid, and <config>-w<N>.pid
# for the data-parallel workers a run with --workers starts (pause, resume and eval's pause reach them too).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${CAMPAIGN_WORK:-$here/.work}
piddir=$work/campaign
mkdir -p "$piddir"

# The campaign's recipe per config (models/README.md, "The campaign"): corpus v2, bf16 autocast, one thread per
# process. Since run 14 small has both cores (two data-parallel workers) and tiny waits: its run resumes with
# `campaign.sh start tiny` when small's is done (WORKERS_small=1 shares the cores between them as before).
MINUTES_tiny=${MINUTES_tiny:-1000}
MINUTES_small=${MINUTES_small:-1400}
WORKERS_tiny=${WORKERS_tiny:-1}
WORKERS_small=${WORKERS_small:-2}
args_for() {
  case "$1" in
    tiny)  echo "--config tiny --threads 1 --workers $WORKERS_tiny --minutes $MINUTES_tiny --lr 1e-3 --warmup 50 --ckpt-minutes 5 ${CAMPAIGN_ARGS_tiny:-}" ;;
    small) echo "--config small --threads 1 --workers $WORKERS_small --minutes $MINUTES_small --lr 5e-4 --warmup 50 --ckpt-minutes 5 ${CAMPAIGN_ARGS_small:-}" ;;
    *) echo "campaign: unknown config $1 (tiny, small)" >&2; return 2 ;;
  esac
}

pid_of() {  # the live trainer's pid for a config, or nothing (stale pid files are removed)
  local f=$piddir/$1.pid pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "train.py"; then
    echo "$pid"
  else
    rm -f "$f"
  fi
}

state_of() {  # running | paused | stopped
  local pid
  pid=$(pid_of "$1")
  if [ -z "$pid" ]; then echo stopped; return; fi
  if [ "$(awk '{print $3}' "/proc/$pid/stat")" = "T" ]; then echo paused; else echo running; fi
}

# The runs named, else CAMPAIGN_CONFIGS, else small. One thread per process: measured on this machine, small trains as
# fast beside tiny as alone, and two threads for one process are slower than one (models/README.md, "Run 11"); two
# processes of one run (--workers 2) use both cores ("Run 14").
configs() { if [ $# -gt 0 ]; then echo "$@"; else echo "${CAMPAIGN_CONFIGS:-small}"; fi; }

worker_pids() {  # the live data-parallel workers of a config's run
  local f pid
  for f in "$piddir/$1"-w*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "train.py"; then
      echo "$pid"
    else
      rm -f "$f"
    fi
  done
}

cmd=${1:-status}
shift || true
case "$cmd" in
  start)
    bash "$repo/scripts/ensure-debian-packages.sh" "the training campaign" \
      python3-torch python3-numpy python3-regex libopenblas0-pthread
    for c in $(configs "$@"); do
      a=$(args_for "$c")
      if [ -n "$(pid_of "$c")" ]; then echo "campaign: $c already $(state_of "$c") (pid $(pid_of "$c"))"; continue; fi
      # shellcheck disable=SC2086
      setsid nohup env OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE \
        /usr/bin/python3 "$here/train.py" $a --workdir "$work" >> "$work/$c.log" 2>&1 < /dev/null &
      echo $! > "$piddir/$c.pid"
      echo "campaign: $c started (pid $!): train.py $a; log $work/$c.log"
    done
    ;;
  pause|resume)
    sig=STOP; [ "$cmd" = resume ] && sig=CONT
    for c in $(configs "$@"); do
      pid=$(pid_of "$c")
      [ -n "$pid" ] || continue
      workers=$(worker_pids "$c" | tr '\n' ' ')
      # shellcheck disable=SC2086
      kill -s "$sig" "$pid" $workers
      echo "campaign: $c ${cmd}d (pid $pid${workers:+; workers ${workers% }})"
    done
    ;;
  stop)
    for c in $(configs "$@"); do
      pid=$(pid_of "$c")
      [ -n "$pid" ] || continue
      # shellcheck disable=SC2046
      kill -s CONT "$pid" $(worker_pids "$c"); kill -s TERM "$pid"  # the first process stops its workers
      for _ in $(seq 1 120); do [ -d "/proc/$pid" ] || break; sleep 1; done
      rm -f "$piddir/$c.pid"
      echo "campaign: $c stopped after its checkpoint (pid $pid)"
    done
    ;;
  status)
    printf '%-6s %-8s %8s %9s %10s %8s %8s  %s\n' run state step tokens held-out best ETA "last line"
    for c in $(configs "$@"); do
      log=$work/$c.log
      last=$( [ -f "$log" ] && grep -E '^step ' "$log" | tail -1 || true)
      step=$(echo "$last" | awk '{print $2}')
      tokens=$(echo "$last" | sed -n 's/.*tokens \([0-9.]*M\).*/\1/p')
      eta=$(echo "$last" | sed -n 's/.*ETA \([0-9.]*m\).*/\1/p')
      ev=$work/$c/evals.tsv
      held=$( [ -f "$ev" ] && tail -1 "$ev" | cut -f4 || echo -)
      # the best of the weights (column 4) and of their average (column 6, where the run keeps one)
      best=$( [ -f "$ev" ] && awk -F'\t' '{print $4; if (NF >= 6) print $6}' "$ev" | sort -n | head -1 || echo -)
      printf '%-6s %-8s %8s %9s %10s %8s %8s  %s\n' "$c" "$(state_of "$c")" "${step:--}" "${tokens:--}" \
        "${held:--}" "${best:--}" "${eta:--}" "$(tail -1 "$log" 2>/dev/null | cut -c1-60)"
    done
    ;;
  *) echo "usage: campaign.sh start|pause|resume|stop|status [CONFIG...]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# CPU time of a process's threads, summed by thread name, in nanoseconds (Linux
# `/proc/PID/task/*/schedstat`), one "name ns" line each; with a second argument, a file
# an earlier call wrote, prints the difference divided by that many events as
# "name µs-per-event" instead:
#
#   scripts/thread-cpu.sh PID > before; ...; scripts/thread-cpu.sh PID before 60000
set -euo pipefail
PID=$1
now() {
  for t in /proc/"$PID"/task/*; do
    name=$(tr ' ' '_' <"$t/comm" 2>/dev/null) || continue
    ns=$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null) || continue
    echo "$name $ns"
  done | awk '{s[$1] += $2} END {for (n in s) print n, s[n]}' | sort
}
if [ $# -lt 3 ]; then now; exit 0; fi
now | awk -v events="$3" 'NR == FNR {b[$1] = $2; next}
  {d = ($2 - b[$1]) / 1000 / events; t += d; if (d >= 0.05) printf "  %-18s %8.1f µs/event\n", $1, d}
  END {printf "  %-18s %8.1f µs/event\n", "all threads", t}' "$2" -

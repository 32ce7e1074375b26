# Sourced by compare.sh, compare-published.sh and sweep.sh: the CPU time the hypervisor withheld from this machine
# while it had work ("steal"), from the aggregate cpu line of /proc/stat (HostSteal.cs reads the same for the
# alternating rounds). On bare metal, and on hosts that do not account it, steal stays 0.

# cpu_ticks: prints "BUSY STEAL", clock ticks summed over every CPU (busy: user, nice, system, irq, softirq), or
# nothing where /proc/stat cannot be read.
cpu_ticks() {
  [ -r /proc/stat ] || return 0
  # printf "%.0f", not print: mawk (Debian's awk) prints numbers from 2^31 on as %.6g (2.14749e+09), which a long-running
  # or many-CPU machine's busy ticks reach, and the difference of two rounded readings is no share at all.
  awk '$1 == "cpu" { printf "%.0f %.0f\n", $2 + $3 + $4 + $7 + $8, ($9 == "" ? 0 : $9); exit }' /proc/stat
}

# steal_note "START" "END": a sentence giving the share of the CPU time the machine's work asked for that the host
# withheld between two cpu_ticks readings, bold from 2 % on; nothing when either reading is missing or under about a CPU-second passed.
steal_note() {
  [ -n "$1" ] && [ -n "$2" ] || return 0
  awk -v a="$1" -v b="$2" 'BEGIN {
    split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; st = y[2] - x[2]
    if (busy + st < 100) exit  # under about a CPU-second: too few ticks for a share
    p = 100 * st / (busy + st)
    s = sprintf("the hypervisor withheld %.1f %% of the CPU time this machine'"'"'s work asked for during the run (steal time, /proc/stat)", p)
    if (p >= 2) printf "**Other guests took CPU time from this one**: %s, so its timings are likelier too slow than too fast.", s
    else printf "Host steal: %s.", s
  }'
}

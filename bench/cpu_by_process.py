"""Where a command's CPU goes, by kind of process (issue 24: what makes `make test` long): runs the command and reads
every process's /proc/PID/stat twice a second until it ends, keeping each process's last CPU time (user + system),
then prints the seconds per kind — page kernels, Chromium, the workbook servers, hubs, pytest, PostgreSQL… — and how
many processes of each there were. A process that lives under half a second is missed; the machine's own kernel
threads are counted under "system". Linux only.

Run: .venv/bin/python bench/cpu_by_process.py -- .venv/bin/pytest -n 2 --dist loadfile tests/browser
(measured on the server lane, 2026-12-06: page kernels ≈ 2.0–2.9 s of CPU each, Chromium ≈ 1.7–3 s per page load)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

KINDS = (  # (kind, words of the command line), the first that matches
    ("page kernel", ("ipykernel", "forked_kernels")),  # forked ones show their helper's command (and it is counted)
    ("chromium", ("chrom",)),
    ("single-user server", ("singleuser",)),
    ("hub", ("jupyterhub",)),
    # (`telesales serve` is the server's own process: it runs the server where it checked the settings)
    (
        "workbook server (voila)",
        ("telesales_training.web.webapp", "telesales_training.web.cli", "telesales serve", "telesales dashboard"),
    ),
    ("playwright driver", ("playwright",)),
    ("pytest", ("pytest", "xdist", "execnet")),
    ("postgresql", ("postgres",)),
    ("lrs", ("ralph", "uvicorn")),
    ("proxy", ("configurable-http-proxy", "node")),
    ("telesales (other)", ("telesales",)),
)


def kind_of(command: str) -> str:
    if not command:
        return "system"
    for kind, words in KINDS:
        if any(word in command for word in words):
            return kind
    return "other: " + Path(command.split(" ")[0]).name


def sample(seen: dict[tuple[str, str], list], ticks_per_second: float) -> None:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rfind(")") + 2 :].split()
            used = (int(fields[11]) + int(fields[12])) / ticks_per_second
            key = (pid, fields[19])  # the pid and its start time: one process
            if key not in seen:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                seen[key] = [kind_of(command.strip()), 0.0, command.strip()]
            seen[key][1] = max(seen[key][1], used)
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--others", type=int, default=0, help="also list this many of the busiest 'other' processes")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run (after --)")
    arguments = parser.parse_args()
    command = [word for word in arguments.command if word != "--"]
    if not command:
        parser.error("name a command to run, after --")
    ticks = os.sysconf("SC_CLK_TCK")
    seen: dict[tuple[str, str], list] = {}
    sample(seen, ticks)
    before = {key: used for key, (_kind, used, _command) in seen.items()}  # what ran before the command is not its
    began = time.monotonic()
    running = subprocess.Popen(command)
    while running.poll() is None:
        sample(seen, ticks)
        time.sleep(0.5)
    wall = time.monotonic() - began
    seconds: Counter[str] = Counter()
    processes: Counter[str] = Counter()
    others: list[tuple[float, str]] = []
    for key, (kind, used, line) in seen.items():
        spent = used - before.get(key, 0.0)
        if spent > 0:
            seconds[kind] += spent
            processes[kind] += 1
            if kind.startswith("other"):
                others.append((spent, line))
    print(f"\n{' '.join(command)}: exit {running.returncode}, {wall:.0f} s wall, {sum(seconds.values()):.0f} s CPU")
    for kind, spent in seconds.most_common():
        print(f"{spent:9.1f} s CPU  {processes[kind]:5d} processes  {kind}")
    for spent, line in sorted(others, reverse=True)[: arguments.others]:
        print(f"{spent:9.1f} s CPU  other: {line[:160]}")
    return running.returncode


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes benches/compare.sh's table into the README between its markers.

    python3 benches/readme_table.py OUTPUT_FILE LOAD_BEFORE SETTINGS

OUTPUT_FILE is what compare.sh printed, LOAD_BEFORE the load average when it started,
SETTINGS the variables it ran with. The block between `<!-- compare.sh table: begin -->`
and `<!-- compare.sh table: end -->` is replaced by the date, the machine (CPU model,
cores, memory, kernel, load average before and after), the versions of both servers,
the settings, and the table itself; everything else in the README is left alone.
"""
import datetime
import os
import platform
import subprocess
import sys

BEGIN = "<!-- compare.sh table: begin -->"
END = "<!-- compare.sh table: end -->"


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def mem_gib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / (1 << 20)
    return 0.0


def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def main():
    out_file, load_before, settings = sys.argv[1], sys.argv[2], sys.argv[3]
    here = os.path.dirname(os.path.abspath(__file__))
    readme = os.path.join(here, "..", "README.md")
    table = open(out_file).read().rstrip("\n")
    with open("/proc/loadavg") as f:
        load_after = " ".join(f.read().split()[:3])
    redis = run("redis-server", "--version").split(" v=")[-1].split()[0]
    rev = run("git", "-C", here, "rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if run("git", "-C", here, "status", "--porcelain", "--untracked-files=no") else ""
    block = "\n".join([
        BEGIN,
        f"Written by `UPDATE_README=1 bash benches/compare.sh` on {datetime.date.today().isoformat()}:"
        f" DiskDB {rev}{dirty} against redis-server {redis}, {settings}.",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, {mem_gib():.0f} GiB, Linux {platform.release()};"
        f" load average {load_before} before the run, {load_after} after.",
        "",
        "```",
        table,
        "```",
        END,
    ])
    text = open(readme).read()
    if BEGIN not in text or END not in text:
        sys.exit(f"README.md has no {BEGIN} ... {END} block")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    open(readme, "w").write(head + block + tail)
    print(f"README.md: table written ({len(table.splitlines())} lines)")


if __name__ == "__main__":
    main()

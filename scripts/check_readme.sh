#!/usr/bin/env bash
# check_readme.sh - every `bin/dsaga-bench ...` command quoted in a code
# block of README.md (and experiments/README.md, paper-figures/README.md)
# still parses (issue 20):
#   - its command is one the executable knows (`COMMAND --help` exits 0, or
#     the global --help lists it);
#   - every --option it quotes (continuation lines included) appears in the
#     command's own --help, else in the global --help;
#   - a `grid` of a config file in the tree is run with --dry-run (it must
#     exit 0: every key of the config parses), under `mpirun -np N` when
#     the quote has one (a grid's K may need N ranks);
#   - a README beside grid configs (experiments/README.md) has a table row
#     for every *.ini there, whose "N runs" is what `grid --dry-run` lists.
# usage: scripts/check_readme.sh [EXE [DOC.md ...]]
#   (default bin/dsaga-bench and the three READMEs; run by .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
EXE=${1:-bin/dsaga-bench}
shift || true
DOCS=("$@")
[ ${#DOCS[@]} -gt 0 ] || DOCS=(README.md experiments/README.md paper-figures/README.md)
[ -x "$EXE" ] || { echo "check_readme: $EXE not built (make)" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
exec /usr/bin/python3 - "$EXE" "${DOCS[@]}" <<'PY'
import os, re, shlex, subprocess, sys

exe, docs = sys.argv[1], sys.argv[2:]
fails, checked, configs_checked = [], 0, 0
helps = {}


def run(args, timeout=120):
    p = subprocess.run([exe] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


def help_of(cmd):
    if cmd not in helps:
        rc, out = run([cmd, "--help"]) if cmd else run(["--help"])
        helps[cmd] = out if rc == 0 else None
    return helps[cmd]


def commands(path):
    """(line number, text) of each bin/dsaga-bench command in code blocks,
    with its indented continuation lines joined."""
    out, code, cur = [], False, None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.lstrip().startswith("```"):
            code = not code
            cur = None
            continue
        if not code:
            continue
        if "bin/dsaga-bench" in line:
            cur = [n, line.strip()]
            out.append(cur)
        elif cur and line.startswith((" ", "\t")) and line.strip().startswith("["):
            cur[1] += " " + line.strip()
        else:
            cur = None
    return out


for doc in docs:
    if not os.path.exists(doc):
        continue
    for n, text in commands(doc):
        where = "%s:%d" % (doc, n)
        line = text.split(" #")[0].strip()  # trailing comments
        words = line[line.index("bin/dsaga-bench") + len("bin/dsaga-bench"):].split()
        if not words:
            continue
        cmd = words[0]
        checked += 1
        if cmd.startswith("-"):  # --version, --help
            rc, out = run([cmd])
            if rc != 0:
                fails.append("%s: `dsaga-bench %s` exits %d" % (where, cmd, rc))
            continue
        own, glob = help_of(cmd), help_of("")
        if own is None and (glob is None or not re.search(r"\b%s\b" % re.escape(cmd), glob)):
            fails.append("%s: command %r is unknown to %s" % (where, cmd, exe))
            continue
        text_help = (own or "") + "\n" + (glob or "")
        for opt in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", " ".join(words[1:])))):
            if opt not in text_help:
                fails.append("%s: %s %s: not in `%s --help`" % (where, cmd, opt, cmd))
        if cmd == "grid" and len(words) > 1 and os.path.isfile(words[1]):
            args = [w for w in words[1:] if w not in ("--dry-run",)]
            try:
                args = shlex.split(" ".join(args))
            except ValueError:
                pass
            prefix = line[:line.index("bin/dsaga-bench")]
            np_ = re.search(r"-np\s+(\d+)", prefix)
            if "mpirun" in prefix and np_:  # as quoted: K may need that many ranks
                p = subprocess.run(["mpirun", "--oversubscribe", "-q", "-np", np_.group(1), exe,
                                    "grid"] + args + ["--dry-run"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
                rc, out = p.returncode, p.stdout + p.stderr
            else:
                rc, out = run(["grid"] + args + ["--dry-run"])
            if rc != 0:
                fails.append("%s: grid %s --dry-run exits %d: %s" % (
                    where, " ".join(args), rc, out.strip().splitlines()[-1:]))

# A README beside grid configs (experiments/README.md) has a table row for
# each of them, "| `NAME.ini` | what | N runs, ... |", and N is the number of
# cells `grid NAME.ini --dry-run` lists: a config added without its row, or
# a grid that grew, fails here.
for doc in docs:
    folder = os.path.dirname(doc) or "."
    if not os.path.exists(doc) or os.path.basename(doc) != "README.md":
        continue
    configs = sorted(f for f in os.listdir(folder) if f.endswith(".ini"))
    if not configs:
        continue
    rows = {}
    for n, line in enumerate(open(doc, encoding="utf-8"), 1):
        m = re.match(r"\|\s*`([\w.-]+\.ini)`\s*\|.*\|\s*([^|]*)\|\s*$", line)
        if m:
            rows[m.group(1)] = (n, m.group(2))
    for name in configs:
        configs_checked += 1
        if name not in rows:
            fails.append("%s: %s has no row in its table" % (doc, name))
            continue
        n, size = rows[name]
        said = re.match(r"\s*([\d ]+) runs", size)
        if not said:
            fails.append("%s:%d: %s: size %r does not start with \"N runs\"" % (doc, n, name, size.strip()))
            continue
        rc, out = run(["grid", os.path.join(folder, name), "--dry-run"])
        cells = sum(1 for ln in out.splitlines() if re.match(r"\d{6} ", ln))
        if rc != 0 or cells != int(said.group(1).replace(" ", "")):
            fails.append("%s:%d: %s: says %s runs, grid --dry-run lists %d (exit %d)" % (
                doc, n, name, said.group(1).strip(), cells, rc))
for f in fails:
    print("check_readme: " + f)
print("check_readme: %d command(s) quoted in %s and %d grid config(s) checked, %d problem(s)"
      % (checked, ", ".join(docs), configs_checked, len(fails)))
sys.exit(1 if fails else 0)
PY

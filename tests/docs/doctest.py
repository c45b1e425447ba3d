#!/usr/bin/env python3
"""Runs the examples of the documentation as written (tests/docs/README.md).

In a Markdown file, a fenced block whose info string is `sh runnable` is run; one whose info
string names a file under examples/ (```yaml examples/web1.yaml) must hold exactly that file's
text. The runnable blocks of one document run in order in one bash, like a reader following
it (`sh runnable isolated`: in a subshell, so its `export`s end with it): each command
line must exit 0, or N when its comment says `exit N`; a comment
`# prints TEXT` also checks what it printed (stripped). Other comments are for the reader.

Each document runs against a fresh world: private mount and network namespaces with tmpfs on
/srv, /tmp, /var/log, /var/lib/ct and /opt, /usr/local writable over a tmpfs (busybox rootfs at /srv/rootfs/busybox and
/var/lib/ct/rootfs/busybox), its own state root and cgroup parent in $CT_CONNECT, and a
scratch working directory holding `examples`, `tools` and `build` (links to the tree's). At the
end nothing may be left: no container, state file or cgroup.

usage: doctest.py --src SRC --build BUILD [--ct CT] FILE.md...
       doctest.py --src SRC --build BUILD --update FILE.md...  (blocks of examples/ files from
       the files, after editing one)
"""

import argparse
import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^(`{3,})(.*)$")


def blocks(path):
    """(first line number, info string, text) of each fenced block."""
    out, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = FENCE.match(line.rstrip("\n"))
            if cur is None and m:
                cur = (n + 1, m.group(2).strip(), [], m.group(1))
            elif cur is not None and line.rstrip("\n") == cur[3]:
                out.append((cur[0], cur[1], "".join(cur[2])))
                cur = None
            elif cur is not None:
                cur[2].append(line)
    if cur is not None:
        raise SystemExit(f"{path}:{cur[0] - 1}: unterminated fenced block")
    return out


def logical_lines(first, text):
    """(line number, command) with backslash continuations joined; comments alone skipped."""
    lines, acc, start = [], "", None
    for i, raw in enumerate(text.splitlines()):
        if start is None:
            start = first + i
        if raw.endswith("\\"):
            acc += raw + "\n"
            continue
        acc += raw
        if acc.strip() and not acc.strip().startswith("#"):
            lines.append((start, acc))
        acc, start = "", None
    return lines


def expectation(command):
    """(exit code, printed text or None) from the comment ending `command`."""
    m = re.search(r"\s#\s+(.*)$", command.splitlines()[-1])
    code, prints = 0, None
    if m:
        note = m.group(1).strip()
        p = re.match(r"prints (.+)$", note)
        e = re.search(r"\bexit (\d+)\b", note)
        if p:  # what it prints is the rest of the comment
            prints = p.group(1).strip()
        elif e:
            code = int(e.group(1))
    return code, prints


PROLOGUE = r"""
set +e -o pipefail
cd "$SCRATCH" || exit 93
ip link set lo up || exit 89
# The tree and the build, when they lie under a directory the document gets a tmpfs of, are
# kept visible at their own paths (a checkout in /tmp): set aside first, bound back after.
__n=0
for p in $DOCTEST_KEEP; do
  mkdir -p "$SCRATCH/.keep$__n" && mount --bind "$p" "$SCRATCH/.keep$__n" || exit 87
  __n=$((__n + 1))
done
for d in __MASKED__; do
  mkdir -p $d && mount -t tmpfs doctest $d || exit 90
done
__n=0
for p in $DOCTEST_KEEP; do
  mkdir -p "$p" && mount --bind "$SCRATCH/.keep$__n" "$p" || exit 87
  __n=$((__n + 1))
done
# /usr/local (cmake --install's default prefix) as it is, with writes going to a tmpfs.
mkdir -p /tmp/.usr-local/upper /tmp/.usr-local/work && mount -t overlay doctest \
  -o lowerdir=/usr/local,upperdir=/tmp/.usr-local/upper,workdir=/tmp/.usr-local/work \
  /usr/local || exit 88
"$MKROOTFS" /srv/rootfs/busybox >/dev/null || exit 91
mkdir -p /var/lib/ct/rootfs/busybox && mount --bind /srv/rootfs/busybox /var/lib/ct/rootfs/busybox \
  || exit 92
__out=$(mktemp)
__rc=0
__status() { return "$1"; }  # gives each command the $? of the one before it
__check() {  # FILE:LINE expected-code expected-text-or-empty has-text rc
  if [ "$5" -ne "$2" ]; then
    echo "doctest: $1: exit $5, expected $2" >&2; exit 1
  fi
  if [ "$4" = 1 ] && [ "$(tr '\n' ' ' <"$__out" | sed 's/^[ \t]*//;s/[ \t]*$//')" != "$3" ]; then
    echo "doctest: $1: printed '$(cat "$__out")', expected '$3'" >&2; exit 1
  fi
}
"""


# The directories each document gets a tmpfs of (the paths the docs write to).
MASKED = ["/srv", "/tmp", "/var/log", "/var/lib/ct", "/opt"]


def kept_paths(*paths):
    """Those of `paths` that a tmpfs of MASKED would hide."""
    out = []
    for p in paths:
        real = os.path.realpath(p)
        if any(real == m or real.startswith(m + "/") for m in MASKED) and real not in out:
            out.append(real)
    return out


def script_for(doc, runnable):
    parts = [PROLOGUE.replace("__MASKED__", " ".join(MASKED))]
    for first, text, isolated in runnable:
        if isolated:  # its exports and cd stay inside it
            parts.append("(\n")
        for n, cmd in logical_lines(first, text):
            code, prints = expectation(cmd)
            where = f"{doc}:{n}"
            parts.append(f"echo {shlex.quote('$ ' + cmd.splitlines()[0])} >&2\n")
            parts.append(f"__status $__rc; {{ {cmd}\n}} </dev/null >\"$__out\"; __rc=$?; cat \"$__out\"\n")
            parts.append(f"__check {shlex.quote(where)} {code} "
                         f"{shlex.quote(prints or '')} {1 if prints is not None else 0} $__rc\n")
        if isolated:
            parts.append("exit 0\n) || exit 1\n")
    parts.append("exit 0\n")
    return "".join(parts)


def leftovers(ct, env, state_root, cgroup_parent):
    """Destroys what a document left; returns what there was."""
    found = []
    r = subprocess.run([ct, "list", "-q"], env=env, capture_output=True, text=True)
    for name in r.stdout.split():
        found.append(f"container {name}")
        subprocess.run([ct, "destroy", "--force", name], env=env, capture_output=True)
    if os.path.isdir(state_root):
        for e in os.listdir(state_root):
            if e != "linux":
                found.append(f"state {e}")
        for e in os.listdir(os.path.join(state_root, "linux")) if os.path.isdir(
                os.path.join(state_root, "linux")) else []:
            found.append(f"state linux/{e}")
        shutil.rmtree(state_root, ignore_errors=True)
    for cg in sorted(set(glob.glob(f"/sys/fs/cgroup/*/{cgroup_parent}"))):
        for sub in sorted(glob.glob(cg + "/*/"), reverse=True):
            found.append(f"cgroup {sub}")
            try:
                os.rmdir(sub)
            except OSError:
                pass
        try:
            os.rmdir(cg)
        except OSError as e:
            found.append(f"cgroup {cg} ({e.strerror})")
    return found


def check_files(src, doc, fenced):
    errors = []
    for first, info, text in fenced:
        words = info.split()
        if len(words) >= 2 and words[1].startswith("examples/"):
            path = os.path.join(src, words[1])
            if not os.path.isfile(path):
                errors.append(f"{doc}:{first - 1}: {words[1]} is not in the repository")
            elif open(path, encoding="utf-8").read() != text:
                errors.append(f"{doc}:{first - 1}: the block differs from {words[1]}")
    return errors


def update_files(src, doc):
    """Rewrites the blocks that show a file of examples/ with the file's text."""
    lines = open(doc, encoding="utf-8").read().splitlines(keepends=True)
    out, i = [], 0
    while i < len(lines):
        out.append(lines[i])
        m = FENCE.match(lines[i].rstrip("\n"))
        words = m.group(2).split() if m else []
        if m and len(words) >= 2 and words[1].startswith("examples/"):
            with open(os.path.join(src, words[1]), encoding="utf-8") as f:
                out.append(f.read())
            i += 1
            while lines[i].rstrip("\n") != m.group(1):
                i += 1
            out.append(lines[i])
        elif m:  # another block: copied as it is
            i += 1
            while lines[i].rstrip("\n") != m.group(1):
                out.append(lines[i])
                i += 1
            out.append(lines[i])
        i += 1
    with open(doc, "w", encoding="utf-8") as f:
        f.write("".join(out))


def run_doc(args, doc, runnable):
    tag = f"ct-doctest-{os.getpid()}-{re.sub('[^a-z0-9]+', '-', os.path.basename(doc))}"
    state_root = f"/run/{tag}"
    env = dict(os.environ)
    env["CT_CONNECT"] = f"linux:///?root={state_root}&cgroup_parent={tag}"
    env["PATH"] = os.path.dirname(args.ct) + ":" + env.get("PATH", "/usr/bin:/bin")
    env["CT_CONFIG"] = "/dev/null/none"  # the machine's ct.conf plays no part
    # Not under /tmp, which the document gets a tmpfs of its own on.
    scratch = tempfile.mkdtemp(prefix="ct-doctest-", dir="/run")
    for name, target in (("examples", os.path.join(args.src, "examples")),
                         ("tools", os.path.join(args.src, "tools")), ("build", args.build)):
        os.symlink(target, os.path.join(scratch, name))
    env["SCRATCH"] = scratch
    env["DOCTEST_KEEP"] = " ".join(kept_paths(args.src, args.build, os.path.dirname(args.ct)))
    env["MKROOTFS"] = os.path.join(args.src, "tools", "mkrootfs-busybox.sh")
    label = doc if doc.startswith("ct ") else os.path.relpath(doc, args.src)
    script = script_for(label, runnable)
    proc = subprocess.Popen(["unshare", "--mount", "--net", "--propagation", "private", "bash", "-c",
                             script], env=env, start_new_session=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=args.timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        out += f"\ndoctest: timed out after {args.timeout} s\n"
        rc = -1
    left = leftovers(args.ct, env, state_root, tag)
    shutil.rmtree(scratch, ignore_errors=True)
    ok = rc == 0 and not left
    if not ok:
        print(f"--- {label} (exit {rc}):\n{out}")
        for what in left:
            print(f"doctest: left behind: {what}")
    return ok


# The containers the examples of `ct COMMAND --help` act on, and what they may leave.
HELP_SETUP = "ct run -d --name web1 --rootfs /srv/rootfs/busybox httpd -f -p 8080\n"
HELP_TEARDOWN = ("for c in web1 job1 job2 hello; do ct destroy --force $c 2>/dev/null; done; "
                 "ct -c 'linux:///?root=/tmp/ct-other&cgroup_parent=other' destroy --force web1 "
                 "2>/dev/null; rmdir /sys/fs/cgroup/*/other 2>/dev/null; rm -rf /tmp/ckpt-web1; "
                 ": # exit 0\n")
NEEDS_WEB1 = {"exec", "wait", "info", "ps", "stats", "kill", "pause", "resume", "update",
              "checkpoint", "restore", "migrate"}


def help_examples(ct):
    """(label, runnable blocks) of the examples in `ct --help` and each `ct COMMAND --help`."""
    def examples(args):
        out = subprocess.run([ct] + args, capture_output=True, text=True,
                             env=dict(os.environ, CT_CONFIG="/dev/null/none")).stdout
        if "\nExamples:\n" not in out:
            return []
        lines = []
        for line in out.split("\nExamples:\n", 1)[1].splitlines():
            if not line.startswith("  "):
                break
            lines.append(line[2:])
        return lines
    top = subprocess.run([ct, "--help"], capture_output=True, text=True).stdout
    names = []
    for line in top.split("\nCommands:\n", 1)[1].splitlines():
        if not line.startswith("  "):
            break
        names.append(line.split()[0])
    blocks = [(1, "\n".join(examples(["--help"])) + "\n" + HELP_TEARDOWN, False)]
    for i, name in enumerate(names, 2):
        lines = examples([name, "--help"])
        if not lines:
            raise SystemExit(f"doctest: ct {name} --help has no examples")
        setup = HELP_SETUP if name in NEEDS_WEB1 else ""
        blocks.append((i * 100, setup + "\n".join(lines) + "\n" + HELP_TEARDOWN, False))
    return blocks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--ct", help="the ct to run (default: BUILD/bin/ct)")
    ap.add_argument("--timeout", type=int, default=240)
    ap.add_argument("--update", action="store_true",
                    help="rewrite the blocks that show examples/ files from the files, and stop")
    ap.add_argument("--help-examples", action="store_true",
                    help="also run the examples of `ct --help` and every `ct COMMAND --help`")
    ap.add_argument("docs", nargs="*")
    args = ap.parse_args()
    if args.update:
        for doc in args.docs:
            update_files(args.src, doc)
        return 0
    args.src, args.build = os.path.abspath(args.src), os.path.abspath(args.build)
    args.ct = os.path.abspath(args.ct or os.path.join(args.build, "bin", "ct"))
    errors, to_run = [], []
    for doc in args.docs:
        fenced = blocks(doc)
        errors += check_files(args.src, doc, fenced)
        runnable = [(f, t, "isolated" in i.split()[2:]) for f, i, t in fenced
                    if i.split()[:2] == ["sh", "runnable"]]
        if runnable:
            to_run.append((doc, runnable))
    for e in errors:
        print(e)
    if args.help_examples:
        to_run.append(("ct --help", help_examples(args.ct)))
    if to_run and os.geteuid() != 0:
        print("doctest: SKIP running the examples: they need root (namespaces, cgroups)")
        return 1 if errors else 77
    ok = not errors
    for doc, runnable in to_run:
        ok = run_doc(args, doc, runnable) and ok
    print("doctest:", "OK" if ok else "FAILED", f"({len(to_run)} documents run)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""docs/python.md stays true: its example (the first python block) runs, in a Python process of
its own, against the test's backend, and prints what the doc says (the text block after it)."""

import os
import re
import subprocess
import sys


def example():
    with open(os.environ["CT_PYTHON_DOC"]) as f:
        doc = f.read()
    m = re.search(r"```python\n(.*?)```.*?```text\n(.*?)```", doc, re.S)
    assert m, "docs/python.md has no python example followed by its output"
    return m.group(1), m.group(2)


def test_the_documented_example_runs_as_documented(env):
    code, expected = example()
    run_env = dict(os.environ, CT_CONNECT=env.uri, ROOTFS=env.rootfs)
    r = subprocess.run([sys.executable, "-c", code], env=run_env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == expected

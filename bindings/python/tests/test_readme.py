"""The README's Python example runs as written (its asserts are the checks)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_python_example_runs():
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "README section 'Python' has no ```python example"
    exec(compile(blocks[0], str(README), "exec"), {"__name__": "readme_example"})

"""Fails (exit 1) when an executed notebook holds an error output or an
unexecuted code cell; prints the offending cell. Usage: check_notebook.py NB."""
import json
import sys

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    nb = json.load(f)
problems = []
for i, cell in enumerate(nb["cells"]):
    if cell["cell_type"] != "code":
        continue
    if cell.get("execution_count") is None and "".join(cell["source"]).strip():
        problems.append(f"cell {i} was not executed")
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            problems.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
        elif out.get("name") == "stderr" and "panic:" in "".join(out.get("text", "")):
            problems.append(f"cell {i} panicked:\n" + "".join(out["text"])[-2000:])
if problems:
    print(f"{path}: " + "\n".join(problems), file=sys.stderr)
    sys.exit(1)

"""The layout says the architecture: no import cycle, nothing imports upward, and the
keys the memo keeps results under change whenever what a stage reads changes."""
from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import pytest

from dossier.keys import document_key, source_key, sources_key
from dossier.models import Source, SourceId

PACKAGE = Path(__file__).resolve().parent.parent / "dossier"
# Lower layers first: a module may import from its own layer and the ones before it.
LAYERS = [
    {"__init__", "models", "errors", "files", "urls", "dates", "text", "keys", "config"},
    {"memo", "memo.engine"},
    {"pipeline"},
    {"pages"},
    {"output"},
    {"memo.disk", "build"},
    {"commands", "serve", "__main__"},
]


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts) or "__init__"


def _imports(path: Path) -> set[str]:
    """The dossier modules `path` imports (relative or absolute), at any depth in the file."""
    me = _module(path).split(".")
    package = me if path.name == "__init__.py" else me[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.startswith("dossier"):
                target = node.module.split(".")[1:]
            else:
                continue
            names = [a.name for a in node.names]
            for name in names:  # `from .. import dates` imports a module, not a name
                candidate = ".".join([*target, name])
                out.add(candidate if _exists(candidate) else ".".join(target) or "__init__")
    return {m for m in out if _exists(m)}


def _exists(module: str) -> bool:
    path = PACKAGE.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists() or module == "__init__"


def _layer(module: str) -> int:
    """The layer of the longest entry that names the module or a package holding it."""
    found = [(len(m), n) for n, layer in enumerate(LAYERS) for m in layer
             if module == m or module.startswith(m + ".")]
    assert found, f"{module} is in no layer: add it to LAYERS"
    return max(found)[1]


GRAPH = {_module(p): _imports(p) for p in PACKAGE.rglob("*.py") if "themes" not in p.parts}


def test_no_module_imports_a_layer_above_its_own():
    upward = sorted(f"{a} → {b}" for a, deps in GRAPH.items() for b in deps if _layer(b) > _layer(a))
    assert upward == []


def test_no_import_cycle():
    seen, stack, cycles = set(), [], []

    def visit(m):
        if m in stack:
            cycles.append(stack[stack.index(m):] + [m])
            return
        if m in seen:
            return
        seen.add(m)
        stack.append(m)
        for dep in GRAPH.get(m, ()):
            visit(dep)
        stack.pop()
    for module in GRAPH:
        visit(module)
    assert cycles == []


def test_the_check_sees_the_imports_it_judges():
    """The walk above is not vacuous: relative, absolute and in-function imports are seen."""
    assert "pipeline.load" in GRAPH["build"] and "models" in GRAPH["pipeline.load"]
    assert "output.search" in GRAPH["memo.disk"]  # imported inside a function
    assert _layer("serve.server") > _layer("output.render") > _layer("pages.builders") > _layer("pipeline.dedup")
    assert _layer("memo.disk") > _layer("output") and _layer("memo") < _layer("pipeline")



# ---- content keys: a change to anything a stage reads changes its key -------------

SOURCE = Source(SourceId("articles/a.txt"), "article", {"title": "T", "outlet": "O"}, "Body text.", 1, "ab" * 32,
                {"title": 1})
CHANGED = {"id": SourceId("articles/b.txt"), "kind": "note", "meta": {"title": "T", "outlet": "P"},
           "body_line": 3, "sha": "cd" * 32}
# fields clean() does not read for its key: the text is the bytes (sha), lines only point errors
NOT_READ = {"text", "lines"}


@pytest.mark.parametrize("name", [f.name for f in fields(Source) if f.name not in NOT_READ])
def test_each_field_a_stage_reads_changes_the_key(name):
    other = replace(SOURCE, **{name: CHANGED[name]})
    assert source_key(other) != source_key(SOURCE)
    assert document_key(other) != document_key(SOURCE)
    assert sources_key([other]) != sources_key([SOURCE])


def test_the_fields_left_out_are_derived_from_the_ones_in():
    """text is the file's bytes (sha256 covers them) and lines the front matter's lines
    (the meta covers its values): the key is unchanged only by a change no file can make."""
    assert set(CHANGED) | NOT_READ == {f.name for f in fields(Source)}


def test_a_dossier_of_text_files_imports_neither_trafilatura_nor_asyncio(tmp_path):
    """What only saved web pages (trafilatura, 0.1 s) or a cluster (asyncio) need is
    imported when they are there: otherwise it is time on one core before anything else."""
    site = Path(__file__).resolve().parent.parent
    code = ("import sys; from pathlib import Path; from dossier.build import build_model; "
            f"d = build_model(Path({str(site)!r})); "
            "print(len(d.documents), sorted(m for m in ('trafilatura', 'asyncio') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    count, imported = out.stdout.split(" ", 1)
    assert int(count) > 0 and imported.strip() == "[]", out.stdout

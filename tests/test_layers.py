"""The package's layers: which module may import which, and where its imports are written (issue 23).

A module imports only modules of lower layers, and at its top: a function-local import of a `mirrepro` module hides
the graph from a reader. The only ones left are the ones listed in LOCAL_IMPORTS, each with its reason. That the
light layers load without torch is checked in nbs/00_core.ipynb."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / 'mirrepro'

# lowest first; a module may import modules of lower layers only
LAYERS = [
    ('core', 'distributed'),                       # constants, atomic writes, the cache folder; torch.distributed helpers
    ('tasks',),                                    # classes, encoders, decoders, label checks (no torch)
    ('annotations', 'audio'),                      # reading and writing labels and manifests; reading audio
    ('provenance', 'manifests', 'report', 'plots', 'augment', 'references', 'synth', 'study'),
    ('realmusic',),                                # real recordings from Debian's packages, for the pools
    ('model', 'mert'),                             # the networks and their checkpoints
    ('evaluate', 'inference'),                     # scoring and predicting with a model
    ('pseudolabel',),                              # soft labels of a teacher
    ('train',),
    ('runs', 'cli'),                               # the study's runs; the command line
]
LEVEL = {m: i for i, layer in enumerate(LAYERS) for m in layer}

LOCAL_IMPORTS = {
    ('__init__', 'inference'): "`mirrepro.predict` on first use, so that `import mirrepro` stays light",
    ('synth', 'synth'): "spawned corpus workers need the importable function, not a notebook's copy",
}


def modules() -> list[str]:
    return sorted(p.stem for p in PKG.glob('*.py') if p.stem not in ('__init__', '_modidx'))


def mirrepro_imports(path: Path, top_level: bool):
    "(module imported, line) of every import of a mirrepro module in `path`, at its top level or inside functions and classes."
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        if (id(node) in top) != top_level or not isinstance(node, (ast.Import, ast.ImportFrom)): continue
        if isinstance(node, ast.Import): names = [a.name for a in node.names]
        elif node.level: names = [f"mirrepro.{node.module}" if node.module else f"mirrepro.{a.name}" for a in node.names]
        else: names = [node.module] if node.module != 'mirrepro' else [f"mirrepro.{a.name}" for a in node.names]
        for n in names:
            if n.split('.')[0] == 'mirrepro' and len(n.split('.')) > 1: yield n.split('.')[1], node.lineno


def test_every_module_has_a_layer():
    assert sorted(LEVEL) == modules(), f"place a new module in LAYERS: {sorted(set(modules()) - set(LEVEL))}"


def test_no_module_imports_one_of_its_own_layer_or_above():
    bad = [f"{m}.py:{line} imports {imp} (layer {LEVEL[imp]}, its own is {LEVEL[m]})"
           for m in modules() for imp, line in mirrepro_imports(PKG / f'{m}.py', top_level=True) if LEVEL[imp] >= LEVEL[m]]
    assert not bad, '\n'.join(bad)


def test_mirrepro_imports_are_at_the_top():
    found = {(p.stem, imp) for p in PKG.glob('*.py') for imp, _ in mirrepro_imports(p, top_level=False)}
    assert found == set(LOCAL_IMPORTS), f"function-local imports of mirrepro modules: {sorted(found - set(LOCAL_IMPORTS))} " \
                                        f"(move them to the top, or give the reason in LOCAL_IMPORTS)"


def test_the_checks_see_what_they_check(tmp_path):
    "The import scanner finds a local import and a relative one, so the tests above could fail."
    f = tmp_path / 'x.py'
    f.write_text("from .tasks import TASKS\nimport mirrepro.audio\ndef g():\n    from mirrepro.train import train\n    from . import runs\n")
    assert sorted(mirrepro_imports(f, True)) == [('audio', 2), ('tasks', 1)]
    assert sorted(mirrepro_imports(f, False)) == [('runs', 5), ('train', 4)]

"""Build the compendium's website into site/: `make docs` (after `make study`, or on any study's outputs).

    python scripts/docs.py [--study outputs/<profile>/reports/notebooks] [--out site] [--executed DIR]
    python scripts/docs.py --execute-only DIR      (the library notebooks only, executed into DIR: `make test` runs
                                                    them once this way, as their tests, and builds the site from DIR)

1. The home page is nbs/index.ipynb (which also generates README.md).
2. Every library notebook of nbs/ is executed (outputs stay out of git; a notebook that fails fails the build),
   with nbdev's `#|` directives and `#| hide` cells taken out of the rendered copy.
3. The study's executed notebooks (corpus, every training and labeling run, madmom, baselines, report) are
   copied from the study's output folder.
4. An API reference page per public module of `mirrepro`, from signatures and docstrings (mkdocstrings).
5. `mkdocs build` (mkdocs.yml: Material theme, mkdocs-jupyter, offline plugin) writes a folder that reads
   from disk, without a server or a network.
"""
import argparse, json, os, re, shutil, subprocess, sys, time
import yaml
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from readme import index_markdown  # noqa: E402

SRC = ROOT / '_site_src'


def library_notebooks():
    return sorted(p for p in (ROOT / 'nbs').glob('[0-9]*.ipynb'))


def execute_all(notebooks, dest, workers=2):
    "Execute notebooks (cwd nbs/, as nbdev_test) `workers` at a time into `dest`; raise naming every failure."
    from concurrent.futures import ThreadPoolExecutor
    dest.mkdir(parents=True, exist_ok=True)
    # the cores shared among the kernels: two torch kernels with two threads each on two cores run slower than one
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', str(max(1, (os.cpu_count() or 1) // workers)))
    def run(nb):
        return subprocess.run([sys.executable, str(ROOT / 'scripts/run_notebook.py'), str(nb), str(dest / nb.name)],
                              cwd=ROOT / 'nbs', env=env, capture_output=True, text=True)
    with ThreadPoolExecutor(workers) as pool:
        failed = [(nb, (r.stdout + r.stderr)[-3000:]) for nb, r in zip(notebooks, pool.map(run, notebooks)) if r.returncode]
    if failed:
        raise SystemExit('docs: these notebooks failed to execute:\n' + '\n'.join(f'--- {nb}\n{log}' for nb, log in failed))


def tidy(nb_path):
    "Drop `#| hide` cells and nbdev's `#|` directive lines from an executed notebook."
    nb = json.loads(nb_path.read_text())
    cells = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'code':
            if re.search(r'^#\|\s*hide\s*$', src, re.M): continue
            src = '\n'.join(l for l in src.split('\n') if not l.startswith('#|')).strip('\n')
            if not src: continue                   # a cell that held only directives (`#| default_exp`)
            c['source'] = src
        cells.append(c)
    nb['cells'] = cells
    nb_path.write_text(json.dumps(nb, indent=1))


def title(nb_path):
    for c in json.loads(nb_path.read_text())['cells']:
        if c['cell_type'] == 'markdown':
            m = re.search(r'^#\s+(.+)$', ''.join(c['source']), re.M)
            if m: return m.group(1).strip()
    return nb_path.stem


def section_index(folder, heading, intro, pages):
    lines = [f'# {heading}', '', intro, '']
    lines += [f'- [{title(p)}]({p.name}) (`{p.stem}`)' for p in pages]
    (folder / 'index.md').write_text('\n'.join(lines) + '\n')


def site_config(nav, out):
    "mkdocs.yml with the pages' navigation, written next to it (mkdocs resolves docs_dir from the config's folder)."
    import yaml
    cfg = yaml.safe_load((ROOT / 'mkdocs.yml').read_text())
    cfg.update(nav=nav, site_dir=str(out.resolve()))
    path = ROOT / '_site.yml'
    path.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))
    return path


def study_title(stem):
    "A stage's notebook name as a page title: train-chord-r2-D1 -> 'r2-D1: student'."
    kind, _, rest = stem.partition('-')
    run = rest.partition('-')[2]
    if kind == 'train': return f"{run}: {'teacher' if run == 'r1' else 'student'}"
    if kind == 'label': return f'{run}: soft labels'
    if kind == 'mert': return {'mert_p': 'MERT-P', 'mert_f': 'MERT-F'}.get(run, run)
    return {'corpus': 'Corpus', 'report': 'Report: Figure 2 and Table 3', 'madmom': "madmom's system",
            'baseline': 'trivial baseline', 'realset': 'Real-music set', 'realmusic': 'real music: agreement with madmom'}.get(kind, stem)


def study_nav(pages):
    "Corpus; per task its runs in chain order (teacher, its labels, students), then references; the report."
    by_task, top = {}, []
    for p in pages:
        kind, _, rest = p.stem.partition('-')
        if kind in ('train', 'label', 'madmom', 'baseline', 'mert', 'realmusic'): by_task.setdefault(rest.partition('-')[0], []).append(p)
        else: top.append(p)
    order = lambda p: ({'train': 0, 'label': 0, 'madmom': 1, 'baseline': 2, 'mert': 3, 'realmusic': 4}[p.stem.split('-')[0]],
                       p.stem.partition('-')[2].partition('-')[2], p.stem.startswith('label'))
    nav = [{study_title(p.stem): f'study/{p.name}'} for p in top if p.stem != 'report']
    nav += [{task: [{study_title(p.stem): f'study/{p.name}'} for p in sorted(ps, key=order)]} for task, ps in sorted(by_task.items())]
    nav += [{study_title(p.stem): f'study/{p.name}'} for p in top if p.stem == 'report']
    return nav


def public_modules():
    return sorted(p.stem for p in (ROOT / 'mirrepro').glob('*.py') if not p.stem.startswith('_'))


def build(study: Path, out: Path, executed: Path | None = None):
    "The site from the study's executed notebooks; the library's executed here, or taken from `executed` (--execute-only)."
    t0 = time.perf_counter(); times = {}
    if not study.is_dir() or not list(study.glob('*.ipynb')):
        raise SystemExit(f'docs: no executed study notebooks in {study}: run `make study` first (or pass --study DIR)')
    shutil.rmtree(SRC, ignore_errors=True); SRC.mkdir()
    (SRC / 'index.md').write_text(index_markdown())
    shutil.copytree(ROOT / 'scripts/docs_assets', SRC / 'assets')

    lib = SRC / 'library'
    if executed:
        missing = [nb.name for nb in library_notebooks() if not (executed / nb.name).exists()]
        if missing: raise SystemExit(f'docs: {executed} lacks the executed {", ".join(missing)}: run --execute-only {executed} first')
        lib.mkdir()
        for nb in library_notebooks(): shutil.copy2(executed / nb.name, lib / nb.name)
    else:
        execute_all(library_notebooks(), lib)
    for nb in lib.glob('*.ipynb'): tidy(nb)
    section_index(lib, 'The library', 'The notebooks of `nbs/`, executed: each exports a module of `mirrepro` and shows it at work.',
                  sorted(lib.glob('*.ipynb')))
    times['library notebooks'] = time.perf_counter() - t0

    st = SRC / 'study'; st.mkdir()
    pages = sorted(study.glob('*.ipynb'))
    for p in pages: shutil.copy2(p, st / p.name)
    (st / 'index.md').write_text(f'# The study\n\nEvery stage of `dvc repro` as its notebook ran, {len(pages)} notebooks: the '
                                 'corpus, the real-music set, per task the teacher, its soft labels and the students of rounds 2 and 3, '
                                 'the reference systems and every model on real music, and the [report](report.ipynb) with Figure 2 and '
                                 'Table 3.\n')

    api = SRC / 'api'; api.mkdir()
    mods = public_modules()
    for m in mods: (api / f'{m}.md').write_text(f'::: mirrepro.{m}\n')
    (api / 'index.md').write_text('# API reference\n\nThe public functions and classes of each module, from their '
                                  'signatures and docstrings.\n\n' + '\n'.join(f'- [`mirrepro.{m}`]({m}.md)' for m in mods) + '\n')

    nav = [{'Home': 'index.md'},
           {'Library': ['library/index.md'] + [{title(p): f'library/{p.name}'} for p in sorted(lib.glob('*.ipynb'))]},
           {'Study': ['study/index.md'] + study_nav(pages)},
           {'API reference': ['api/index.md'] + [{f'mirrepro.{m}': f'api/{m}.md'} for m in mods]}]
    t1 = time.perf_counter()
    r = subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '-q', '-f', str(site_config(nav, out))],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode: raise SystemExit(f'docs: mkdocs build failed\n{r.stdout}{r.stderr}')
    times['mkdocs build'] = time.perf_counter() - t1
    print(f'docs: {out}/index.html, {len(library_notebooks())} library notebooks, {len(pages)} study notebooks, '
          f'{len(mods)} API pages in {time.perf_counter() - t0:.0f} s (' + ', '.join(f'{k} {v:.0f} s' for k, v in times.items()) + ')')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    profile = yaml.safe_load((ROOT / 'params.yaml').read_text())['profile']
    ap.add_argument('--study', type=Path, default=ROOT / 'outputs' / profile / 'reports/notebooks',
                    help="the study's executed notebooks (default: those of the profile params.yaml names)")
    ap.add_argument('--out', type=Path, default=ROOT / 'site')
    ap.add_argument('--executed', type=Path, help='library notebooks already executed by --execute-only (not executed again)')
    ap.add_argument('--execute-only', type=Path, metavar='DIR', help='execute the library notebooks into DIR and stop')
    ap.add_argument('--workers', type=int, default=2, help='notebooks executed at a time (default 2)')
    a = ap.parse_args(argv)
    if a.execute_only:
        t0 = time.perf_counter()
        execute_all(library_notebooks(), a.execute_only, workers=a.workers)
        print(f'docs: {len(library_notebooks())} library notebooks executed into {a.execute_only} in {time.perf_counter() - t0:.0f} s')
    else:
        build(a.study, a.out, a.executed)


if __name__ == '__main__':
    main()

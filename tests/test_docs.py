"""The library notebooks, executed once (their cells are their tests, as `nbdev_test` runs them); the website (`make
docs`) built from those executed copies and the smoke study's outputs and read in headless Chromium; the README
generated from nbs/index.ipynb; executed notebooks that keep a progress bar as one line, not its redraws."""
import json, os, re, shutil, subprocess, sys
from pathlib import Path
import pytest

from helpers import ROOT

MAX_LINES = 25    # text lines an executed study notebook may print, all cells together (smoke profile)


def printed_lines(nb_path):
    "The non-blank lines a reader sees in a notebook's stream outputs (a carriage return overwrites its line)."
    lines = []
    for c in json.loads(Path(nb_path).read_text())['cells']:
        for o in c.get('outputs', []):
            if o['output_type'] == 'stream':
                lines += [l.split('\r')[-1] for l in ''.join(o['text']).split('\n')]
    return [l for l in lines if l.strip()]


def test_readme_is_generated_from_the_index_notebook():
    r = subprocess.run([sys.executable, 'scripts/readme.py', '--check'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def notebook(path, *sources):
    cells = [dict(cell_type='code', id=f'c{i}', metadata={}, execution_count=None, outputs=[], source=s) for i, s in enumerate(sources)]
    path.write_text(json.dumps(dict(cells=cells, nbformat=4, nbformat_minor=5,
                                    metadata=dict(kernelspec=dict(name='python3', display_name='python3', language='python')))))
    return path


def test_a_progress_bar_is_saved_as_its_last_line(tmp_path):
    src = notebook(tmp_path / 'bar.ipynb', 'from tqdm import tqdm\nimport time\n'
                   'for i in tqdm(range(300), desc="steps", mininterval=0):\n    time.sleep(0.001)\nprint("done")')
    # with a PATH that has no venv on it, as `.venv/bin/dvc repro` runs its stages from an unprepared shell
    r = subprocess.run([str(ROOT / 'scripts/stage'), str(src), str(tmp_path / 'out.ipynb')], capture_output=True, text=True,
                       env={'PATH': '/usr/bin:/bin', 'HOME': str(tmp_path)})
    assert r.returncode == 0, r.stderr[-3000:]
    lines = printed_lines(tmp_path / 'out.ipynb')
    assert len(lines) == 2 and 'done' in lines and [l for l in lines if l.startswith('steps: 100%|')], lines
    # one output per stream (the bar's stderr and stdout), where papermill alone saves one per redraw
    raw = [o for c in json.loads((tmp_path / 'out.ipynb').read_text())['cells'] for o in c['outputs']]
    assert len(raw) == 2


def test_a_failing_library_notebook_fails_the_site_build(tmp_path):
    sys.path.insert(0, str(ROOT / 'scripts'))
    from docs import execute_all
    good = notebook(tmp_path / '01_good.ipynb', 'x = 1')
    bad = notebook(tmp_path / '02_bad.ipynb', 'raise ValueError("this example is broken")')
    with pytest.raises(SystemExit, match=r'02_bad\.ipynb[\s\S]*this example is broken'):
        execute_all([good, bad], tmp_path / 'out')
    assert (tmp_path / 'out/01_good.ipynb').exists()


def test_every_library_notebook_runs_its_examples_and_tests(library):
    "make test executes each library notebook once (not nbdev_test and then the site build again); a failing cell fails here."
    names = sorted(p.name for p in library.glob('*.ipynb'))
    assert names == sorted(p.name for p in (ROOT / 'nbs').glob('[0-9]*.ipynb'))
    for nb in names:
        cells = [c for c in json.loads((library / nb).read_text())['cells'] if c['cell_type'] == 'code']
        assert cells and all(c['execution_count'] for c in cells), nb          # every code cell ran


def test_executed_study_notebooks_read_cleanly(smoke):
    for nb in sorted((smoke / 'outputs/smoke/reports/notebooks').glob('*.ipynb')):
        lines = printed_lines(nb)
        assert len(lines) <= MAX_LINES, (nb.name, len(lines), lines[:40])
        assert not [l for l in lines if 'Warning' in l or 'WARNING' in l], (nb.name, lines)


@pytest.fixture(scope='module')
def site(smoke, library, tmp_path_factory):
    out = tmp_path_factory.mktemp('site') / 'site'
    r = subprocess.run([sys.executable, 'scripts/docs.py', '--out', str(out), '--executed', str(library)], cwd=smoke,
                       capture_output=True, text=True)
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    print(r.stdout)
    return out


def test_executed_library_notebooks_read_cleanly(site, smoke):
    executed = sorted((smoke / '_site_src/library').glob('*.ipynb'))
    assert len(executed) == len(list((smoke / 'nbs').glob('[0-9]*.ipynb')))
    for nb in executed:
        lines = printed_lines(nb)
        assert len(lines) <= MAX_LINES and not [l for l in lines if 'Warning' in l], (nb.name, lines)


def test_the_site_needs_no_network(site):
    pages = list(site.rglob('*.html'))
    assert len(pages) > 60
    remote = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I)
    assert not [p for p in pages if remote.search(p.read_text())]


@pytest.fixture(scope='module')
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    chromium, driver = shutil.which('chromium'), shutil.which('chromedriver')
    assert chromium and driver, "Debian's chromium and chromium-driver are needed: `make test` installs them (scripts/setup.sh)"
    o = webdriver.ChromeOptions()
    o.binary_location = chromium
    for a in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1400,1000'):
        o.add_argument(a)
    o.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    d = webdriver.Chrome(service=Service(driver), options=o)
    yield d
    d.quit()


AFTER_HEADING = """
const [heading, tag] = arguments;
const h = [...document.querySelectorAll('h1, h2, h3')].find(e => e.textContent.trim().startsWith(heading));
if (!h) return null;
return [...document.querySelectorAll(tag)].find(x => h.compareDocumentPosition(x) & Node.DOCUMENT_POSITION_FOLLOWING) || null;
"""


def open_page(browser, page):
    "Load a page (get() returns once it has loaded); its console errors."
    browser.get(page.as_uri())
    return [e for e in browser.get_log('browser') if e['level'] == 'SEVERE']


def screenshot(browser, page, element=None):
    "A screenshot of the window, scrolled to `element`, beside the site (site/screenshots/) for a person to look at."
    if element is not None: browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    shots = page.parents[1] / 'screenshots'; shots.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(shots / f'{page.parent.name}-{page.stem}.png'))


def test_report_page_shows_figure2_and_table3(site, browser):
    assert open_page(browser, site / 'study/report.html') == []
    img = browser.execute_script(AFTER_HEADING, 'Figure 2', 'img')
    assert img is not None and browser.execute_script('return arguments[0].complete && arguments[0].naturalWidth', img) > 0
    screenshot(browser, site / 'study/report.html', img)
    table = browser.execute_script(AFTER_HEADING, 'Table 3', 'table')
    assert table is not None
    text = table.text
    assert 'paper: proposed' in text and all(t in text for t in ('downbeat', 'chord', 'key', 'structure')), text


def test_a_library_page_shows_its_examples(site, browser):
    page = site / 'library/03_synth.html'
    assert open_page(browser, page) == []
    assert browser.find_element('css selector', 'h1').text.startswith('Synthetic music')
    widths = browser.execute_script('return [...document.images].map(i => i.complete ? i.naturalWidth : 0)')
    assert widths and min(widths) > 0          # the synthesized song's plot, rendered when the site was built
    screenshot(browser, page, browser.find_element('css selector', 'img'))
    assert open_page(browser, site / 'api/model.html') == [] and 'MIRModel' in browser.page_source

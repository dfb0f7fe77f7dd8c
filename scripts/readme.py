"""README.md is generated from nbs/index.ipynb, the home page of the website, as nbdev intends (`readme_nb` in
settings.ini). nbdev's own `nbdev_readme` renders through Quarto, which cannot be installed here, so this does
the same for a notebook of markdown and code cells: markdown as written, code in fenced blocks, no outputs.

    python scripts/readme.py            # write README.md
    python scripts/readme.py --check    # exit 1 if README.md is not what nbs/index.ipynb generates
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = '<!-- Generated from nbs/index.ipynb by `make readme`: edit the notebook, not this file. -->\n\n'


def index_markdown(nb_path=ROOT / 'nbs/index.ipynb') -> str:
    "The notebook as one markdown document."
    parts = []
    for c in json.loads(Path(nb_path).read_text())['cells']:
        src = ''.join(c['source']).strip('\n')
        if not src: continue
        parts.append(src if c['cell_type'] == 'markdown' else f'```python\n{src}\n```')
    return '\n\n'.join(parts) + '\n'


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    want = HEADER + index_markdown()
    readme = ROOT / 'README.md'
    if '--check' in argv:
        if readme.read_text() != want:
            print('README.md differs from what nbs/index.ipynb generates: edit the notebook and run `make readme`', file=sys.stderr)
            return 1
        return 0
    readme.write_text(want)
    return 0


if __name__ == '__main__':
    sys.exit(main())

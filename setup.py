"""Package metadata comes from settings.ini (the nbdev convention; nbdev_export writes pyproject.toml
with these fields marked dynamic): `requirements` there is what `pip install .` installs for `import mirrepro`
and the console scripts, `extras` the optional parts (mirrepro[mert], [datasets], [references], [synth], [all]). The study's whole environment is the lock requirements.txt, installed by scripts/setup.sh."""
from configparser import ConfigParser
from pathlib import Path
import setuptools

here = Path(__file__).resolve().parent           # also when pip builds from an sdist in another folder
cfg = ConfigParser(delimiters=['='])
cfg.read(here / 'settings.ini')
cfg = cfg['DEFAULT']
scripts = [s for s in cfg.get('console_scripts', '').split() if s]
extras = {}
for e in cfg.get('extras', '').split():
    name, req = e.split(':', 1); extras.setdefault(name, []).append(req)
extras['all'] = sorted({r for rs in extras.values() for r in rs})
setuptools.setup(
    name=cfg['lib_name'], version=cfg['version'], description=cfg['description'],
    keywords=cfg['keywords'].split(), license='Apache-2.0',
    author=cfg['author'], author_email=cfg['author_email'],
    classifiers=['Programming Language :: Python :: 3.11', 'Topic :: Multimedia :: Sound/Audio :: Analysis'],
    url=cfg['git_url'], project_urls={'Source': cfg['git_url']},
    long_description=(here / 'README.md').read_text(), long_description_content_type='text/markdown',
    python_requires='>=' + cfg['min_python'], install_requires=cfg['requirements'].split(), extras_require=extras,
    packages=setuptools.find_packages(include=['mirrepro', 'mirrepro.*']),
    include_package_data=True, zip_safe=False,
    entry_points={'console_scripts': scripts, 'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
)

"""Package metadata comes from settings.ini (the nbdev convention); dependencies are pinned in requirements.txt."""
from configparser import ConfigParser
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini')
cfg = cfg['DEFAULT']
scripts = [s for s in cfg.get('console_scripts', '').split() if s]
setuptools.setup(
    name=cfg['lib_name'], version=cfg['version'], description=cfg['description'],
    author=cfg['author'], license=cfg['license'], python_requires='>=' + cfg['min_python'],
    packages=setuptools.find_packages(include=['mirrepro', 'mirrepro.*']),
    include_package_data=True, zip_safe=False,
    entry_points={'console_scripts': scripts, 'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
)

"""scripts/warm_kernel.py: a kernel forked by the warm server lives as long as its client, not as long as the server.
The server leaves after IDLE seconds without a new kernel (MIRREPRO_WARM_IDLE); a study stage's kernel that outlived it
(a key teacher trains for 10 minutes while no other stage starts) used to be shut down by ipykernel, which ends a
kernel whose parent process is gone."""
import json, os, subprocess, sys

from helpers import ROOT


def test_a_kernel_outlives_the_server_that_forked_it(tmp_path):
    nb = dict(cells=[dict(cell_type='code', execution_count=None, id='0a1b2c3d', metadata={}, outputs=[],
                          source=["import os, time\n", "server = os.getppid()\n",
                                  "for _ in range(100):                    # until the server has left (it idles out after 1 s)\n",
                                  "    time.sleep(0.1)\n", "    if os.getppid() != server: break\n",
                                  "time.sleep(2)                            # ipykernel polls its parent once a second\n",
                                  "print('parent changed:', os.getppid() != server)"])],
              metadata=dict(kernelspec=dict(display_name='Python 3', language='python', name='python3')), nbformat=4, nbformat_minor=5)
    (tmp_path / 'nb.ipynb').write_text(json.dumps(nb))
    env = dict(os.environ, MIRREPRO_WARM_KERNELS='1', MIRREPRO_WARM_IDLE='1')   # a server of its own, gone after 1 idle second
    r = subprocess.run([sys.executable, str(ROOT / 'scripts' / 'run_notebook.py'), str(tmp_path / 'nb.ipynb'), str(tmp_path / 'out.ipynb')],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads((tmp_path / 'out.ipynb').read_text())['cells'][0]['outputs']
    assert 'parent changed: True' in ''.join(''.join(o.get('text', '')) for o in out)

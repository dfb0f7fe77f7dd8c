"""A Jupyter kernel that starts warm: forked from a server that has already imported the heavy libraries.

    warm_kernel.py -f CONNECTION_FILE [kernel options]     (a kernelspec's argv: scripts/run_notebook.py writes one)

Every stage of the study is a fresh kernel, and on a slow 2-core machine each spent 15-25 s importing torch
(torch._dynamo too: Adam's constructor imports it), scipy, pandas, mir_eval and IPython before its first line
ran; the test suite runs a few hundred such kernels. This client asks a server process (started on first use,
one per Python and thread settings, gone after 10 idle minutes) to fork a child that becomes the kernel: it
takes this client's working directory, environment and arguments, and runs ipykernel as `python -m
ipykernel_launcher` would. The server imports third-party libraries only, never mirrepro, so every kernel runs
the code of its own working directory as it is now. Signals sent to this client (an interrupt, a shutdown)
are passed on to the kernel; the kernel ends when this client ends. Used where MIRREPRO_WARM_KERNELS=1: the tests,
and `make study` (scripts/study.py sets it unless it is set to 0). A server serves only the Python and the installed
packages it was started with: a change to the environment's site-packages (an install, an upgrade) starts a new one.
"""
import hashlib, json, os, signal, socket, subprocess, sys, time
from pathlib import Path

PRELOAD = ['numpy', 'scipy.stats', 'scipy.signal', 'pandas', 'yaml', 'tqdm', 'soundfile', 'torch', 'torch._dynamo', 'torchaudio',
           'mir_eval', 'jams', 'matplotlib', 'matplotlib.pyplot', 'IPython', 'ipykernel.ipkernel',
           'ipykernel.kernelapp', 'ipykernel.debugger', 'debugpy', 'psutil', 'sqlite3', 'zmq']
# (a kernel spent 2.9 s starting before its first cell: ipykernel imports debugpy, psutil and sqlite3 as it starts, and every
# study notebook imports matplotlib.pyplot, 1-2 s more)
ENV_KEYS = ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'PYTHONPATH', 'PYTHONHASHSEED', 'CUDA_VISIBLE_DEVICES', 'VIRTUAL_ENV', 'MIRREPRO_WARM_IDLE')
IDLE = float(os.environ.get('MIRREPRO_WARM_IDLE') or 600)    # seconds without a new kernel before the server leaves


def socket_path() -> str:
    "One server per Python, per state of its installed packages and per the settings that a library reads once, at import."
    import sysconfig
    site = sysconfig.get_paths()['purelib']                # its mtime changes when a package is installed or removed
    stamp = os.stat(site).st_mtime_ns if os.path.isdir(site) else None
    key = json.dumps([sys.executable, os.getuid(), stamp] + [os.environ.get(k) for k in ENV_KEYS])
    return f"/tmp/mirrepro-warm-{hashlib.sha256(key.encode()).hexdigest()[:16]}.sock"


def serve(path: str):
    import importlib
    for m in PRELOAD:
        try: importlib.import_module(m)
        except Exception: pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)          # kernels are reaped as they end
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = f'{path}.{os.getpid()}'
    srv.bind(tmp); srv.listen(16); os.replace(tmp, path)
    srv.settimeout(IDLE)
    while True:
        try: conn, _ = srv.accept()
        except socket.timeout:                             # idle: a later client starts a new server
            try: os.unlink(path)
            except OSError: pass
            return
        with conn:
            req = json.loads(conn.makefile().readline())
            pid = os.fork()
            if pid == 0:
                srv.close(); conn.close()
                _become_kernel(req)
            conn.sendall(f'{pid}\n'.encode())


def _become_kernel(req):
    "In the forked child: the client's directory, environment and arguments, then ipykernel, then exit."
    code = 1
    try:
        for s in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP): signal.signal(s, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        os.chdir(req['cwd'])
        os.environ.clear(); os.environ.update(req['env'])
        import matplotlib                                  # the server imported it before any MPLBACKEND: read it now, as a
        matplotlib.rcParams['backend'] = os.environ.get('MPLBACKEND') or 'module://matplotlib_inline.backend_inline'   # kernel's import would
        sys.path[0] = req['cwd']                           # as `python -m ipykernel_launcher` run there
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        client = req['client']
        import threading
        def watch():                                       # the kernel ends with its client
            while True:
                time.sleep(0.2)
                try: os.kill(client, 0)
                except OSError: os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
        # ipykernel ends a kernel whose parent changed (when the parent it read from JPY_PARENT_PID is not its own, once
        # its parent is init): this kernel's parent is the server, which leaves after IDLE seconds without a new kernel,
        # while a study stage can run for longer. Its life is its client's (watch, above), so that poller is off.
        argv = req['argv'] + ['--IPKernelApp.parent_handle=0']
        sys.argv = ['ipykernel_launcher'] + argv
        from ipykernel.kernelapp import IPKernelApp
        IPKernelApp.launch_instance(argv=argv)
        code = 0
    finally:
        os._exit(code)


def client(argv):
    path = socket_path()
    conn = None
    for attempt in range(600):
        try:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); conn.connect(path); break
        except OSError:
            conn.close(); conn = None
            if attempt == 0:
                subprocess.Popen([sys.executable, __file__, '--serve', path], start_new_session=True,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.2)
    if conn is None: sys.exit(f"warm_kernel: no server at {path}")
    with conn:
        conn.sendall((json.dumps(dict(cwd=os.getcwd(), env=dict(os.environ), argv=argv, client=os.getpid())) + '\n').encode())
        kernel = int(conn.makefile().readline())
    forward = lambda sig, _: os.kill(kernel, sig)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, forward)
    while True:                                            # until the kernel ends (the server reaps it)
        try: os.kill(kernel, 0)
        except OSError: return
        time.sleep(0.2)


def kernelspec_dir() -> Path:
    "A Jupyter data folder holding the `mirrepro-warm` kernelspec for this Python (for JUPYTER_PATH)."
    root = Path(f"/tmp/mirrepro-kernels-{hashlib.sha256(sys.executable.encode()).hexdigest()[:12]}")
    spec = root / 'kernels' / 'mirrepro-warm' / 'kernel.json'
    want = json.dumps(dict(argv=[sys.executable, str(Path(__file__).resolve()), '-f', '{connection_file}'],
                           display_name='Python 3 (warm)', language='python', interrupt_mode='signal'))
    if not spec.exists() or spec.read_text() != want:
        spec.parent.mkdir(parents=True, exist_ok=True)
        tmp = spec.with_name(f'.kernel.json.{os.getpid()}'); tmp.write_text(want); os.replace(tmp, spec)
    return root


if __name__ == '__main__':
    if sys.argv[1:2] == ['--serve']: serve(sys.argv[2])
    else: client(sys.argv[1:])

"""Execute one notebook with papermill, the way every study stage and the docs site run them.

    run_notebook.py NOTEBOOK OUTPUT [-p NAME VALUE ...]

Differs from the `papermill` command in what the executed copy keeps: each cell's stream outputs are
coalesced and carriage returns applied (nbclient's `coalesce_streams`), so a progress bar is saved as the
one line a reader would have seen last, not as hundreds of redraws; a bar that cleared itself leaves
nothing. Values of `-p` are typed as papermill's command line types them (int, float, True/False/None,
else str). The output's folder is created.
"""
import argparse, sys
from pathlib import Path

# papermill imports nbformat, whose validator imports jsonschema's format checkers, and jsonschema imports
# rfc3987_syntax if it can, which builds an IRI grammar at import: 8 of the 15 s that importing papermill took on a
# 2-core machine, in every stage. Nothing here validates IRIs; jsonschema skips that checker when the import fails.
# Likewise papermill's optional remote stores (S3, Azure, GCS, HDFS, GitHub) are imported if installed; notebooks here
# are local files: leaving them out saves another 0.5 s a stage.
for _m in ('rfc3987_syntax', 'boto3', 'azure', 'gcsfs', 'pyarrow', 'github'): sys.modules.setdefault(_m, None)


def typed(value: str):
    "A `-p` value as papermill's command line reads it (its own rule; papermill is pinned in requirements.txt)."
    from papermill.cli import _resolve_type
    return _resolve_type(value)


def run_notebook(src, out, parameters=None, cwd='.', kernel_name=None):
    "Execute `src` into `out` with `parameters`; raise papermill's PapermillExecutionError if a cell fails."
    import os, nbformat, papermill as pm
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    if kernel_name is None and os.environ.get('MIRREPRO_WARM_KERNELS') == '1':     # the tests: kernels forked warm (warm_kernel.py)
        from warm_kernel import kernelspec_dir
        os.environ['JUPYTER_PATH'] = os.pathsep.join(filter(None, [str(kernelspec_dir()), os.environ.get('JUPYTER_PATH')]))
        kernel_name = 'mirrepro-warm'
    nb = pm.execute_notebook(str(src), str(out), parameters=parameters or {}, cwd=str(cwd), kernel_name=kernel_name,
                             progress_bar=False, coalesce_streams=True,
                             # ipykernel warns on every start that its local TCP sockets are not encrypted (a WARNING), and
                             # jupyter_client interrupts the kernel before it shuts it down, after the last cell: when the
                             # SIGINT lands inside a message handler the kernel logs "ERROR | KeyboardInterrupt caught in
                             # kernel." (a few stages of every make study). Neither is anything a reader can act on; a cell's
                             # error still reaches papermill, which raises it.
                             extra_arguments=['--IPKernelApp.log_level=CRITICAL'])
    # a bar that cleared itself (tqdm's leave=False) is left as a blank stream: drop it
    for cell in nb.cells:
        if 'outputs' in cell:
            cell.outputs = [o for o in cell.outputs if o.output_type != 'stream' or o.text.strip()]
    nbformat.write(nb, str(out))
    return nb


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('notebook'); ap.add_argument('output')
    ap.add_argument('-p', nargs=2, action='append', default=[], metavar=('NAME', 'VALUE'), help='a parameter')
    a = ap.parse_args(argv)
    print(f'running {a.notebook} -> {a.output}', flush=True)
    run_notebook(a.notebook, a.output, {k: typed(v) for k, v in a.p})


if __name__ == '__main__':
    sys.exit(main())

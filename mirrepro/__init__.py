__version__ = "0.1.0"


def __getattr__(name):
    # `mirrepro.predict` (nbs/09_cli.ipynb), imported on first use so that `import mirrepro` stays light
    if name == 'predict':
        from .cli import predict
        return predict
    raise AttributeError(f"module 'mirrepro' has no attribute {name!r}")

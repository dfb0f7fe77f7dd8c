__version__ = "0.1.0"


def __getattr__(name):
    # `mirrepro.predict` (nbs/09_inference.ipynb), imported on first use so that `import mirrepro` stays light
    if name == 'predict':
        from .inference import predict
        return predict
    raise AttributeError(f"module 'mirrepro' has no attribute {name!r}")

"""newsflow tasks: the pure work of each pipeline stage, with thin Prefect wrappers."""

__version__ = "0.1.0"
PIPELINE_VERSION = __version__

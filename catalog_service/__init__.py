"""gov-catalog: a federated catalog of government information resources (政务信息资源目录) on DCAT.

The package stores, validates, indexes and serves the catalog; ``harvesters`` fetch and map sources.
"""

__version__ = "0.1.0"

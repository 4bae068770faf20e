"""A BigCommerce-compatible API server backed by SQLite, for local runs, CI and benchmarks.

app = create_app(SandboxConfig(db_path="store.db"))
sandbox: Sandbox = app.state.sandbox
"""

from storeconf.sandbox.app import create_app
from storeconf.sandbox.core.config import SandboxConfig, TokenGrant
from storeconf.sandbox.core.control import RequestRecord, Sandbox
from storeconf.sandbox.core.faults import ConnectionDropped, FaultRule
from storeconf.sandbox.server import serve

__all__ = [
    "ConnectionDropped",
    "FaultRule",
    "RequestRecord",
    "Sandbox",
    "SandboxConfig",
    "TokenGrant",
    "create_app",
    "serve",
]

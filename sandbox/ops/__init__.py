"""The sandbox's operations, one module per area of the API."""

from sandbox.ops import studios  # noqa: F401

"""The typed client for the PerfectGym Next (Magicline Open) API."""

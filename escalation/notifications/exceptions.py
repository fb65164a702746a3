"""Errors of delivery; light enough for tasks.py to import at module level."""


class DeliveryFailed(Exception):
    """A delivery failed in a way a retry may fix; the task retries on it."""


class PermanentDeliveryError(Exception):
    """The receiver refused for good (unsafe URL, revoked hook, disabled channel): no retry."""

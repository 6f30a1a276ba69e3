"""Errors that services raise and that the API and pages turn into clear messages."""

from __future__ import annotations


class ServiceError(Exception):
    """A write was refused for a reason the caller should read."""


class InvalidInput(ServiceError):
    """One message per bad field; nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class NotAllowed(ServiceError):
    """The caller may not do this."""


class LinkRefused(ServiceError):
    """A link from a mail that cannot be used; ``reason`` is written for the customer, ``code`` for code."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code

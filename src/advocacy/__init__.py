"""Advocacy: one system that hears every customer, resolves every problem through one owner,
turns delighted customers into advocates and measures what that is worth."""

__version__ = "0.1.0"

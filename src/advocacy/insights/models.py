"""Insights models: attribution settings, the program cost ledger, exchange rates."""

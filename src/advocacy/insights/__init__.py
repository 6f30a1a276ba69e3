"""Insights: what the program costs and returns, retention and lifetime value."""

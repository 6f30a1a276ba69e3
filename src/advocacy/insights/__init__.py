"""Insights: what the program costs and returns (attribution, cost ledger, ROI, holdout), retention and lifetime value."""

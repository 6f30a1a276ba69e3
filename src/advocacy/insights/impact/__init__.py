"""The Impact page: sourced and influenced revenue over time, cost against return, ROI, the holdout."""

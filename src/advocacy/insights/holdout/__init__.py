"""What the hub invitation caused, read from the randomized holdout (causal), beside the members vs
non-members comparison (an association)."""

"""The randomized holdout: a share of the customers a rule selects for a hub invitation is kept back at
random, so the insights app can measure what the invitation causes."""

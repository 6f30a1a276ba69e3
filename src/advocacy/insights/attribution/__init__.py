"""Attribution: revenue sourced (referrals, reference-won deals) and influenced (upsell and cross-sell
after an advocacy act), each under a stated model."""

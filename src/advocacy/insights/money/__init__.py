"""Money across currencies: dated exchange rates entered by an admin, and totals converted with them,
always labelled as converted. Without a rate nothing is converted: the amounts stay per currency."""

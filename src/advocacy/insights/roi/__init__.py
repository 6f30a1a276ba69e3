"""Return on the program: (attributed gross profit + stated savings − program cost) ÷ program cost."""

"""Studies built on the analysis: window sweeps, the power study and the comparison of recorded runs with the paper."""

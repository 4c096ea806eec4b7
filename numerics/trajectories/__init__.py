"""Training trajectories: opening every format a run comes in, the Trajectory and its Gram pass, the analysis, training and the recorded runs."""

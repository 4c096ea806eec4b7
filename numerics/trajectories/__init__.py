"""Training trajectories against the random walk: reading checkpoints, the Gram pass, the analysis and its batched randomisation, training and the recorded runs."""

"""Training trajectories against the random walk: reading checkpoints, the Gram pass, PCA, the null models and their randomisation tests, training and the recorded runs."""

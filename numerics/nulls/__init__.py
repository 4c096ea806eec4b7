"""The null models of a trajectory window, their randomisation tests, the step autocorrelation and the typed results."""

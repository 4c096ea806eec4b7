"""The laws of a random walk's spectrum when d is not much larger than n: fixed d (continuum limit) and the proportional (Marchenko-Pastur) bulk."""

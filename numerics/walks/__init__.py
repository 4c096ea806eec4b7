"""Random walks under any noise: the noise laws and their samplers, the streamed simulator, and the finite-d and noise-independence studies."""

"""Checkpoints of real training runs: formats, parameter selection, recording and sketches.

* :mod:`~rwpca.numerics.checkpoints.tensors`: dtypes, the canonical order of tensor names and
  which tensors count as parameters (the one place that rule is declared);
* :mod:`~rwpca.numerics.checkpoints.safetensors_format` and
  :mod:`~rwpca.numerics.checkpoints.torch_format`: where each tensor's bytes are in a
  safetensors file or a PyTorch zip checkpoint, read without running any code;
* :mod:`~rwpca.numerics.checkpoints.sources`: a folder (or a Hugging Face Trainer output
  folder) as one validated run, ordered by the step numbers in its names;
* :mod:`~rwpca.numerics.checkpoints.stream`: the column blocks of the flattened parameters;
* :mod:`~rwpca.numerics.checkpoints.sketch`: CountSketch of a snapshot and its error on the
  explained-variance ratios;
* :mod:`~rwpca.numerics.checkpoints.recorder`: :class:`Recorder`, snapshots written during
  training in a crash-safe format that ``rwpca analyze`` reads.
"""

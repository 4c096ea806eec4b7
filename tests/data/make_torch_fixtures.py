"""Write the small real PyTorch files under tests/data/torch/ (run with torch installed).

    python tests/data/make_torch_fixtures.py

The tests read these files without torch. Every file is a few kB; ``expected.npz`` holds,
for every step and tensor, the values torch itself reports (``tensor.float().numpy()`` in
C order), written with NumPy so that the tests can compare without torch.

* ``run/step_{0,1,2,3}.pt``: ``torch.save(model.state_dict())`` of a tiny Conv + BatchNorm +
  Linear model after 0..3 SGD steps, with a bfloat16 tensor, a transposed (non-contiguous)
  view, a tensor with PyTorch's lazy negation bit and a Parameter (``keep_vars``) added;
* ``training_checkpoint.pt``: a dict holding ``model_state_dict``, an optimizer state and an
  epoch counter, as the PyTorch tutorials save;
* ``payload.pt``: written by ``torch.save`` itself, holding a tensor and an object whose
  unpickling runs ``open("rwpca-payload-marker", "w")``;
* ``legacy.pt``: the pre-1.6 serialization (``_use_new_zipfile_serialization=False``);
* ``scripted.pt``: a TorchScript archive (``torch.jit.save``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent / "torch"
MARKER = "rwpca-payload-marker"


class Payload:
    """Unpickling this creates the file MARKER in the working directory."""

    def __reduce__(self):
        return (open, (MARKER, "w"))


def model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Flatten(), torch.nn.Linear(8, 3)
    )


def state(net: torch.nn.Module, step: int) -> dict[str, torch.Tensor]:
    sd = dict(net.state_dict())
    sd["extra.half"] = (torch.arange(6, dtype=torch.float32) * (step + 1) / 7).to(torch.bfloat16)
    sd["extra.transposed"] = (torch.arange(6.0).reshape(2, 3) + step).t()  # a strided view
    sd["extra.negated"] = (torch.arange(1.0, 4.0) + step)._neg_view()
    sd["extra.parameter"] = torch.nn.Parameter(torch.full((2,), float(step)))
    return sd


def main() -> None:
    (HERE / "run").mkdir(parents=True, exist_ok=True)
    net = model()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    expected = {}
    generator = torch.Generator().manual_seed(1)
    for step in range(4):
        sd = state(net, step)
        torch.save(sd, HERE / "run" / f"step_{step}.pt")
        for name, tensor in sd.items():
            expected[f"{step}/{name}"] = tensor.detach().float().resolve_neg().numpy().copy()
        x = torch.randn(4, 1, 4, 4, generator=generator)
        loss = net(x).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    np.savez(HERE / "expected.npz", **expected)
    torch.save(
        {
            "epoch": 3,
            "model_state_dict": net.state_dict(),
            "optimizer_state_dict": opt.state_dict(),
        },
        HERE / "training_checkpoint.pt",
    )
    torch.save({"weight": torch.ones(2), "evil": Payload()}, HERE / "payload.pt")
    torch.save({"weight": torch.ones(2)}, HERE / "legacy.pt", _use_new_zipfile_serialization=False)
    scripted = torch.jit.script(torch.nn.Linear(2, 1))
    buffer = io.BytesIO()
    torch.jit.save(scripted, buffer)
    (HERE / "scripted.pt").write_bytes(buffer.getvalue())
    for path in sorted(HERE.rglob("*.pt")):
        assert zipfile.is_zipfile(path) or path.name == "legacy.pt"
        print(path.relative_to(HERE), path.stat().st_size)


if __name__ == "__main__":
    main()

"""A run on disk: one folder, one format, checkpoints ordered by the step numbers in their names.

A folder holds one run. Its checkpoints are either

* **files**, all of one format and one name pattern (the name with its digit runs
  replaced by ``#``, e.g. ``step_#.pt``): safetensors (``.safetensors``), PyTorch
  state_dicts (``.pt``, ``.pth``, ``.bin``; also a dict holding ``state_dict``/``model``),
  ``.npy`` arrays (one array per checkpoint, any shape) or ``.npz`` archives of named
  arrays (``numpy.savez(path, **arrays)``, stored uncompressed); or
* **folders**, one per checkpoint: the Hugging Face Trainer's ``checkpoint-<step>``
  folders (``model.safetensors``, ``pytorch_model.bin``, or either sharded with its
  ``*.index.json``), or any subfolders sharing a name pattern that each hold one model file.

A file of a checkpoint format but another pattern or format (a stray
``optimizer_momentum.npy`` beside ``step_#.pt``) is refused by name, never read; ``glob``
chooses the checkpoints explicitly. Files of other kinds (notes, configurations) and,
in a Trainer folder, everything besides the ``checkpoint-*`` folders (the final model,
the tokenizer) are not read and are listed as ignored. Hidden files are skipped (the
recorder's unfinished snapshots are hidden). Checkpoints are ordered by the one digit run
that varies across the names (its value is the step); without one, by name, with steps
0, 1, ...

Every header is read and checked before any value: every checkpoint must have the same
tensor names, shapes and dtypes (one line naming the checkpoint and the tensor otherwise).
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rwpca.numerics.checkpoints import npy_format, safetensors_format, sketch, torch_format
from rwpca.numerics.checkpoints.stream import (
    Checkpoint,
    TensorLoc,
    check_same_tensors,
    contiguous_strides,
)
from rwpca.numerics.checkpoints.tensors import TensorSpec, canonical, natural_key, numpy_dtype_name

#: Checkpoint file formats by suffix.
SUFFIXES = {
    ".safetensors": "safetensors",
    ".pt": "torch",
    ".pth": "torch",
    ".bin": "torch",
    ".npy": "npy",
    ".npz": "npz",
}
#: What each format is called in reports.
TITLES = {
    "safetensors": "safetensors files",
    "torch": "PyTorch state_dicts",
    "npy": ".npy arrays",
    "npz": ".npz archives",
    "sketch": "rwpca sketches",
}
#: Model files of a checkpoint folder, in the order the Hugging Face loaders prefer them.
MODEL_FILES = (
    "model.safetensors.index.json",
    "model.safetensors",
    "pytorch_model.bin.index.json",
    "pytorch_model.bin",
    "adapter_model.safetensors",
    "adapter_model.bin",
)
#: The Trainer's per-checkpoint folders.
TRAINER_FOLDER = re.compile(r"checkpoint-\d+")
#: Files of a Trainer checkpoint folder that are training state, not the model.
TRAINER_STATE = re.compile(r"(optimizer|scheduler|scaler|training_args|rng_state.*)\.(pt|pth|bin)")
INDEX = ".index.json"


@dataclass(frozen=True)
class Run:
    """A validated run: its checkpoints (ordered by step), tensors and what was not read."""

    label: str
    format: str  # a key of TITLES
    checkpoints: tuple[Checkpoint, ...]
    specs: tuple[TensorSpec, ...]  # every tensor, canonical order
    named: bool  # tensors have names (the parameter selection applies)
    ignored: tuple[str, ...]
    pattern: str
    sketch: sketch.SketchInfo | None = None

    @property
    def steps(self) -> tuple[int, ...]:
        return tuple(c.step for c in self.checkpoints)

    def describe(self) -> str:
        """E.g. ``200 PyTorch state_dicts (step_#.pt)``."""
        return f"{len(self.checkpoints)} {TITLES[self.format]} ({self.pattern})"


def file_format(name: str) -> str | None:
    """The checkpoint format of a file name, None if it is not a checkpoint file."""
    if name.endswith(INDEX):
        return "index"
    return SUFFIXES.get(Path(name).suffix.lower())


def pattern_of(name: str) -> str:
    """``step_00010.pt`` -> ``step_#.pt``."""
    return re.sub(r"\d+", "#", name)


def order_by_steps(names: Sequence[str], label: str) -> list[tuple[str, int]]:
    """(name, step) in step order: the step is the digit run that varies across the names."""
    runs = [[int(r) for r in re.findall(r"\d+", name)] for name in names]
    count = min(len(r) for r in runs)
    varying = [i for i in range(count) if len({r[i] for r in runs}) > 1]
    natural = sorted(range(len(names)), key=lambda i: natural_key(names[i]))
    if len(varying) == 1:
        steps = [r[varying[0]] for r in runs]
        seen: dict[int, str] = {}
        for name, step in zip(names, steps, strict=True):
            if step in seen:
                raise ValueError(
                    f"{label}: {seen[step]} and {name} both have step {step}: checkpoints are "
                    "ordered by the step numbers in their names"
                )
            seen[step] = name
        return sorted(zip(names, steps, strict=True), key=lambda item: item[1])
    if varying:  # e.g. epoch3_step100: natural order; the last varying run if it increases
        last = [runs[i][varying[-1]] for i in natural]
        if all(a < b for a, b in itertools.pairwise(last)):
            return [(names[i], s) for i, s in zip(natural, last, strict=True)]
    return [(names[i], position) for position, i in enumerate(natural)]


def _npy_tensors(path: Path, label: str) -> tuple[dict[str, TensorLoc], bool]:
    header = npy_format.open_npy(path, label)
    spec = TensorSpec("", numpy_dtype_name(header.dtype), header.shape)
    if spec.size < 1:
        raise ValueError(f"{label} has shape {header.shape}: it holds no parameters")
    big = header.dtype.byteorder == ">"
    return {"": TensorLoc(spec, path, header.offset, None, big)}, header.fortran_order


def _npz_tensors(path: Path, label: str) -> dict[str, TensorLoc]:
    found = {}
    for info, header in npy_format.npz_members(path, label):
        name = info.filename[:-4]
        if not npy_format.is_stored(info):
            raise ValueError(
                f"{label}: array {name} is compressed: save checkpoints with numpy.savez "
                "(not savez_compressed) so that they can be read in place"
            )
        shape = header.shape
        strides = None
        if header.fortran_order and len(shape) > 1:
            strides = tuple(reversed(contiguous_strides(tuple(reversed(shape)))))
        offset = npy_format.member_data_offset(path, info, label) + header.offset
        spec = TensorSpec(name, numpy_dtype_name(header.dtype), shape)
        found[name] = TensorLoc(spec, path, offset, strides, header.dtype.byteorder == ">")
    return found


def read_file(path: Path, label: str, fmt: str) -> tuple[dict[str, TensorLoc], dict[str, str]]:
    """The tensors of one checkpoint file (and its safetensors metadata)."""
    if fmt == "safetensors":
        return safetensors_format.read_header(path, label)
    if fmt == "torch":
        return torch_format.read_state(path, label), {}
    if fmt == "npz":
        return _npz_tensors(path, label), {}
    if fmt == "index":
        return _read_index(path, label), {}
    raise AssertionError(fmt)


def _read_index(path: Path, label: str) -> dict[str, TensorLoc]:
    """A sharded checkpoint: the weight_map of its index and the shards beside it."""
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        weight_map = index["weight_map"]
        if not isinstance(weight_map, dict) or not weight_map:
            raise TypeError("weight_map is not a non-empty object")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{label} is not a valid shard index: {e}") from None
    shards: dict[str, list[str]] = {}
    for name, shard in weight_map.items():
        if not isinstance(shard, str) or Path(shard).name != shard or shard.startswith("."):
            raise ValueError(f"{label} maps {name} to {shard!r}: shards are files beside the index")
        shards.setdefault(shard, []).append(name)
    found: dict[str, TensorLoc] = {}
    for shard, names in shards.items():
        fmt = file_format(shard)
        shard_path = path.parent / shard
        shard_label = f"{Path(label).parent}/{shard}"
        if fmt not in ("safetensors", "torch"):
            raise ValueError(f"{label} lists shard {shard}, which is not safetensors or PyTorch")
        if not shard_path.is_file():
            raise ValueError(f"{label} lists shard {shard}, which does not exist")
        tensors, _ = read_file(shard_path, shard_label, fmt)
        if set(tensors) != set(names):
            odd = sorted(set(tensors) ^ set(names), key=natural_key)[0]
            raise ValueError(f"{shard_label} does not hold what {label} says: tensor {odd} differs")
        found.update(tensors)
    return found


def _model_file(folder: Path, label: str) -> tuple[Path, str]:
    for name in MODEL_FILES:
        if (folder / name).is_file():
            return folder / name, file_format(name) or ""
    candidates = [
        p
        for p in sorted(folder.iterdir())
        if p.is_file()
        and not p.name.startswith(".")
        and file_format(p.name) is not None
        and not TRAINER_STATE.fullmatch(p.name)
    ]
    if len(candidates) == 1 and file_format(candidates[0].name) != "npy":
        return candidates[0], file_format(candidates[0].name) or ""
    raise ValueError(
        f"{label} holds {'no' if not candidates else len(candidates)} model files: a checkpoint "
        f"folder holds one of {', '.join(MODEL_FILES)} (or one other model file)"
    )


def _refuse_mixture(label: str, names: Sequence[str], what: str) -> None:
    patterns = Counter(pattern_of(n) for n in names)
    if len(patterns) <= 1:
        return
    main, count = patterns.most_common(1)[0]
    others = [n for n in names if pattern_of(n) != main]
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    suffixes = {Path(n).suffix for n in names}
    kind = "formats" if len(suffixes) > 1 else "name patterns"
    raise ValueError(
        f"{label} mixes {kind}: {count} {what} named like {main} and {len(others)} other "
        f"({shown}), which were not read: a folder holds one run in one format; move the "
        f"others out or choose with --glob '{main.replace('#', '*')}'"
    )


def open_run(path: Path, label: str, glob: str | None = None) -> Run:
    """Validate the run in a folder (module docstring) without reading any value."""
    entries = sorted((p for p in path.iterdir() if not p.name.startswith(".")),
                     key=lambda p: natural_key(p.name))  # fmt: skip
    ignored: list[str] = []
    if glob is not None:
        ignored += [p.name for p in entries if not fnmatch.fnmatchcase(p.name, glob)]
        entries = [p for p in entries if fnmatch.fnmatchcase(p.name, glob)]
    trainer = [p for p in entries if p.is_dir() and TRAINER_FOLDER.fullmatch(p.name)]
    files = [p for p in entries if p.is_file() and file_format(p.name) is not None]
    if trainer:
        chosen, folders = trainer, True
    elif files:
        chosen, folders = files, False
    else:
        chosen = [p for p in entries if p.is_dir() and re.search(r"\d", p.name)]
        folders = True
    ignored += [p.name for p in entries if p not in chosen]
    names = [p.name for p in chosen]
    _refuse_mixture(label, names, "checkpoint folders" if folders else "files")
    if not folders and any(file_format(n) == "index" for n in names):
        raise ValueError(
            f"{label} holds shard indexes ({names[0]}): put each sharded checkpoint in a "
            "folder of its own, as the Hugging Face Trainer does"
        )
    if len(chosen) < 3:
        accepted = "checkpoint files (.safetensors, .pt, .pth, .bin, .npy, .npz) or folders"
        raise ValueError(f"{label} holds n = {len(chosen)} {accepted}: at least 3 are needed")
    checkpoints, metadata, kinds, orders = [], [], [], {}
    for name, step in order_by_steps(names, label):
        item, item_label = path / name, f"{label}/{name}"
        if folders:
            model, fmt = _model_file(item, item_label)
            kind = model.name.removesuffix(INDEX)  # model.safetensors, pytorch_model.bin, ...
            tensors, meta = read_file(model, f"{item_label}/{model.name}", fmt)
            fmt = file_format(kind) or ""
        else:
            fmt = kind = file_format(name) or ""
            if fmt == "npy":
                tensors, orders[item_label] = _npy_tensors(item, item_label)
                meta = {}
            else:
                tensors, meta = read_file(item, item_label, fmt)
        checkpoints.append(Checkpoint(item_label, step, tensors))
        metadata.append((item_label, meta))
        kinds.append((item_label, kind))
    odd = next((k for k in kinds if k[1] != kinds[0][1]), None)
    if odd is not None:
        raise ValueError(
            f"{label} mixes formats: {odd[0]} holds {odd[1]}, {kinds[0][0]} {kinds[0][1]}: "
            "a folder holds one run in one format"
        )
    info = _sketch_of(metadata)
    specs = check_same_tensors(checkpoints)
    if info is not None and specs != [TensorSpec("sketch", "float64", (info.m,))]:
        raise ValueError(
            f"{checkpoints[0].label} is a sketch whose tensors are not one float64 vector "
            f"of m = {info.m}"
        )
    if len(set(orders.values())) > 1:
        first = checkpoints[0].label
        odd_order = next(name for name, f in orders.items() if f != orders[first])
        raise ValueError(
            f"{odd_order} is stored in {'Fortran' if orders[odd_order] else 'C'} order: every "
            f"checkpoint must have the shape and memory order of {first}"
        )
    return Run(
        label=label,
        format="sketch" if info else fmt,
        checkpoints=tuple(checkpoints),
        specs=tuple(canonical(specs)),
        named=fmt != "npy",
        ignored=tuple(ignored),
        pattern=pattern_of(names[0]) + (f"/{kinds[0][1]}" if folders else ""),
        sketch=info,
    )


def _sketch_of(metadata: list[tuple[str, dict[str, str]]]) -> sketch.SketchInfo | None:
    infos = [(label, sketch.read_metadata(meta, label)) for label, meta in metadata]
    marked = [(label, info) for label, info in infos if info is not None]
    if not marked:
        return None
    if len(marked) != len(infos):
        plain = next(label for label, info in infos if info is None)
        raise ValueError(
            f"{plain} is an exact snapshot, {marked[0][0]} a sketch: a run is recorded one "
            "way or the other"
        )
    return sketch.check_same_sketch(marked)

"""Checkpoints: tg.load never runs code, damaged files raise clear errors, and
load_state_dict reports every problem at once and changes nothing when it fails."""

from __future__ import annotations

import io
import os
import pickle

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn


class _Evil:
    """Unpickling this calls os.system: it would create the marker file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def marker(tmp_path):
    path = tmp_path / "PWNED"
    yield str(path)
    assert not path.exists(), "loading the file ran code from it"


def test_load_refuses_a_raw_pickle(tmp_path, marker):
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"weight": _Evil(marker)}))
    with pytest.raises(RuntimeError, match="never unpickles"):
        tg.load(path)


def test_load_refuses_a_torch_zip_pickle_that_calls_a_function(tmp_path, marker):
    """A torch.save archive is read with weights_only, as torch.load reads it: os.system
    is no allowed global, so the load stops before calling it (PyTorch's error)."""
    torch = pytest.importorskip("torch")
    path = tmp_path / "evil.pt"
    torch.save({"weight": _Evil(marker)}, path)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL posix.system"):
        tg.load(path)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        tg.load(path, weights_only=True)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        torch.load(path)  # (the same refusal)


def test_load_refuses_a_tinygrad_edu_model_pickle_until_its_classes_are_allowed(tmp_path):
    path = tmp_path / "model.pt"
    tg.save(nn.Linear(2, 3), path)
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL tinygrad_edu.nn.modules.linear"):
        tg.load(path)
    assert tg.serialization.get_unsafe_globals_in_checkpoint(path) == [
        "tinygrad_edu.nn.modules.linear.Linear"]
    with tg.serialization.safe_globals([nn.Linear]):
        assert isinstance(tg.load(path), nn.Linear)
    with pytest.raises(pickle.UnpicklingError):  # (allowed inside the block only)
        tg.load(path)


def _torch_file_with_pickle(tmp_path, edit):
    """A torch.save file of 4 zeros whose data.pkl is ``edit(pickle bytes)``, the archive
    written anew (so its checksums hold and the crafted pickle itself is what is read)."""
    import zipfile

    torch = pytest.importorskip("torch")
    path = tmp_path / "crafted.pt"
    torch.save(torch.zeros(4), path)
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    pkl = next(n for n in entries if n.endswith("data.pkl"))
    entries[pkl] = edit(entries[pkl])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("old, new, why", [
    (b"K\x04\x85", b"K\x09\x85", "out of bounds for storage"),  # size (9,): past the end
    (b"K\x01\x85", b"J\xff\xff\xff\xff\x85", "Negative strides"),  # stride (-1,)
    (b"QK\x00", b"QK\x03", "out of bounds for storage"),  # offset 3, size 4
    (b"K\x01\x85", b")", "mismatch in length of strides and shape"),  # stride ()
])
def test_load_checks_a_tensors_place_in_its_storage(tmp_path, old, new, why):
    """A crafted archive whose tensor would reach outside its storage must not read
    memory: PyTorch's UnpicklingError, naming the layout."""
    path = _torch_file_with_pickle(tmp_path, lambda pkl: pkl.replace(old, new, 1))
    with pytest.raises(pickle.UnpicklingError, match=why):
        tg.load(path)


def test_load_refuses_to_set_the_state_of_a_tensor(tmp_path):
    """BUILD (an object's __setstate__ / __dict__ update) is allowed on OrderedDicts and
    allowlisted classes only: a file cannot rewrite a tensor's internals."""
    build = b"ctorch\nTensor\n)\x81N}X\x05\x00\x00\x00_dataX\x03\x00\x00\x00abc\x86b."
    path = _torch_file_with_pickle(tmp_path, lambda pkl: b"\x80\x02" + build)
    with pytest.raises(pickle.UnpicklingError, match="can only build OrderedDict"):
        tg.load(path)


def test_load_of_a_damaged_archive_says_so(tmp_path):
    import zipfile

    torch = pytest.importorskip("torch")
    path = tmp_path / "m.pt"
    torch.save({"w": torch.ones(1000)}, path)
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    odd = next(n for n in entries if n.endswith("data/0"))
    entries[odd] = entries[odd][:-1]  # a storage of 3999 bytes: not whole float32s
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    with pytest.raises(pickle.UnpicklingError, match="holds 3999 bytes, not 1000 elements"):
        tg.load(path)
    data = bytearray(path.read_bytes())
    data[data.index(b"data.pkl") + 40] ^= 0xFF  # damage data.pkl's bytes: its CRC fails
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="its archive is damaged"):
        tg.load(path)


def test_an_expanded_tensor_loads_read_only_as_tg_expand_makes_it(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save(torch.ones(1).expand(3), tmp_path / "e.pt")
    loaded = tg.load(tmp_path / "e.pt")
    assert loaded.stride() == (0,) and loaded.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError):  # (one memory location for three elements)
        loaded.add_(1)


def test_load_refuses_a_pickle_in_a_file_object(marker):
    with pytest.raises(RuntimeError, match="pickle"):
        tg.load(io.BytesIO(pickle.dumps(_Evil(marker), protocol=2)))


def test_load_refuses_a_pickle_without_protocol_header(tmp_path, marker):
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(_Evil(marker), protocol=0))  # starts with "cposix..."
    with pytest.raises(RuntimeError, match="not a valid tinygrad_edu checkpoint"):
        tg.load(path)


def _checkpoint(tmp_path) -> tuple[str, bytes]:
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    path = str(tmp_path / "model.safetensors")
    tg.save({"model": model.state_dict(), "epoch": 3}, path)
    with open(path, "rb") as f:
        return path, f.read()


@pytest.mark.parametrize("keep", [0, 5, 8, 20, 0.5, -1])
def test_truncated_checkpoint_raises_clearly(tmp_path, keep):
    path, data = _checkpoint(tmp_path)
    cut = int(len(data) * keep) if isinstance(keep, float) else keep
    with open(path, "wb") as f:
        f.write(data[:cut] if cut >= 0 else data[:cut])
    with pytest.raises(RuntimeError, match="is not a valid tinygrad_edu checkpoint"):
        tg.load(path)


def test_corrupted_header_raises_clearly(tmp_path):
    path, data = _checkpoint(tmp_path)
    damaged = bytearray(data)
    damaged[10:14] = b"\xff\xfe{["  # inside the JSON header
    with open(path, "wb") as f:
        f.write(bytes(damaged))
    with pytest.raises(RuntimeError, match="is not a valid tinygrad_edu checkpoint"):
        tg.load(path)


def test_header_length_lying_raises_clearly(tmp_path):
    path, data = _checkpoint(tmp_path)
    with open(path, "wb") as f:
        f.write((2**40).to_bytes(8, "little") + data[8:])
    with pytest.raises(RuntimeError, match="header length does not fit"):
        tg.load(path)


def test_random_bytes_raise_clearly(tmp_path):
    path = tmp_path / "noise.bin"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 300, np.uint8).tobytes())
    with pytest.raises(RuntimeError, match="not a valid tinygrad_edu checkpoint"):
        tg.load(path)


def test_a_good_checkpoint_round_trips(tmp_path):
    path, _ = _checkpoint(tmp_path)
    loaded = tg.load(path)
    assert loaded["epoch"] == 3 and list(loaded["model"]) == [
        "0.weight", "0.bias", "2.weight", "2.bias"]


def test_load_state_dict_reports_everything_and_changes_nothing():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    bad = {k: tg.zeros(*v.shape) for k, v in model.state_dict().items()}
    del bad["2.bias"]  # missing
    bad["3.weight"] = tg.zeros(2, 2)  # unexpected
    bad["0.weight"] = tg.zeros(5, 3)  # wrong shape
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(bad)
    text = str(info.value)
    assert text.startswith("Error(s) in loading state_dict for Sequential:")
    assert 'Missing key(s) in state_dict: "2.bias".' in text
    assert 'Unexpected key(s) in state_dict: "3.weight".' in text
    assert ("size mismatch for 0.weight: copying a param with shape torch.Size([5, 3]) from "
            "checkpoint, the shape in current model is torch.Size([4, 3]).") in text.replace(
                "tinygrad_edu.Size", "torch.Size")
    for k, v in model.state_dict().items():  # nothing was copied, not even the good keys
        np.testing.assert_array_equal(v.numpy(), before[k])


def test_load_state_dict_non_strict_still_refuses_shape_mismatch():
    model = nn.Linear(3, 2)
    before = model.weight.detach().numpy().copy()
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        model.load_state_dict({"weight": tg.zeros(2, 4), "bias": tg.zeros(2)}, strict=False)
    np.testing.assert_array_equal(model.weight.detach().numpy(), before)
    result = model.load_state_dict({"bias": tg.ones(2), "extra": tg.ones(1)}, strict=False)
    assert result.missing_keys == ["weight"] and result.unexpected_keys == ["extra"]
    assert model.bias.tolist() == [1.0, 1.0]


def test_load_state_dict_matches_torch_message():
    torch = pytest.importorskip("torch")
    mine, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    sd = {"weight": np.zeros((2, 4), np.float32), "extra": np.zeros(1, np.float32)}
    with pytest.raises(RuntimeError) as a:
        mine.load_state_dict({k: tg.tensor(v) for k, v in sd.items()})
    with pytest.raises(RuntimeError) as b:
        theirs.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})
    assert str(a.value).replace("tinygrad_edu.", "torch.") == str(b.value)

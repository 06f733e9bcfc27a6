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


def test_load_refuses_a_torch_zip_pickle(tmp_path, marker):
    torch = pytest.importorskip("torch")
    path = tmp_path / "evil.pt"
    torch.save({"weight": _Evil(marker)}, path)
    with pytest.raises(RuntimeError, match="never unpickles"):
        tg.load(path)


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

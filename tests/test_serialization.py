"""``tg.save`` / ``tg.load``: safetensors checkpoints (never pickle) that round-trip module
and optimizer state, load into ``torch.nn`` through PyTorch's own safetensors loader,
and reject anything that is not a checkpoint with a clear error.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_nn_layers import needs_torch, torch
from test_nn_module import issue_model

import tinygrad_edu as tg
from tinygrad_edu import nn, optim

pytest.importorskip("safetensors")


def _trained(steps: int = 3) -> tuple[Any, Any]:
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    x, y = tg.randn(8, 3), tg.randn(8, 2)
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    return model, opt


def test_module_state_dict_round_trip(tmp_path: Path) -> None:
    model, _ = _trained()
    path = tmp_path / "model.safetensors"
    tg.save(model.state_dict(), path)
    loaded = tg.load(path)
    assert isinstance(loaded, OrderedDict) and list(loaded) == list(model.state_dict())
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(loaded)
    for p, q in zip(model.parameters(), fresh.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy())
    loaded["0.weight"].add_(1.0)  # loaded tensors are ordinary, writable tensors


def test_checkpoint_with_optimizer_resumes_exactly(tmp_path: Path) -> None:
    model, opt = _trained()
    path = str(tmp_path / "ckpt.safetensors")
    tg.save(
        {
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "epoch": 3,
            "note": "adam",
            "losses": [0.5, 0.25],
            "best": None,
        },
        path,
    )
    ckpt = tg.load(path)
    assert ckpt["epoch"] == 3 and ckpt["note"] == "adam" and ckpt["best"] is None
    assert ckpt["losses"] == [0.5, 0.25]
    saved = opt.state_dict()
    assert ckpt["optimizer"]["param_groups"] == saved["param_groups"]
    assert list(ckpt["optimizer"]["state"]) == [0, 1, 2, 3]  # int keys survive
    step = ckpt["optimizer"]["state"][0]["step"]
    assert step.shape == () and step.dtype == tg.float32 and step.item() == 3.0
    model2 = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    model2.load_state_dict(ckpt["model"])
    opt2 = optim.Adam(model2.parameters(), amsgrad=True)
    opt2.load_state_dict(ckpt["optimizer"])
    x, y = tg.ones(2, 3), tg.zeros(2, 2)
    for m, o in ((model, opt), (model2, opt2)):
        o.zero_grad()
        nn.functional.mse_loss(m(x), y).backward()
        o.step()
    for p, q in zip(model.parameters(), model2.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy())


def test_file_objects_tuples_dtypes_and_arrays() -> None:
    buffer = io.BytesIO()
    obj = {
        "t": tg.tensor([1, 2]),
        "b": tg.tensor([True, False]),
        "d": tg.ones(2, 2).double(),
        "pair": (1, 2.5),
        "arr": np.arange(3),
        "nested": {(1, "a"): tg.zeros(())},
    }
    tg.save(obj, buffer)
    buffer.seek(0)
    back = tg.load(buffer)
    assert back["t"].dtype == tg.int64 and back["b"].tolist() == [True, False]
    assert back["d"].dtype == tg.float64 and back["pair"] == (1, 2.5)
    assert isinstance(back["arr"], np.ndarray) and back["arr"].tolist() == [0, 1, 2]
    assert back["nested"][(1, "a")].shape == ()


@needs_torch
def test_saved_model_loads_into_torch_with_its_safetensors_loader(tmp_path: Path) -> None:
    from safetensors.torch import load_file, save_file

    tg.manual_seed(5)
    ours = issue_model(tg)
    path = tmp_path / "issue.safetensors"
    tg.save(ours.state_dict(), path)
    theirs = issue_model(torch)
    assert repr(theirs.load_state_dict(load_file(str(path)))) == "<All keys matched successfully>"
    x = np.linspace(0, 1, 5, dtype=np.float32)[:, None]
    np.testing.assert_allclose(
        ours(tg.tensor(x)).detach().numpy(),
        theirs(torch.tensor(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    # and the other way: a file written by PyTorch's safetensors loads here
    back = tmp_path / "from_torch.safetensors"
    save_file(theirs.state_dict(), str(back))
    again = issue_model(tg)
    again.load_state_dict(tg.load(back))
    assert np.array_equal(
        again.model[0].weight.detach().numpy(), ours.model[0].weight.detach().numpy()
    )


def test_invalid_files_give_clear_errors(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"definitely not a checkpoint")
    with pytest.raises(RuntimeError, match="is not a valid tinygrad_edu checkpoint"):
        tg.load(garbage)
    tiny = tmp_path / "tiny.bin"
    tiny.write_bytes(b"abc")
    with pytest.raises(RuntimeError, match="only 3 bytes long"):
        tg.load(tiny)
    zipped = tmp_path / "model.pt"
    with zipfile.ZipFile(zipped, "w") as archive:  # the layout of a torch.save file
        archive.writestr("model/data.pkl", b"\x80\x02}q\x00.")  # (an empty dict)
        archive.writestr("model/version", b"3\n")
    assert tg.load(zipped) == {}
    zipped.write_bytes(zipped.read_bytes()[:60])  # cut short: still recognised
    with pytest.raises(RuntimeError, match="looks like a PyTorch pickle checkpoint"):
        tg.load(zipped)
    zipped.write_bytes(b"PK\x03\x04rest of something")  # zip-like start, nothing more
    with pytest.raises(RuntimeError, match="is not a valid tinygrad_edu checkpoint"):
        tg.load(zipped)
    bad_json = tmp_path / "bad.safetensors"
    bad_json.write_bytes((5).to_bytes(8, "little") + b"{oops")
    with pytest.raises(RuntimeError, match="header is not valid JSON"):
        tg.load(bad_json)
    with pytest.raises(FileNotFoundError):
        tg.load(tmp_path / "missing.safetensors")


def test_objects_that_need_pickle_are_pickled_as_torch_save_does(tmp_path: Path) -> None:
    tg.save(nn.Linear(1, 1), tmp_path / "m.pt")
    assert isinstance(tg.load(tmp_path / "m.pt", weights_only=False), nn.Linear)
    with pytest.raises((pickle.PicklingError, AttributeError), match="local"):
        tg.save({"f": lambda: 0}, tmp_path / "f.pt")  # (torch.save: the same refusal)


def test_save_without_safetensors_says_how_to_install_it(tmp_path: Path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "safetensors", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match=r"pip install safetensors") as e:
        tg.save({"w": tg.ones(2)}, tmp_path / "w.safetensors")
    assert e.value.name == "safetensors" and not (tmp_path / "w.safetensors").exists()

"""``torch.save``'s zip archives: ``tg.load`` reads them as ``torch.load`` does since
PyTorch 2.6 (``weights_only``: tensors, containers and allowlisted classes only), and
``tg.save`` writes one for what safetensors cannot hold (a whole model). Found running
PyTorch's word_language_model example: it saves the model object and loads it back inside
``torch.serialization.safe_globals([...])``.
"""

from __future__ import annotations

import io
import pickle
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn

torch = pytest.importorskip("torch")


def _net(L: Any) -> Any:
    L.manual_seed(0)
    return L.nn.Sequential(L.nn.Embedding(10, 4), L.nn.Linear(4, 6), L.nn.BatchNorm1d(6),
                           L.nn.ReLU(), L.nn.Linear(6, 3))


def test_a_torch_state_dict_loads_bit_for_bit(tmp_path: Path) -> None:
    theirs = _net(torch)
    theirs.train()(torch.tensor([1, 2, 3]))  # (running statistics that are not the defaults)
    torch.save(theirs.state_dict(), tmp_path / "net.pth")
    state = tg.load(tmp_path / "net.pth")
    assert isinstance(state, OrderedDict) and list(state) == list(theirs.state_dict())
    assert state._metadata == theirs.state_dict()._metadata  # (module versions)
    for key, value in theirs.state_dict().items():
        assert np.array_equal(state[key].numpy(), value.numpy()), key
        assert state[key].dtype == getattr(tg, str(value.dtype).split(".")[1])
    ours = _net(tg)
    ours.load_state_dict(state)
    ids = [1, 5, 9]
    np.testing.assert_allclose(ours.eval()(tg.tensor(ids)).detach().numpy(),  # (BLAS rounding)
                               theirs.eval()(torch.tensor(ids)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)


def test_torch_checkpoint_with_optimizer_state_resumes_training(tmp_path: Path) -> None:
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.ones(1, 3)).sum().backward()
    opt.step()
    torch.save({"epoch": 3, "model": model.state_dict(), "optim": opt.state_dict(),
                "loss": torch.tensor(0.5)}, tmp_path / "ckpt.pt")
    ckpt = tg.load(tmp_path / "ckpt.pt")
    ours = tg.nn.Linear(3, 2)
    ours.load_state_dict(ckpt["model"])
    ours_opt = tg.optim.Adam(ours.parameters(), lr=0.1)
    ours_opt.load_state_dict(ckpt["optim"])
    assert ckpt["epoch"] == 3 and ckpt["loss"].item() == 0.5
    for L, m, o in ((torch, model, opt), (tg, ours, ours_opt)):
        o.zero_grad()
        m(L.ones(1, 3)).sum().backward()
        o.step()
    assert np.array_equal(ours.weight.detach().numpy(), model.weight.detach().numpy())


def test_tensors_of_one_storage_stay_views_of_each_other(tmp_path: Path) -> None:
    base = torch.arange(6.0)
    torch.save({"base": base, "view": base[2:4], "t": base.view(2, 3).t()}, tmp_path / "v.pt")
    loaded = tg.load(tmp_path / "v.pt")
    assert loaded["t"].stride() == (1, 3) and loaded["t"].tolist() == [[0, 3], [1, 4], [2, 5]]
    loaded["base"].mul_(10)  # as in torch, one storage: the views see the change
    assert loaded["view"].tolist() == [20.0, 30.0]
    assert loaded["t"][1].tolist() == [10.0, 40.0]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64",
                                   "int32", "int16", "int8", "uint8", "bool"])
def test_every_dtype_loads_from_torch_and_saves_for_torch(tmp_path: Path, dtype: str) -> None:
    values = torch.tensor([0, 1, 1, 0, 1]).to(getattr(torch, dtype))
    torch.save({"x": values, "o": {1, 2}}, tmp_path / "x.pt")  # (a set: pickled, not JSON)
    loaded = tg.load(tmp_path / "x.pt")["x"]
    assert str(loaded.dtype).split(".")[1] == dtype
    assert loaded.tolist() == values.tolist()
    tg.save({"x": loaded, "o": {1, 2}}, tmp_path / "y.pt")  # the set: torch.save's format
    back = torch.load(tmp_path / "y.pt")  # (weights_only: tensors written as torch writes)
    assert back["x"].dtype == values.dtype and torch.equal(back["x"], values)


def test_parameters_and_sizes_come_back_as_ours(tmp_path: Path) -> None:
    weight = torch.nn.Parameter(torch.ones(2))
    frozen = torch.nn.Parameter(torch.ones(2), requires_grad=False)
    leaf = torch.ones(2, requires_grad=True)
    torch.save([weight, frozen, leaf, torch.Size([2, 3]), torch.float64,
                torch.device("cpu")], tmp_path / "p.pt")
    p, q, t, size, dtype, device = tg.load(tmp_path / "p.pt")
    assert isinstance(p, nn.Parameter) and p.requires_grad
    assert isinstance(q, nn.Parameter) and not q.requires_grad
    assert not isinstance(t, nn.Parameter) and t.requires_grad and t.is_leaf
    assert size == tg.Size([2, 3]) and dtype is tg.float64 and device == tg.device("cpu")


class _Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(3, 4)
        self.out = nn.Linear(4, 2)

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        return self.out(self.rnn(x)[0])


def test_saving_a_whole_model_as_the_word_language_model_example(tmp_path: Path) -> None:
    """torch.save(model, f); with safe_globals([...the classes...]): torch.load(f)."""
    tg.manual_seed(0)
    model = _Net()
    x = tg.randn(5, 1, 3)
    with open(tmp_path / "model.pt", "wb") as f:
        tg.save(model, f)
    with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {__name__}._Net was not an"):
        tg.load(tmp_path / "model.pt")
    with open(tmp_path / "model.pt", "rb") as f, \
            tg.serialization.safe_globals([_Net, nn.GRU, nn.Linear]):
        loaded = tg.load(f)
    assert type(loaded) is _Net and loaded is not model
    assert np.array_equal(loaded(x).detach().numpy(), model(x).detach().numpy())
    assert [n for n, _ in loaded.named_parameters()] == [n for n, _ in model.named_parameters()]
    loaded.out.weight.data.zero_()  # its own parameters, not the saved model's
    assert model.out.weight.abs().sum().item() > 0


def test_saving_a_whole_model_as_the_saving_and_loading_tutorial(tmp_path: Path) -> None:
    """PyTorch's tutorial: torch.save(model, PATH); model = torch.load(PATH,
    weights_only=False); model.eval(). The loaded model trains on."""
    model = _Net()
    tg.save(model, tmp_path / "model.pth")
    again = tg.load(tmp_path / "model.pth", weights_only=False)
    again.eval()
    opt = tg.optim.SGD(again.parameters(), lr=0.1)
    again(tg.ones(2, 1, 3)).sum().backward()
    opt.step()
    assert all(p.grad is not None for p in again.parameters())


def test_names_in_a_checkpoint_are_listed_without_unpickling(tmp_path: Path) -> None:
    tg.save(_Net(), tmp_path / "model.pt")
    assert tg.serialization.get_unsafe_globals_in_checkpoint(tmp_path / "model.pt") == [
        f"{__name__}._Net", "tinygrad_edu.nn.modules.rnn.GRU",
        "tinygrad_edu.nn.modules.linear.Linear"]
    assert tg.serialization.get_safe_globals() == []
    tg.serialization.add_safe_globals([_Net, nn.GRU, (nn.Linear, "tinygrad_edu.nn."
                                                       "modules.linear.Linear")])
    try:
        assert type(tg.load(tmp_path / "model.pt")) is _Net
    finally:
        tg.serialization.clear_safe_globals()
    assert tg.serialization.get_safe_globals() == []


def test_a_damaged_archive_says_so(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    torch.save({"w": torch.ones(3)}, buffer)
    data = buffer.getvalue()
    cut = data.replace(b"archive/data/0", b"archive/data/9")  # the storage is missing
    with pytest.raises(RuntimeError, match="not a valid tinygrad_edu checkpoint: its archive "
                                           "is damaged"):
        tg.load(io.BytesIO(cut))


def test_tg_serialization_is_there_right_after_import() -> None:
    """``with torch.serialization.safe_globals([...])`` comes before any torch.load in
    PyTorch's examples: the module must be reachable at once (it was only after a first
    tg.save or tg.load had imported it)."""
    import subprocess
    import sys

    code = "import tinygrad_edu as tg; print(tg.serialization.safe_globals.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "safe_globals"


def test_a_complex_tensor_from_torch_is_refused_saying_why(tmp_path: Path) -> None:
    torch.save({"z": torch.ones(2, dtype=torch.complex64)}, tmp_path / "z.pt")
    with pytest.raises(pickle.UnpicklingError, match="complex, 8-bit float"):
        tg.load(tmp_path / "z.pt")

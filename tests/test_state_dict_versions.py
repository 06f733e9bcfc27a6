"""``load_state_dict`` reads older layouts as PyTorch does: a state dict carries
``_metadata`` (each module's ``version``), and BatchNorm (version 2 added
``num_batches_tracked``) fills the counter in when a checkpoint without a version lacks it,
while a version-2 checkpoint that lacks it is missing a key. ``tg.save`` / ``tg.load`` keep
the metadata, as ``torch.save`` / ``torch.load`` do.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import pytest
from test_nn_layers import needs_torch, torch

import tinygrad_edu as tg
from tinygrad_edu import nn


def test_batchnorm_state_dict_without_num_batches_tracked_loads() -> None:
    bn = nn.BatchNorm1d(3)
    sd = {k: v for k, v in nn.BatchNorm1d(3).state_dict().items() if k != "num_batches_tracked"}
    result = bn.load_state_dict(sd)
    assert result.missing_keys == [] and bn.num_batches_tracked.item() == 0


def _case(lib: Any, case: str) -> tuple[Any, Any]:
    """(module to load into, state dict) for one scenario, built alike in both libraries."""
    nn_ = lib.nn
    target = nn_.BatchNorm1d(3)
    with lib.no_grad():
        target.num_batches_tracked.fill_(5)  # the counter that filling in must keep
    sd = nn_.BatchNorm1d(3).state_dict()
    if case == "plain_dict":
        sd = {k: v for k, v in sd.items() if k != "num_batches_tracked"}
    elif case == "version_2":
        del sd["num_batches_tracked"]
    elif case == "version_1":
        del sd["num_batches_tracked"]
        sd._metadata[""]["version"] = 1
    elif case in ("nested_plain", "nested_version_2"):
        sd = nn_.Sequential(nn_.Linear(3, 3), nn_.BatchNorm1d(3)).state_dict()
        del sd["1.num_batches_tracked"]
        if case == "nested_plain":
            sd = dict(sd)
        target = nn_.Sequential(nn_.Linear(3, 3), nn_.BatchNorm1d(3))
    elif case == "not_tracking":
        target = nn_.BatchNorm1d(3, track_running_stats=False)
        sd = {k: v for k, v in sd.items() if k != "num_batches_tracked"}
    elif case == "buffer_set_to_none":
        target.num_batches_tracked = None
        sd = {k: v for k, v in sd.items() if k != "num_batches_tracked"}
    return target, sd


def _outcome(lib: Any, case: str, strict: bool) -> Any:
    target, sd = _case(lib, case)
    keys_before = list(sd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = target.load_state_dict(sd, strict=strict)
    except RuntimeError as e:
        return "RuntimeError", str(e).replace("torch.", "").replace("tinygrad_edu.", "")
    counts = [b.item() for n, b in target.named_buffers() if n.endswith("num_batches_tracked")]
    return list(result.missing_keys), list(result.unexpected_keys), counts, list(sd) == keys_before


CASES = ["plain_dict", "version_2", "version_1", "nested_plain", "nested_version_2",
         "not_tracking", "buffer_set_to_none"]


@needs_torch
@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("case", CASES)
def test_batchnorm_legacy_state_dicts_load_as_in_torch(case: str, strict: bool) -> None:
    assert _outcome(tg, case, strict) == _outcome(torch, case, strict)


@needs_torch
def test_state_dict_metadata_matches_torch() -> None:
    def metadata(lib: Any) -> Any:
        model = lib.nn.Sequential(lib.nn.Linear(1, 2), lib.nn.Sequential(lib.nn.BatchNorm1d(2)))
        return dict(model.state_dict()._metadata)

    assert metadata(tg) == metadata(torch)


def test_tg_save_keeps_the_metadata_as_torch_save_does() -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    for obj in (model.state_dict(), {"model": model.state_dict(), "epoch": 2}):
        buffer = io.BytesIO()
        tg.save(obj, buffer)
        loaded = tg.load(io.BytesIO(buffer.getvalue()))
        sd = loaded if "epoch" not in loaded else loaded["model"]
        assert sd._metadata == {"": {"version": 1}, "0": {"version": 1}, "1": {"version": 2}}
        del sd["1.num_batches_tracked"]
        with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: '
                                               '"1.num_batches_tracked"'):
            model.load_state_dict(sd)


def test_load_state_dict_does_not_change_the_callers_dict() -> None:
    sd = {k: v for k, v in nn.BatchNorm1d(2).state_dict().items() if k != "num_batches_tracked"}
    nn.BatchNorm1d(2).load_state_dict(sd)
    assert "num_batches_tracked" not in sd

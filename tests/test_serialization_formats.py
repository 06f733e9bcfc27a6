"""``tg.load`` recognises formats by their whole structure: every safetensors header
length loads (whatever its first bytes look like), pickles and torch.save files are
named as such, and anything else — random bytes, damaged or crafted headers — raises
"not a valid tinygrad_edu checkpoint", never a raw json/numpy/recursion error.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg

pytest.importorskip("safetensors")

INVALID = "is not a valid tinygrad_edu checkpoint"
PICKLE = "looks like a PyTorch pickle checkpoint"


def _bytes_of(obj: Any) -> bytes:
    buffer = io.BytesIO()
    tg.save(obj, buffer)
    return buffer.getvalue()


def _header_length(data: bytes) -> int:
    return struct.unpack("<Q", data[:8])[0]


def _load_both_ways(data: bytes, tmp_path: Path) -> tuple[Any, Any]:
    """tg.load of ``data`` from a path and from a file object."""
    path = tmp_path / "ckpt.safetensors"
    path.write_bytes(data)
    return tg.load(path), tg.load(io.BytesIO(data))


def _safetensors(header: dict[str, Any], payload: bytes = b"", length: int | None = None,
                 metadata: dict[str, str] | None = None) -> bytes:
    """A safetensors file written by hand: the JSON header padded with spaces to
    ``length`` bytes (any length, as other writers may produce)."""
    if metadata is not None:
        header = {"__metadata__": metadata, **header}
    text = json.dumps(header).encode()
    length = len(text) if length is None else length
    return struct.pack("<Q", length) + text.ljust(length) + payload


def _plain(obj: Any) -> Any:
    if isinstance(obj, tg.Tensor):
        return ("tensor", str(obj.dtype), tuple(obj.shape), obj.tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, [(k, _plain(v)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_plain(v) for v in obj])
    return obj


# --------------------------------------------- item 21: every header length loads


def test_checkpoint_whose_header_length_ends_in_byte_0x80_loads(tmp_path: Path) -> None:
    data = _bytes_of({(1, 2): 3})
    assert data[0] == 0x80  # the length's low byte, not a pickle's PROTO opcode
    for loaded in _load_both_ways(data, tmp_path):
        assert loaded == {(1, 2): 3}


def test_every_header_length_mod_256_of_tg_save_loads(tmp_path: Path) -> None:
    """tg.save pads headers to a multiple of 8: all 32 low bytes, from files and file
    objects, plus the lengths whose two low bytes read "PK" (a zip's signature) or a
    pickle's PROTO 2..5."""
    wanted = set(range(0, 256, 8))
    special = {0x4B50, 0x0280, 0x0380, 0x0480, 0x0580}
    seen: set[int] = set()
    name_length = 1
    while wanted or special:
        obj = {"k" * name_length: tg.arange(3).float(), "epoch": name_length, "t": (1, None)}
        data = _bytes_of(obj)
        n = _header_length(data)
        name_length += 1
        if n % 256 not in wanted and n % 65536 not in special:
            if name_length > 20000:
                raise AssertionError(f"not reached: {sorted(wanted)} {sorted(special)}")
            continue
        wanted.discard(n % 256)
        special.discard(n % 65536)
        seen.add(n)
        for loaded in _load_both_ways(data, tmp_path):
            assert _plain(loaded) == _plain(obj)
    assert len(seen) >= 32


def test_every_header_length_of_hand_written_safetensors_loads(tmp_path: Path) -> None:
    """Headers of every length 2..300 (all 256 low bytes), the lengths whose two low bytes
    read as a pickle's PROTO 2..5 opcode or as "PK", padded with spaces as the format
    allows."""
    tensor_header = {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    payload = np.array([1.5, -2.0], np.float32).tobytes()
    minimal = len(json.dumps(tensor_header))
    lengths = [*range(2, 300), 0x0280, 0x0380, 0x0480, 0x0580, 0x4B50, 0x4B50 + 65536]
    for n in lengths:
        if n < minimal:
            data, expected = _safetensors({}, length=n), {}
        else:
            data, expected = _safetensors(tensor_header, payload, n), {"w": [1.5, -2.0]}
        path = tmp_path / "hand.safetensors"
        path.write_bytes(data)
        for source in (path, io.BytesIO(data)):
            loaded = tg.load(source)
            assert {k: v.tolist() for k, v in loaded.items()} == expected, n


def test_tg_save_files_load_in_safetensors_torch_for_many_lengths(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    for length in range(1, 40):
        sd = OrderedDict([("w" * length, tg.arange(4).float()), ("b", tg.zeros(2))])
        path = tmp_path / f"m{length}.safetensors"
        tg.save(sd, path)
        theirs = load_file(path)
        assert list(theirs) == list(sd) or set(theirs) == set(sd)
        assert torch.equal(theirs["w" * length], torch.arange(4).float())


# ----------------------------------------------------- pickles are named as pickles


class _Evil:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickles_of_every_protocol_are_refused_as_pickles(tmp_path: Path, protocol: int) -> None:
    marker = tmp_path / "PWNED"
    data = pickle.dumps({"w": _Evil(str(marker))}, protocol=protocol)
    for source in (io.BytesIO(data), tmp_path / "evil.pt"):
        (tmp_path / "evil.pt").write_bytes(data)
        with pytest.raises(RuntimeError, match=PICKLE) as info:
            tg.load(source)
        assert INVALID in str(info.value) and "never unpickles" in str(info.value)
    assert not marker.exists()


def test_torch_save_legacy_files_are_refused_as_pickles(tmp_path: Path) -> None:
    """PyTorch's pre-1.6 format is a bare pickle stream: refused (torch.save's default zip
    archive loads, see test_serialization_pickle.py)."""
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(3)}, path, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match=PICKLE):
        tg.load(path)
    with pytest.raises(RuntimeError, match=PICKLE):
        tg.load(io.BytesIO(path.read_bytes()))


def test_zip_archives_that_are_not_torch_files_are_just_invalid(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", b"hello")
    with pytest.raises(RuntimeError, match=INVALID) as info:
        tg.load(io.BytesIO(buffer.getvalue()))
    assert PICKLE not in str(info.value)


# ------------------------------------------ random bytes: always the clear error


def _assert_invalid_or_loads(data: bytes) -> None:
    try:
        tg.load(io.BytesIO(data))
    except RuntimeError as e:
        assert INVALID in str(e), str(e)


@given(st.binary(max_size=300))
def test_random_bytes_give_not_a_valid_checkpoint(data: bytes) -> None:
    with pytest.raises(RuntimeError, match=INVALID):
        tg.load(io.BytesIO(data))


@given(length=st.integers(0, 400), body=st.binary(max_size=400))
def test_random_bytes_behind_a_plausible_header_length_give_the_clear_error(
    length: int, body: bytes
) -> None:
    data = struct.pack("<Q", length) + b"{" + body
    with pytest.raises(RuntimeError, match=INVALID):
        tg.load(io.BytesIO(data))


_GOOD = _bytes_of({"model": OrderedDict(w=tg.arange(6).float().reshape(2, 3), b=tg.ones(2)),
                   "step": tg.tensor(3), "mask": tg.tensor([True, False]), "epoch": 7})


@given(st.data())
def test_damaged_checkpoints_load_or_give_the_clear_error(data: st.DataObject) -> None:
    """Byte flips, cuts and insertions anywhere in a good checkpoint."""
    blob = bytearray(_GOOD)
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(blob) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if action == "flip":
            blob[where] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del blob[where : where + data.draw(st.integers(1, 8))]
        elif action == "insert":
            blob[where:where] = data.draw(st.binary(min_size=1, max_size=8))
        else:
            del blob[where:]
        if not blob:
            blob = bytearray(b"\0")
    _assert_invalid_or_loads(bytes(blob))


def test_empty_and_short_files_give_the_clear_error(tmp_path: Path) -> None:
    for data in (b"", b"\x80", b"\x80\x02", b"PK", b"\0" * 7):
        with pytest.raises(RuntimeError, match=INVALID):
            tg.load(io.BytesIO(data))
        path = tmp_path / "short.bin"
        path.write_bytes(data)
        with pytest.raises(RuntimeError, match=INVALID):
            tg.load(path)


# ---------------------------------- item 26: malformed headers, never a raw exception


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _doc(obj: Any) -> dict[str, str]:
    return {"format": "pt", "tinygrad_edu": json.dumps({"version": 1, "object": obj})}


F32 = {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}
MALFORMED = {
    "deep_header": struct.pack("<Q", 2 + 200_000) + b'{"a":' + _nested(100_000).encode() + b"}",
    "deep_document": _safetensors({}, metadata={"tinygrad_edu": _nested(100_000)}),
    "deep_object": _safetensors({}, metadata=_doc(json.loads(_nested(500)))),
    "bad_json": struct.pack("<Q", 5) + b"{oops",
    "not_utf8": struct.pack("<Q", 4) + b"{\xff\xfe}",
    "header_is_list": struct.pack("<Q", 2) + b"[]",
    "header_too_long": struct.pack("<Q", 2**63) + b"{}",
    "entry_not_object": _safetensors({"a": 5}),
    "entry_missing_dtype": _safetensors({"a": {"shape": [1], "data_offsets": [0, 4]}},
                                        b"\0" * 4),
    "unknown_dtype": _safetensors({"a": {**F32, "dtype": "Q7"}}, b"\0" * 4),
    "bf16": _safetensors({"a": {**F32, "dtype": "BF16", "shape": [2]}}, b"\0" * 4),
    "dtype_not_str": _safetensors({"a": {**F32, "dtype": 3}}, b"\0" * 4),
    "negative_shape": _safetensors({"a": {**F32, "shape": [-1]}}, b"\0" * 4),
    "float_shape": _safetensors({"a": {**F32, "shape": [1.0]}}, b"\0" * 4),
    "bool_shape": _safetensors({"a": {**F32, "shape": [True]}}, b"\0" * 4),
    "shape_not_list": _safetensors({"a": {**F32, "shape": 1}}, b"\0" * 4),
    "huge_shape": _safetensors({"a": {**F32, "shape": [2**40, 2**40]}}, b"\0" * 4),
    "size_mismatch": _safetensors({"a": {**F32, "shape": [2]}}, b"\0" * 4),
    "offsets_past_end": _safetensors({"a": {**F32, "data_offsets": [0, 2**62]}}, b"\0" * 4),
    "offsets_reversed": _safetensors({"a": {**F32, "data_offsets": [4, 0]}}, b"\0" * 4),
    "offsets_short": _safetensors({"a": {**F32, "data_offsets": [0]}}, b"\0" * 4),
    "offsets_gap": _safetensors({"a": {**F32, "data_offsets": [4, 8]}}, b"\0" * 8),
    "offsets_overlap": _safetensors({"a": F32, "b": F32}, b"\0" * 4),
    "trailing_bytes": _safetensors({"a": F32}, b"\0" * 8),
    "truncated_data": _safetensors({"a": F32}, b"\0" * 3),
    "bool_byte_2": _safetensors({"a": {"dtype": "BOOL", "shape": [1], "data_offsets": [0, 1]}},
                                b"\2"),
    "duplicate_key": struct.pack("<Q", 2 * len(json.dumps(F32)) + 15)
    + ('{"a":' + json.dumps(F32) + ',"a":' + json.dumps(F32) + "}").encode() + b"\0" * 4,
    "metadata_not_strings": _safetensors({}, metadata={"x": 1}),  # type: ignore[dict-item]
    "metadata_list": struct.pack("<Q", 20) + b'{"__metadata__": []}',
    "document_not_json": _safetensors({}, metadata={"tinygrad_edu": "{oops"}),
    "document_is_list": _safetensors({}, metadata={"tinygrad_edu": "[]"}),
    "document_version": _safetensors({}, metadata={"tinygrad_edu": json.dumps(
        {"version": 99, "object": 1})}),
    "document_no_object": _safetensors({}, metadata={"tinygrad_edu": '{"version": 1}'}),
    "missing_tensor": _safetensors({}, metadata=_doc({"__tensor__": "nope"})),
    "tensor_name_not_str": _safetensors({}, metadata=_doc({"__tensor__": [1]})),
    "unknown_entry": _safetensors({}, metadata=_doc({"what": 1})),
    "pairs_not_pairs": _safetensors({}, metadata=_doc({"__dict__": [5]})),
    "pairs_too_long": _safetensors({}, metadata=_doc({"__dict__": [[1, 2, 3]]})),
    "key_unhashable": _safetensors({}, metadata=_doc({"__dict__": [[[1], 2]]})),
    "tuple_key_unhashable": _safetensors({}, metadata=_doc(
        {"__dict__": [[{"__tuple__": [[1]]}, 2]]})),
    "tuple_not_list": _safetensors({}, metadata=_doc({"__tuple__": 5})),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_header_gives_not_a_valid_checkpoint(name: str, tmp_path: Path) -> None:
    data = MALFORMED[name]
    path = tmp_path / f"{name}.safetensors"
    path.write_bytes(data)
    for source in (path, io.BytesIO(data)):
        with pytest.raises(RuntimeError, match=INVALID):
            tg.load(source)


def test_deeply_nested_header_gives_not_a_valid_checkpoint() -> None:
    with pytest.raises(RuntimeError, match=INVALID):
        tg.load(io.BytesIO(MALFORMED["deep_header"]))
    with pytest.raises(RuntimeError, match=INVALID):
        tg.load(io.BytesIO(MALFORMED["deep_document"]))


def test_what_tg_save_writes_deeply_nested_it_loads_or_refuses_to_write() -> None:
    for depth in (1, 10, 50, 120):
        obj: Any = tg.ones(1)
        for _ in range(depth):
            obj = [obj]
        loaded = tg.load(io.BytesIO(_bytes_of(obj)))
        for _ in range(depth):
            loaded = loaded[0]
        assert loaded.tolist() == [1.0]
    deep: Any = 1
    for _ in range(600):
        deep = {"a": deep}
    with pytest.raises(RecursionError):
        tg.save(deep, io.BytesIO())


# -------------------------------------------------- save/load details and signatures


def test_save_and_load_reject_misspelt_keywords() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'protocol'"):
        tg.save({}, io.BytesIO(), protocol=2)
    data = _bytes_of({"a": tg.ones(1)})
    with pytest.raises(TypeError, match="unexpected keyword argument 'maplocation'"):
        tg.load(io.BytesIO(data), maplocation="cpu")
    loaded = tg.load(io.BytesIO(data), map_location="cpu", weights_only=True, mmap=False,
                     encoding="utf-8")
    assert loaded["a"].tolist() == [1.0]
    tg.save({}, io.BytesIO(), pickle_protocol=4, _use_new_zipfile_serialization=True)


def test_file_arguments_as_torch(tmp_path: Path) -> None:
    path = tmp_path / "a.safetensors"
    tg.save({"a": tg.ones(1)}, str(path))
    with open(path, encoding="latin-1") as text_file, pytest.raises(TypeError, match="binary"):
        tg.load(text_file)
    with pytest.raises(AttributeError, match="io.BytesIO"):
        tg.load(path.read_bytes())  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        tg.load(tmp_path / "missing")
    with open(path, "rb") as binary:
        assert tg.load(binary)["a"].tolist() == [1.0]


def test_save_names_and_dtypes() -> None:
    obj = {"__metadata__": tg.ones(2), "x": tg.zeros(2), "y": [tg.ones(1), tg.ones(1)],
           "big": np.arange(3, dtype=">i4")}
    loaded = tg.load(io.BytesIO(_bytes_of(obj)))
    assert loaded["__metadata__"].tolist() == [1.0, 1.0]
    assert loaded["big"].tolist() == [0, 1, 2] and loaded["big"].dtype == np.int32
    loaded["y"][0].add_(1)
    assert loaded["y"][1].tolist() == [1.0]  # two references, two tensors
    # safetensors holds no complex numbers: the array is pickled (numpy's own way), and
    # reads back only with weights_only=False, as from torch.save
    pickled = io.BytesIO(_bytes_of({"c": np.ones(2, np.complex64)}))
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL numpy"):
        tg.load(pickled)
    pickled.seek(0)
    assert tg.load(pickled, weights_only=False)["c"].dtype == np.complex64


def test_loaded_tensors_are_writeable_and_not_views_of_the_file() -> None:
    data = _bytes_of({"w": tg.arange(4).float(), "s": tg.tensor(2.0)})
    loaded = tg.load(io.BytesIO(data))
    loaded["w"].mul_(2)
    assert loaded["w"].tolist() == [0.0, 2.0, 4.0, 6.0] and loaded["s"].shape == ()

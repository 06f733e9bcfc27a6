"""``tg.save`` / ``tg.load``: checkpoints in the safetensors format where it can hold them.

PyTorch's ``torch.save`` pickles, and unpickling a file can run any code it contains.
A safetensors file is a JSON header plus raw array bytes: loading it only reads numbers.
``tg.save`` writes one whenever it can hold the object:

* Tensors (and numpy arrays) are stored as safetensors tensors. For a model's
  ``state_dict()`` their names are the state-dict keys (``model.0.weight``), so the file
  loads straight into the equivalent ``torch.nn`` model with
  ``safetensors.torch.load_file``.
* Everything else — the nesting of dicts, lists and tuples, numbers, strings, None
  (optimizer hyper-parameters, step counts) — is described by a JSON document kept in the
  header's metadata under ``"tinygrad_edu"``, where each tensor is a reference by name.

What safetensors cannot hold (a whole model: ``tg.save(model, path)``) is written in
``torch.save``'s own format, and ``tg.load`` reads that format too — files from
``torch.save`` included — the way ``torch.load`` does since PyTorch 2.6: by default only
tensors, containers, numbers and the classes allowlisted with
``tg.serialization.add_safe_globals`` can come out of it (``serialization_pickle.py``).

>>> tg.save(model.state_dict(), "model.safetensors")
>>> model.load_state_dict(tg.load("model.safetensors"))
>>> tg.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 5}, "ckpt.st")
"""

from __future__ import annotations

import io
import json
import math
import os
import pickletools
import re
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from typing import IO, Any, Union

import numpy as np

from . import serialization_pickle
from .nn.parameter import Parameter
from .serialization_pickle import (
    add_safe_globals,
    clear_safe_globals,
    get_safe_globals,
    safe_globals,
)
from .tensor import Tensor, _wrap

__all__ = ["save", "load", "add_safe_globals", "clear_safe_globals", "get_safe_globals",
           "safe_globals", "get_unsafe_globals_in_checkpoint"]

FileLike = Union[str, "os.PathLike[str]", IO[bytes]]

_META_KEY = "tinygrad_edu"
_FORMAT_VERSION = 1


# ----------------------------------------------------------------------------- saving


def save(
    obj: Any,
    f: FileLike,
    pickle_module: Any = None,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` to ``f`` (a path or a binary file object).

    A Tensor, or dicts / lists / tuples of Tensors, numbers, strings and None (a
    state_dict, an optimizer state_dict, a checkpoint dict) becomes a safetensors file.
    Anything else — a whole model — is pickled into ``torch.save``'s zip format, as
    PyTorch does; ``tg.load`` then reads it back only with its classes allowlisted
    (``tg.serialization.safe_globals``) or with ``weights_only=False``. Objects nested
    more than about a hundred levels deep raise RecursionError.

    The signature is ``torch.save``'s; its pickle options are accepted and change nothing.

    >>> tg.save(model.state_dict(), "model.safetensors")
    >>> tg.save(model, "model.pt")  # the whole model (pickled)

    Writing needs the ``safetensors`` package (``pip install safetensors``); reading
    (``tg.load``) does not.
    """
    arrays: dict[str, np.ndarray] = {}
    try:
        if _is_flat_state_dict(obj):  # a module state_dict: tensor names = its keys
            pairs = [[k, _tensor_ref(v, k, arrays)] for k, v in obj.items()]
            structure: Any = _mapping(obj, pairs, arrays)
        else:
            structure = _encode(obj, "", arrays)
    except _NeedsPickle:  # a whole model, say: torch.save's format, as PyTorch writes it
        _write(f, serialization_pickle.save_zip(obj))
        return
    st_save = _safetensors_writer()
    document = json.dumps({"version": _FORMAT_VERSION, "object": structure})
    depth = _json_depth(document)
    if depth > _MAX_DEPTH:
        raise RecursionError(
            f"tg.save cannot store this object: its description is nested {depth} levels "
            f"deep, more than the {_MAX_DEPTH} that tg.load reads back"
        )
    data = st_save(arrays, metadata={"format": "pt", _META_KEY: document})
    _write(f, data)


def _safetensors_writer() -> Any:
    """``safetensors.numpy.save``, or an ImportError that says how to install it."""
    try:
        from safetensors.numpy import save as st_save
    except ImportError as e:
        raise ModuleNotFoundError(
            "tg.save writes safetensors files and needs the safetensors package, which is "
            "not installed: run `pip install safetensors` (or `pip install -e "
            '".[checkpoints]"` in the repository). tg.load reads checkpoints without it.',
            name="safetensors") from e
    return st_save


def _is_flat_state_dict(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping)
        and bool(obj)
        and all(isinstance(k, str) and isinstance(v, (Tensor, np.ndarray)) for k, v in obj.items())
    )


def _tensor_ref(value: Tensor | np.ndarray, name: str, arrays: dict[str, np.ndarray]) -> Any:
    """Store ``value`` under a unique name; return the JSON reference to it."""
    data = value._data if isinstance(value, Tensor) else value
    if data.dtype.newbyteorder("<").str.lstrip("|<") not in _SAVABLE:
        raise _NeedsPickle(
            f"tg.save cannot store an array of dtype {data.dtype} ({name or 'the object'}): "
            "safetensors holds bool, integer and float16/32/64 tensors"
        )
    key = name or "tensor"
    n = 1
    while key in arrays or key == "__metadata__":  # the header's own key is not a name
        key = f"{name}#{n}"
        n += 1
    # safetensors stores little-endian, C-ordered bytes (no copy when data already is)
    arrays[key] = np.asarray(data, dtype=data.dtype.newbyteorder("<"), order="C")
    if not isinstance(value, Tensor):
        return {"__ndarray__": key}
    ref: dict[str, Any] = {"__tensor__": key}
    if isinstance(value, Parameter):  # comes back a Parameter, as torch.load gives it
        ref["parameter"] = True
    if value.requires_grad:  # (a leaf that requires grad, as torch.save keeps it)
        ref["requires_grad"] = True
    return ref


def _encode(obj: Any, path: str, arrays: dict[str, np.ndarray]) -> Any:
    """``obj`` as JSON, tensors replaced by references (stored in ``arrays``)."""
    if isinstance(obj, (Tensor, np.ndarray)):
        return _tensor_ref(obj, path, arrays)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Mapping):
        pairs = [[_encode_key(k), _encode(v, _join(path, k), arrays)] for k, v in obj.items()]
        return _mapping(obj, pairs, arrays)
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, _join(path, i), arrays) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, _join(path, i), arrays) for i, v in enumerate(obj)]
    raise _NeedsPickle(f"safetensors cannot hold an object of type {type(obj).__name__}")


class _NeedsPickle(TypeError):
    """What safetensors and its JSON description cannot hold: tg.save pickles it instead."""


def _mapping(obj: Mapping[Any, Any], pairs: list[list[Any]], arrays: dict[str, Any]) -> Any:
    """A dict as JSON: its (key, value) pairs, in order, and for an OrderedDict the
    ``_metadata`` a state_dict carries (module versions), as torch.save keeps it."""
    if not isinstance(obj, OrderedDict):
        return {"__dict__": pairs}
    encoded: dict[str, Any] = {"__odict__": pairs}
    metadata = getattr(obj, "_metadata", None)
    if isinstance(metadata, Mapping):
        encoded["__metadata__"] = _encode(metadata, "_metadata", arrays)
    return encoded


def _encode_key(key: Any) -> Any:
    if key is None or isinstance(key, (bool, int, float, str)):
        return key
    if isinstance(key, tuple):
        return {"__tuple__": [_encode_key(k) for k in key]}
    raise _NeedsPickle(f"safetensors cannot hold a dict key of type {type(key).__name__}")


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _write(f: FileLike, data: bytes) -> None:
    if hasattr(f, "write"):
        f.write(data)  # type: ignore[union-attr]
        return
    with open(f, "wb") as out:  # type: ignore[arg-type]
        out.write(data)


# ----------------------------------------------------------------------------- loading


def load(
    f: FileLike,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load what ``tg.save`` or ``torch.save`` wrote (or any safetensors file: then a
    dict of tensors).

    The signature is ``torch.load``'s. A ``torch.save`` archive is read as PyTorch 2.6+
    reads it: with ``weights_only`` (the default) only tensors, containers, numbers and
    the classes allowlisted by ``tg.serialization.add_safe_globals`` /
    ``safe_globals`` come out, and any other name stops the load with PyTorch's
    ``pickle.UnpicklingError`` before it is called; ``weights_only=False`` unpickles
    anything (only for files you trust: unpickling can run code). ``map_location``,
    ``pickle_module``, ``mmap`` and the pickle option ``encoding`` are accepted and change
    nothing (everything is on the CPU); any other keyword raises TypeError, as in PyTorch.
    A file that is not a checkpoint — a bare pickle stream, random bytes, a truncated or
    damaged file — raises RuntimeError saying why; the format is recognised by its whole
    structure, never by a magic byte.

    >>> model.load_state_dict(tg.load("model.safetensors"))
    >>> state = tg.load("resnet18.pth")  # a state_dict saved by torch.save
    """
    for key in pickle_load_args:
        if key != "encoding":
            raise TypeError(f"Unpickler.__init__() got an unexpected keyword argument '{key}'")
    name, data = _read(f)
    read = _read_safetensors(data, name)
    if read is None:  # a torch.save archive
        try:
            return serialization_pickle.load_zip(data, name, weights_only is not False)
        except serialization_pickle.DamagedArchive as e:
            raise _invalid(name, f"its archive is damaged ({e})") from None
    header, arrays = read
    metadata = header.get("__metadata__") or {}
    if _META_KEY not in metadata:  # a plain safetensors file (e.g. from safetensors.torch)
        return OrderedDict((k, _wrap(arrays[k])) for k in arrays)
    try:
        document = _json(metadata[_META_KEY], "the description of the saved object")
        if not isinstance(document, dict):
            raise TypeError("it is not a JSON object")
        if document.get("version") != _FORMAT_VERSION:
            raise ValueError(f"format version {document.get('version')!r} is unknown here")
        return _decode(document["object"], _Tensors(arrays))
    except _Malformed as e:
        raise _invalid(name, str(e)) from None
    except (KeyError, TypeError, ValueError, RecursionError) as e:
        raise _invalid(
            name, f"its description of the saved object is damaged ({type(e).__name__}: {e})"
        ) from None


def get_unsafe_globals_in_checkpoint(f: FileLike) -> list[str]:
    """The names in a ``torch.save``-format checkpoint that ``tg.load``'s default
    (``weights_only``) unpickler refuses unless allowlisted; nothing is unpickled.

    >>> tg.serialization.get_unsafe_globals_in_checkpoint("model.pt")
    ['__main__.MyModel', 'tinygrad_edu.nn.modules.linear.Linear']
    """
    name, data = _read(f)
    try:
        return serialization_pickle.unsafe_globals(data, name)
    except serialization_pickle.DamagedArchive as e:
        raise _invalid(name, f"its archive is damaged ({e})") from None


def _read(f: FileLike) -> tuple[str, bytes]:
    """The name to use in messages and the bytes of ``f`` (a path or a binary file)."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as src:
            return os.fspath(f), src.read()  # type: ignore[return-value]
    if not hasattr(f, "read"):
        raise AttributeError(
            f"'{type(f).__name__}' object has no attribute 'read'. tg.load takes a path "
            "(str or os.PathLike) or a binary file object; wrap bytes in io.BytesIO(data)."
        )
    data = f.read()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"tg.load needs a file opened in binary mode (open(path, 'rb')): its read() "
            f"returned {type(data).__name__}, not bytes"
        )
    return str(getattr(f, "name", "the file object")), bytes(data)


def _invalid(name: str, reason: str) -> RuntimeError:
    return RuntimeError(
        f"{name} is not a valid tinygrad_edu checkpoint: {reason}. tg.load reads safetensors "
        "files and torch.save's zip archives, and never unpickles anything else."
    )


# A safetensors file: an 8-byte little-endian header length N, N bytes of a JSON object
# (starting with "{", maybe padded with spaces), then the tensors' bytes, back to back.
# Each tensor is {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
# the end of the header); together they cover the data exactly, without gaps or overlaps.

_MAX_HEADER = 100_000_000  # the limit of the reference implementation
_DTYPES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
    "I8": "i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "?",
}
_SAVABLE = {np.dtype(code).str.lstrip("|<") for code in _DTYPES.values()}
# safetensors dtypes numpy cannot hold
_UNSUPPORTED = {"BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"}


def _read_safetensors(
    data: bytes, name: str
) -> tuple[dict[str, Any], dict[str, np.ndarray]] | None:
    """The header and the arrays (in file order) of a safetensors file, None for a whole
    torch.save archive; RuntimeError naming the first problem when ``data`` is anything
    else."""
    try:
        header = _header(data)
        return header, _arrays(data, header)
    except _Malformed as e:
        pickle_kind = _pickle_kind(data)
        if pickle_kind == _TORCH_ZIP:
            return None
        if pickle_kind is not None:
            raise _invalid(
                name,
                f"it looks like a PyTorch pickle checkpoint (torch.save; {pickle_kind}). "
                "tinygrad_edu never unpickles a bare pickle stream or a damaged archive, "
                "because unpickling can run arbitrary code. Save it again with PyTorch's "
                "default format (torch.save(torch.load(path), path)) or as safetensors: "
                "safetensors.torch.save_file(torch.load(path), 'model.safetensors')",
            ) from None
        raise _invalid(name, str(e)) from None


class _Malformed(Exception):
    """Why bytes are not a safetensors file (turned into tg.load's RuntimeError)."""


def _header(data: bytes) -> dict[str, Any]:
    if len(data) < 8:
        raise _Malformed(f"the file is only {len(data)} byte{'' if len(data) == 1 else 's'} "
                         "long")
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8 or size > _MAX_HEADER:
        room = (f"more than the {_MAX_HEADER} safetensors allows" if size > _MAX_HEADER
                else f"the file has {len(data) - 8} more")
        raise _Malformed(
            f"the header length does not fit in the file (the first 8 bytes give {size}, "
            f"{room})"
        )
    if data[8:9] != b"{":
        raise _Malformed("its header is not a JSON object (it does not start with '{')")
    try:
        text = data[8 : 8 + size].decode("utf-8")
    except UnicodeDecodeError:
        raise _Malformed("its header is not valid JSON (not UTF-8 text)") from None
    header = _json(text, "its header")
    if not isinstance(header, dict):
        raise _Malformed("its header is not a JSON object")
    metadata = header.get("__metadata__")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and all(isinstance(v, str) for v in metadata.values())
    ):
        raise _Malformed("its __metadata__ is not a JSON object of strings")
    return header


def _json(text: str, what: str) -> Any:
    """``json.loads(text)``, refusing duplicate keys and nesting deeper than
    ``_MAX_DEPTH`` (checked before parsing, so a crafted file cannot exhaust the stack)."""
    depth = _json_depth(text)
    if depth > _MAX_DEPTH:
        raise _Malformed(f"{what} is nested {depth} levels deep (tg.save writes at most "
                         f"{_MAX_DEPTH})")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise _Malformed(f"{what} is nested too deeply") from None
    except ValueError as e:
        raise _Malformed(f"{what} is not valid JSON ({e})") from None


# JSON nesting: tg.save refuses to write deeper documents, tg.load to read them. 400 levels
# stay well inside Python's recursion limit (1000) wherever tg.load is called from.
_MAX_DEPTH = 400
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def _json_depth(text: str) -> int:
    """How deeply the brackets of a JSON text nest (strings skipped), in linear time."""
    skeleton = np.frombuffer(_JSON_STRING.sub("", text).encode(), np.uint8)
    opens = (skeleton == ord("[")) | (skeleton == ord("{"))
    closes = (skeleton == ord("]")) | (skeleton == ord("}"))
    steps = opens.astype(np.int64) - closes
    return int(np.cumsum(steps).max()) if steps.size else 0


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; a key given twice is an error (which value is meant?)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice")
        out[key] = value
    return out


def _arrays(data: bytes, header: dict[str, Any]) -> dict[str, np.ndarray]:
    """Each tensor of the header as a (writeable, native-order) array, in file order,
    after checking dtype, shape and that the offsets tile the data exactly."""
    start = 8 + int.from_bytes(data[:8], "little")
    entries = [(k, _entry(k, v)) for k, v in header.items() if k != "__metadata__"]
    entries.sort(key=lambda item: item[1][2])
    arrays: dict[str, np.ndarray] = {}
    end = 0
    for key, (dtype, shape, (begin, stop)) in entries:
        if begin != end:
            raise _Malformed(
                f"tensor {key!r} starts at byte {begin} of the data, but the data before it "
                f"ends at {end} (offsets must tile the data without gaps or overlaps)"
            )
        if stop > len(data) - start:
            raise _Malformed(
                f"tensor {key!r} ends at byte {stop} of the data, but the file holds only "
                f"{len(data) - start} (is it truncated?)"
            )
        count = math.prod(shape)
        if count * dtype.itemsize != stop - begin:
            raise _Malformed(
                f"tensor {key!r} of shape {shape} and dtype {dtype} needs "
                f"{count * dtype.itemsize} bytes, but its offsets hold {stop - begin}"
            )
        array = (
            np.frombuffer(data, dtype, count, start + begin).reshape(shape)
            if count
            else np.empty(shape, dtype)
        )
        if dtype.kind == "b" and array.view(np.uint8).max(initial=0) > 1:
            raise _Malformed(f"bool tensor {key!r} holds bytes other than 0 and 1")
        arrays[key] = array.astype(dtype.newbyteorder("="))  # a writeable copy
        end = stop
    if end != len(data) - start:
        raise _Malformed(
            f"the tensors cover {end} bytes of data, but the file has {len(data) - start}"
        )
    return arrays


def _entry(key: str, info: Any) -> tuple[np.dtype, list[int], tuple[int, int]]:
    """``(dtype, shape, (begin, end))`` of one header entry, checked."""
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= info.keys():
        raise _Malformed(f"the header entry of tensor {key!r} lacks dtype, shape or offsets")
    dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if dtype in _UNSUPPORTED:
        raise _Malformed(f"tensor {key!r} has dtype {dtype}, which numpy cannot hold")
    if not isinstance(dtype, str) or dtype not in _DTYPES:
        raise _Malformed(f"tensor {key!r} has an unknown dtype {dtype!r}")
    if not isinstance(shape, list) or not all(_is_size(d) for d in shape):
        raise _Malformed(f"tensor {key!r} has an invalid shape {shape!r}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_is_size, offsets))
            and offsets[0] <= offsets[1]):
        raise _Malformed(f"tensor {key!r} has invalid data_offsets {offsets!r}")
    return np.dtype(_DTYPES[dtype]), shape, (offsets[0], offsets[1])


def _is_size(value: Any) -> bool:
    return type(value) is int and value >= 0


def _pickle_kind(data: bytes) -> str | None:
    """What kind of pickle ``data`` is — a torch.save zip archive (whole, or cut short
    after its first entry's header), or a pickle stream (whose opcodes parse up to STOP;
    parsing runs nothing) — or None."""
    if data[:4] == b"PK\x03\x04":
        return _torch_zip_kind(data)
    try:
        for opcode, _, _ in pickletools.genops(data):
            if opcode.name == "STOP":
                return "a pickle stream"
    except Exception:  # noqa: BLE001 - any damage means: not a pickle
        return None
    return None


_TORCH_ZIP = "a zip archive holding data.pkl"


def _torch_zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
        kind = _TORCH_ZIP
    except Exception:  # noqa: BLE001 - not a whole archive: read its first entry's header
        name_length = int.from_bytes(data[26:28], "little")
        names = [data[30 : 30 + name_length].decode("utf-8", "replace")]
        kind = "a truncated zip archive whose first entry is data.pkl"
    if any(name == "data.pkl" or name.endswith("/data.pkl") for name in names):
        return kind
    return None


class _Tensors:
    """The loaded arrays, handed out once each: a second reference gets a copy (tg.save
    stores every reference as its own tensor, so nothing is shared)."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.used: set[str] = set()

    def take(self, key: str) -> np.ndarray:
        array = self.arrays[key]
        if key in self.used:
            return array.copy()
        self.used.add(key)
        return array


def _decode(obj: Any, tensors: _Tensors) -> Any:
    """The saved object from its JSON description (the inverse of ``_encode``)."""
    if isinstance(obj, list):
        return [_decode(v, tensors) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        data = tensors.take(obj["__tensor__"])
        requires_grad = bool(obj.get("requires_grad", False))
        if obj.get("parameter"):
            return Parameter(_wrap(data), requires_grad=requires_grad)
        return _wrap(data, requires_grad)
    if "__ndarray__" in obj:
        return tensors.take(obj["__ndarray__"])
    if "__tuple__" in obj:
        return tuple(_decode(v, tensors) for v in obj["__tuple__"])
    pairs = obj.get("__odict__", obj.get("__dict__"))
    if pairs is None:
        raise ValueError(f"unknown entry {sorted(obj)}")
    out = OrderedDict() if "__odict__" in obj else {}
    for key, value in pairs:
        out[_decode_key(key)] = _decode(value, tensors)
    if "__metadata__" in obj and isinstance(out, OrderedDict):
        out._metadata = _decode(obj["__metadata__"], tensors)  # type: ignore[attr-defined]
    return out


def _decode_key(key: Any) -> Any:
    if isinstance(key, dict) and "__tuple__" in key:
        return tuple(_decode_key(k) for k in key["__tuple__"])
    if isinstance(key, (list, dict)):
        raise TypeError(f"a dict key cannot be {key!r}")
    return key

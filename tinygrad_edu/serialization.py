"""``tg.save`` / ``tg.load``: checkpoints in the safetensors format, never pickle.

PyTorch's ``torch.save`` pickles, and unpickling a file can run any code it contains.
A safetensors file is a JSON header plus raw array bytes: loading it only reads numbers.

* Tensors (and numpy arrays) are stored as safetensors tensors. For a model's
  ``state_dict()`` their names are the state-dict keys (``model.0.weight``), so the file
  loads straight into the equivalent ``torch.nn`` model with
  ``safetensors.torch.load_file``.
* Everything else — the nesting of dicts, lists and tuples, numbers, strings, None
  (optimizer hyper-parameters, step counts) — is described by a JSON document kept in the
  header's metadata under ``"tinygrad_edu"``, where each tensor is a reference by name.

>>> tg.save(model.state_dict(), "model.safetensors")
>>> model.load_state_dict(tg.load("model.safetensors"))
>>> tg.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 5}, "ckpt.st")
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from collections.abc import Mapping
from typing import IO, Any, Union

import numpy as np

from .tensor import Tensor, _wrap

__all__ = ["save", "load"]

FileLike = Union[str, "os.PathLike[str]", IO[bytes]]

_META_KEY = "tinygrad_edu"
_FORMAT_VERSION = 1


# ----------------------------------------------------------------------------- saving


def save(obj: Any, f: FileLike, **kwargs: Any) -> None:
    """Save ``obj`` — a Tensor, or dicts / lists / tuples of Tensors, numbers, strings
    and None (a state_dict, an optimizer state_dict, a checkpoint dict) — to ``f`` (a
    path or a binary file object) as a safetensors file.

    Extra keyword arguments of ``torch.save`` (``pickle_protocol``, ...) are accepted and
    ignored. Raises TypeError for objects that would need pickle (modules, functions).

    >>> tg.save(model.state_dict(), "model.safetensors")
    """
    from safetensors.numpy import save as st_save

    arrays: dict[str, np.ndarray] = {}
    if _is_flat_state_dict(obj):  # a module state_dict: tensor names = its keys
        structure: Any = {
            "__odict__" if isinstance(obj, OrderedDict) else "__dict__": [
                [k, _tensor_ref(v, k, arrays)] for k, v in obj.items()
            ]
        }
    else:
        structure = _encode(obj, "", arrays)
    document = json.dumps({"version": _FORMAT_VERSION, "object": structure})
    data = st_save(arrays, metadata={"format": "pt", _META_KEY: document})
    _write(f, data)


def _is_flat_state_dict(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping)
        and bool(obj)
        and all(isinstance(k, str) and isinstance(v, (Tensor, np.ndarray)) for k, v in obj.items())
    )


def _tensor_ref(value: Tensor | np.ndarray, name: str, arrays: dict[str, np.ndarray]) -> Any:
    """Store ``value`` under a unique name; return the JSON reference to it."""
    key = name or "tensor"
    n = 1
    while key in arrays:
        key = f"{name}#{n}"
        n += 1
    data = value._data if isinstance(value, Tensor) else value
    arrays[key] = data if data.flags.c_contiguous else np.array(data, order="C")
    return {"__tensor__" if isinstance(value, Tensor) else "__ndarray__": key}


def _encode(obj: Any, path: str, arrays: dict[str, np.ndarray]) -> Any:
    """``obj`` as JSON, tensors replaced by references (stored in ``arrays``)."""
    if isinstance(obj, (Tensor, np.ndarray)):
        return _tensor_ref(obj, path, arrays)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Mapping):
        tag = "__odict__" if isinstance(obj, OrderedDict) else "__dict__"
        return {tag: [[_encode_key(k), _encode(v, _join(path, k), arrays)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, _join(path, i), arrays) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, _join(path, i), arrays) for i, v in enumerate(obj)]
    raise TypeError(
        f"tg.save cannot store an object of type {type(obj).__name__}: checkpoints hold "
        "Tensors, numbers, strings, None and dicts/lists/tuples of them (no pickle). "
        "Save model.state_dict() rather than the model itself."
    )


def _encode_key(key: Any) -> Any:
    if key is None or isinstance(key, (bool, int, float, str)):
        return key
    if isinstance(key, tuple):
        return {"__tuple__": [_encode_key(k) for k in key]}
    raise TypeError(f"tg.save cannot store a dict key of type {type(key).__name__}")


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _write(f: FileLike, data: bytes) -> None:
    if hasattr(f, "write"):
        f.write(data)  # type: ignore[union-attr]
        return
    with open(f, "wb") as out:  # type: ignore[arg-type]
        out.write(data)


# ----------------------------------------------------------------------------- loading


def load(f: FileLike, map_location: Any = None, weights_only: Any = None, **kwargs: Any) -> Any:
    """Load what ``tg.save`` wrote (or any safetensors file: then a dict of tensors).

    ``map_location`` and ``weights_only`` are accepted for compatibility with
    ``torch.load`` (everything is on the CPU, and loading never runs code). A file that
    is not a safetensors checkpoint raises RuntimeError saying why.

    >>> model.load_state_dict(tg.load("model.safetensors"))
    """
    name, data = _read(f)
    header = _parse_header(data, name)
    arrays = _arrays(data, name)
    metadata = header.get("__metadata__") or {}
    if _META_KEY not in metadata:  # a plain safetensors file (e.g. from safetensors.torch)
        return OrderedDict((k, _as_tensor(arrays[k])) for k in _ordered_names(header))
    try:
        document = json.loads(metadata[_META_KEY])
        return _decode(document["object"], arrays)
    except (KeyError, TypeError, ValueError) as e:
        raise RuntimeError(
            f"{name} is not a valid tinygrad_edu checkpoint: its description "
            f"of the saved object is damaged ({e!r})"
        ) from None


def _read(f: FileLike) -> tuple[str, bytes]:
    if hasattr(f, "read"):
        return getattr(f, "name", "the file object"), f.read()  # type: ignore[union-attr]
    with open(f, "rb") as src:  # type: ignore[arg-type]
        return os.fspath(f), src.read()  # type: ignore[arg-type]


def _invalid(name: str, reason: str) -> RuntimeError:
    return RuntimeError(
        f"{name} is not a valid tinygrad_edu checkpoint: {reason}. tg.load reads safetensors "
        "files (what tg.save writes) and never unpickles."
    )


def _parse_header(data: bytes, name: str) -> dict[str, Any]:
    if data[:2] == b"PK" or data[:1] == b"\x80":
        raise RuntimeError(
            f"{name} looks like a PyTorch pickle checkpoint (torch.save). tinygrad_edu never "
            "unpickles files, because unpickling can run arbitrary code. Convert it once, "
            "with PyTorch: safetensors.torch.save_file(torch.load(path), 'model.safetensors')"
        )
    if len(data) < 8:
        raise _invalid(name, f"the file is only {len(data)} bytes long")
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8:
        raise _invalid(name, "the header length does not fit in the file")
    try:
        header = json.loads(data[8 : 8 + size])
    except (UnicodeDecodeError, ValueError):
        raise _invalid(name, "its header is not valid JSON") from None
    if not isinstance(header, dict):
        raise _invalid(name, "its header is not a JSON object")
    return header


def _arrays(data: bytes, name: str) -> dict[str, np.ndarray]:
    from safetensors.numpy import load as st_load

    try:
        return st_load(data)
    except Exception as e:  # safetensors raises its own SafetensorError
        raise _invalid(name, f"safetensors could not read it ({e})") from None


def _ordered_names(header: dict[str, Any]) -> list[str]:
    """Tensor names in file order (the order they were saved in)."""
    names = [k for k in header if k != "__metadata__"]
    return sorted(names, key=lambda k: header[k]["data_offsets"][0])


def _as_tensor(array: np.ndarray) -> Tensor:
    return _wrap(array if array.flags.writeable else array.copy())


def _decode(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(obj, list):
        return [_decode(v, arrays) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        return _as_tensor(arrays[obj["__tensor__"]])
    if "__ndarray__" in obj:
        array = arrays[obj["__ndarray__"]]
        return array if array.flags.writeable else array.copy()
    if "__tuple__" in obj:
        return tuple(_decode(v, arrays) for v in obj["__tuple__"])
    pairs = obj.get("__odict__", obj.get("__dict__"))
    if pairs is None:
        raise ValueError(f"unknown entry {sorted(obj)}")
    out = OrderedDict() if "__odict__" in obj else {}
    for key, value in pairs:
        out[_decode_key(key)] = _decode(value, arrays)
    return out


def _decode_key(key: Any) -> Any:
    if isinstance(key, dict) and "__tuple__" in key:
        return tuple(_decode_key(k) for k in key["__tuple__"])
    return key

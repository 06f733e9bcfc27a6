"""``torch.save``'s checkpoint format — a zip archive of ``data.pkl`` (a pickle) and one raw
file per storage — read and written as PyTorch 2.6+ does.

Reading is ``torch.load``'s ``weights_only`` mode by default: a restricted unpickler that
can build tensors, parameters, containers and numbers, plus the classes the user
allowlists (``add_safe_globals`` / ``safe_globals``). Any other name in the pickle — a
function that would run code, a class nobody allowed — stops the load with PyTorch's
``UnpicklingError`` before anything is called. ``weights_only=False`` unpickles anything,
as in PyTorch: only for files you trust.

``tg.save`` writes this format for what safetensors cannot hold (a whole model,
``tg.save(model, path)``); its tensors are pickled as PyTorch pickles them, so
``torch.load`` reads their values.
"""

from __future__ import annotations

import contextlib
import io
import pickle
import pickletools
import zipfile
from collections import Counter, OrderedDict
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from . import dtypes
from ._device import device
from .nn.parameter import Parameter
from .ops.strided import check_window, window
from .tensor import Size, Tensor, _wrap

__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals"]

# ------------------------------------------------------------------- the allowlist

_user_safe: list[Any] = []  # what add_safe_globals was given, in order


def add_safe_globals(safe_globals: list[Any]) -> None:
    """Allow ``tg.load``'s default (``weights_only``) unpickler to build these classes and
    call these functions: the classes of a saved model, for instance.

    Each entry is the object itself, or ``(object, "module.name")`` to match it under
    another name. Allow only what you trust: a class's ``__setstate__`` runs on load.

    >>> tg.serialization.add_safe_globals([MyModel, nn.Linear])
    >>> model = tg.load("model.pt")
    """
    _user_safe.extend(safe_globals)


def clear_safe_globals() -> None:
    """Forget everything ``add_safe_globals`` allowed.

    >>> tg.serialization.clear_safe_globals()
    """
    _user_safe.clear()


def get_safe_globals() -> list[Any]:
    """What ``add_safe_globals`` allowed, in order.

    >>> tg.serialization.get_safe_globals()
    []
    """
    return list(_user_safe)


@contextlib.contextmanager
def safe_globals(safe_globals: list[Any]) -> Iterator[None]:
    """Allow these globals within a ``with`` block only (see ``add_safe_globals``).

    >>> with tg.serialization.safe_globals([MyModel]):
    ...     model = tg.load("model.pt")
    """
    before = list(_user_safe)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_safe[:] = before


def _user_allowed() -> dict[str, Any]:
    """``"module.name"`` -> object, for every allowlisted object."""
    names: dict[str, Any] = {}
    for entry in _user_safe:
        obj, name = entry if isinstance(entry, tuple) else (entry, None)
        names[name or f"{obj.__module__}.{obj.__qualname__}"] = obj
    return names


def unsafe_globals(data: bytes, name: str) -> list[str]:
    """The names in a checkpoint's pickle that the ``weights_only`` unpickler refuses by
    default (``tg.serialization.get_unsafe_globals_in_checkpoint``); nothing is unpickled.
    The opcodes are read, not run: a name a crafted pickle assembles through its memo can
    be missed here (the load itself still refuses it)."""
    archive, prefix = _open(data, name)
    found: list[str] = []
    strings: list[str] = []
    for opcode, arg, _ in pickletools.genops(_entry(archive, f"{prefix}data.pkl")):
        if opcode.name in ("GLOBAL", "INST"):
            full = str(arg).replace(" ", ".")
        elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
            full = f"{strings[-2]}.{strings[-1]}"
        else:
            if isinstance(arg, str):
                strings.append(arg)
            continue
        if _builtin_global(full) is None and full not in found:
            found.append(full)
    return found


# ------------------------------------------------------------- PyTorch's names, ours

_STORAGE_DTYPES = {
    "FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
    "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
    "BoolStorage": "bool",
}
_DTYPE_NAMES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16",
                "int8", "uint8", "bool")


def _dtype(name: str) -> dtypes.DType:
    return dtypes._bfloat16() if name == "bfloat16" else getattr(dtypes, name)  # type: ignore[no-any-return]


class _StorageType:
    """What ``torch.FloatStorage`` stands for in a pickle: the dtype of a storage."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = _dtype(_STORAGE_DTYPES[name])


def _rebuild_tensor_v2(storage: np.ndarray, storage_offset: int, size: Any, stride: Any,
                       requires_grad: bool = False, backward_hooks: Any = None,
                       metadata: Any = None) -> Tensor:
    """A tensor viewing ``storage`` (tensors of one storage share its memory, as in
    PyTorch), after checking that it lies inside it: a file never reads past its data."""
    if not isinstance(storage, np.ndarray):
        raise pickle.UnpicklingError("a tensor's storage is not a storage")
    size, stride = tuple(size), tuple(stride)
    if not all(type(v) is int for v in (storage_offset, *size, *stride)):
        raise pickle.UnpicklingError(f"invalid tensor layout: offset {storage_offset!r}, "
                                     f"size {size!r}, stride {stride!r}")
    try:
        check_window(size, stride, storage_offset, storage.itemsize, storage.size)
        view = window(storage, size, stride, storage_offset)
    except (RuntimeError, ValueError) as e:
        raise pickle.UnpicklingError(f"invalid tensor layout: {e}") from None
    if any(s == 0 and n > 1 for n, s in zip(size, stride)):  # an expanded tensor: as
        view.flags.writeable = False  # tg.expand's, in-place writes into it raise
    return _wrap(view, bool(requires_grad))


def _rebuild_tensor(storage: np.ndarray, storage_offset: int, size: Any, stride: Any) -> Tensor:
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any = None) -> Parameter:
    return Parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data: Tensor, requires_grad: bool, backward_hooks: Any,
                                  state: Any) -> Parameter:
    param = _rebuild_parameter(data, requires_grad)
    for key, value in (state or {}).items():
        if not isinstance(key, str) or key.startswith("_"):  # (a file sets no internals)
            raise pickle.UnpicklingError(f"a parameter's saved state cannot set {key!r}")
        setattr(param, key, value)
    return param


def _rebuild_from_type_v2(func: Any, new_type: Any, args: Any, state: Any) -> Any:
    """A tensor subclass (``Parameter`` saved inside a container, for one)."""
    tensor = func(*args)
    if new_type is Parameter and not isinstance(tensor, Parameter):
        tensor = Parameter(tensor, tensor.requires_grad)
    return tensor


def _size(values: Any) -> Size:
    return Size(values)


def _encode(text: str, encoding: str = "latin1") -> bytes:
    """``_codecs.encode``: how protocol 2 pickles bytes."""
    return text.encode(encoding)


# what torch.load's weights_only unpickler allows by default, each as our own object
_BUILTINS: dict[str, Any] = {
    "collections.OrderedDict": OrderedDict, "collections.Counter": Counter,
    "builtins.set": set, "__builtin__.set": set, "builtins.frozenset": frozenset,
    "builtins.bytearray": bytearray, "builtins.complex": complex, "_codecs.encode": _encode,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_tensor": _rebuild_tensor,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch.nn.parameter.Parameter": Parameter, "torch.Tensor": Tensor,
    "torch.Size": _size, "torch.device": device,
}


def _builtin_global(full: str) -> Any:
    """Our object for a name torch's weights_only unpickler allows, else None."""
    if full in _BUILTINS:
        return _BUILTINS[full]
    module, _, name = full.rpartition(".")
    if module == "torch" and name in _STORAGE_DTYPES:
        return _StorageType(name)
    if module == "torch" and name in _DTYPE_NAMES:
        return _dtype(name)
    return None


# ------------------------------------------------------------------------ reading


class DamagedArchive(Exception):
    """A zip archive that cannot be read (tg.load's RuntimeError says so)."""


def _open(data: bytes, name: str) -> tuple[zipfile.ZipFile, str]:
    """The archive and the folder its ``data.pkl`` is in (``"archive/"``)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - any damage: the same clear error
        raise DamagedArchive(f"{type(e).__name__}: {e}") from None
    for entry in archive.namelist():
        if entry.endswith("data.pkl") and entry.count("/") <= 1:
            return archive, entry[: -len("data.pkl")]
    raise DamagedArchive("its zip archive holds no data.pkl")


def _entry(archive: zipfile.ZipFile, path: str) -> bytes:
    """The bytes of one entry; any problem (missing, truncated, bad CRC, compressed or
    encrypted in a way zipfile cannot read) is a DamagedArchive."""
    try:
        return archive.read(path)
    except Exception as e:  # noqa: BLE001
        raise DamagedArchive(f"{type(e).__name__}: {e}") from None


# the dtypes of PyTorch that numpy cannot hold: named, so the refusal says why
_UNSUPPORTED = ("Complex", "complex", "float8", "float4", "QInt", "QUInt", "qint", "quint",
                "bits", "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7", "int1",
                "int2", "int3", "int4", "int5", "int6", "int7", "_rebuild_tensor_v3",
                "_rebuild_qtensor", "_rebuild_sparse_tensor", "_rebuild_nested_tensor")

_PythonUnpickler: Any = pickle._Unpickler  # type: ignore[attr-defined]


class _Unpickler(_PythonUnpickler):  # (the Python unpickler: its BUILD can be restricted)
    """Unpickles ``data.pkl``, taking each storage from the archive. With
    ``weights_only`` it resolves only allowlisted names, and sets the state (BUILD) of
    OrderedDicts and allowlisted classes only: nothing else can be called or changed."""

    dispatch = _PythonUnpickler.dispatch.copy()

    def __init__(self, archive: zipfile.ZipFile, prefix: str, weights_only: bool) -> None:
        super().__init__(io.BytesIO(_entry(archive, f"{prefix}data.pkl")))
        self.archive, self.prefix, self.weights_only = archive, prefix, weights_only
        self.storages: dict[str, np.ndarray] = {}
        self.allowed = _user_allowed()

    def find_class(self, module: str, name: str) -> Any:
        full = f"{module}.{name}"
        ours = _builtin_global(full)
        if ours is not None:
            return ours
        if full in self.allowed:
            return self.allowed[full]
        if module.startswith("torch") and any(n in name for n in _UNSUPPORTED):
            raise pickle.UnpicklingError(f"the file holds {full}: complex, 8-bit float, "
                                         "quantized, sparse and nested tensors are not "
                                         "available in tinygrad_edu")
        if self.weights_only:
            raise pickle.UnpicklingError(_refused(full))
        if module == "torch" or module.startswith("torch."):  # a PyTorch class: ours
            module = "tinygrad_edu" + module[len("torch"):]
        return super().find_class(module, name)

    def load_build(self) -> None:
        if self.weights_only:
            kind = type(self.stack[-2])
            if kind is not OrderedDict and kind not in self.allowed.values():
                raise pickle.UnpicklingError(
                    f"Weights only load failed: can only build OrderedDict or types "
                    f"allowlisted via `tg.serialization.add_safe_globals`, but got {kind}")
        super().load_build()

    dispatch[pickle.BUILD[0]] = load_build

    def persistent_load(self, pid: Any) -> np.ndarray:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType) and isinstance(pid[2], str)
                and type(pid[4]) is int):
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        _, kind, key, _location, numel = pid
        if key not in self.storages:
            raw = _entry(self.archive, f"{self.prefix}data/{key}")
            if len(raw) != numel * kind.dtype.np.itemsize:
                raise pickle.UnpicklingError(f"storage {key} holds {len(raw)} bytes, not "
                                             f"{numel} elements of {kind.dtype}")
            self.storages[key] = np.frombuffer(raw, kind.dtype.np).copy()  # (writeable)
        return self.storages[key]


def _refused(full: str) -> str:
    return (
        "Weights only load failed. This file can still be loaded, to do so you have two "
        "options, do those steps only if you trust the source of the checkpoint. \n\t(1) "
        "Re-running `tg.load` with `weights_only` set to `False` will likely succeed, but it "
        "can result in arbitrary code execution. Do it only if you got the file from a "
        "trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please check "
        "the recommended steps in the following error message.\n\tWeightsUnpickler error: "
        f"Unsupported global: GLOBAL {full} was not an allowed global by default. Please use "
        f"`tg.serialization.add_safe_globals([{full.rpartition('.')[2]}])` or the "
        f"`tg.serialization.safe_globals([{full.rpartition('.')[2]}])` context manager to "
        "allowlist this global if you trust this class/function."
    )


def load_zip(data: bytes, name: str, weights_only: bool) -> Any:
    """The object a ``torch.save``-format archive holds (see the module's docstring).
    With ``weights_only``, anything that goes wrong while unpickling is PyTorch's
    ``UnpicklingError``; a damaged archive is a DamagedArchive."""
    archive, prefix = _open(data, name)
    byteorder = prefix + "byteorder"
    if byteorder in archive.namelist() and _entry(archive, byteorder).strip() != b"little":
        raise DamagedArchive("it was saved big-endian, which tg.load does not read")
    unpickler = _Unpickler(archive, prefix, weights_only)
    if not weights_only:
        return unpickler.load()
    try:
        return unpickler.load()
    except (pickle.UnpicklingError, DamagedArchive):
        raise
    except Exception as e:  # noqa: BLE001 - a crafted pickle: PyTorch's error class
        raise pickle.UnpicklingError(f"Weights only load failed: {type(e).__name__}: {e}") \
            from None


# ------------------------------------------------------------------------ writing


class _Global:
    """A name written into the pickle as it is (``torch._utils._rebuild_tensor_v2``):
    PyTorch's names, so that ``torch.load`` reads the tensors without tinygrad_edu."""

    def __init__(self, full: str) -> None:
        self.module, _, self.name = full.rpartition(".")

    def __call__(self, *args: Any) -> Any:  # (pickle asks that a reduce's function be callable)
        raise TypeError(f"{self.module}.{self.name} is only a name to write into a pickle")


class _Storage:
    def __init__(self, array: np.ndarray) -> None:
        self.array = array


# the pure-Python pickler (its save() can be extended)
_PythonPickler: Any = pickle._Pickler  # type: ignore[attr-defined]


class _Pickler(_PythonPickler):  # (the Python pickler: it lets _Global write its own name)
    dispatch = _PythonPickler.dispatch.copy()

    def __init__(self, file: IO[bytes], storages: list[np.ndarray]) -> None:
        super().__init__(file, protocol=2)
        self.storages = storages
        self.keys: dict[int, str] = {}

    def _save_global_name(self, obj: _Global) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())

    dispatch[_Global] = _save_global_name

    def persistent_id(self, obj: Any) -> Any:
        if not isinstance(obj, _Storage):
            return None
        key = self.keys.get(id(obj.array))
        if key is None:
            key = self.keys[id(obj.array)] = str(len(self.storages))
            self.storages.append(obj.array)
        kind = next(k for k, v in _STORAGE_DTYPES.items() if v == obj.array.dtype.name)
        return ("storage", _Global(f"torch.{kind}"), key, "cpu", obj.array.size)

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Parameter):
            plain = _wrap(obj._data)
            return (_Global("torch._utils._rebuild_parameter"),
                    (plain, obj.requires_grad, OrderedDict()))
        if isinstance(obj, Tensor):
            array = np.ascontiguousarray(obj._data).reshape(-1)
            stride = tuple(int(np.prod(obj.shape[i + 1:])) for i in range(obj.dim()))
            return (_Global("torch._utils._rebuild_tensor_v2"),
                    (_Storage(array), 0, tuple(obj.shape), stride,
                     obj.requires_grad and obj.is_leaf, OrderedDict()))
        if isinstance(obj, Size):
            return (_Global("torch.Size"), (tuple(obj),))
        if isinstance(obj, device):
            return (_Global("torch.device"), (str(obj),))
        return NotImplemented

    def save(self, obj: Any, save_persistent_id: bool = True) -> None:
        if isinstance(obj, dtypes.DType):  # torch.float32 is pickled as a name
            self._save_global_name(_Global(f"torch.{obj.name}"))
            return
        super().save(obj, save_persistent_id)


def save_zip(obj: Any) -> bytes:
    """``obj`` pickled into a ``torch.save``-format archive."""
    storages: list[np.ndarray] = []
    pickled = io.BytesIO()
    _Pickler(pickled, storages).dump(obj)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", pickled.getvalue())
        archive.writestr("archive/byteorder", "little")
        for key, array in enumerate(storages):
            archive.writestr(f"archive/data/{key}", array.astype(array.dtype.newbyteorder("<"))
                             .tobytes())
        archive.writestr("archive/version", "3\n")
    return out.getvalue()

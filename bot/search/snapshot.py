"""The search index's snapshot on disk: data only, bound to its store, checked before use.

A restart loads the index from this file instead of re-reading every document. It used to be a pickle,
which had three faults an outside test found: loading a pickle runs whatever code the file names, so the
data folder was one write away from code execution; a snapshot copied in from another store with the same
write count was taken as current (every search wrong, no warning); and damaged bytes loaded silently until
a query raised ``IndexError``. Here:

- The file holds only data: a JSON manifest and NumPy arrays (``np.load(allow_pickle=False)``). Objects
  are rebuilt only for the few classes listed in ``_CLASSES``; anything else in the state is refused when
  written, so a new field of the index cannot slip into a form this reader would trust blindly.
- The manifest carries the stamp the caller gives (the store's identity and generation, see
  ``bot/core.py``); a snapshot whose stamp differs is not used.
- A SHA-256 of the payload is checked before anything is decoded: a damaged file is rebuilt from the
  store, never served.

Layout: ``DOSSIER-INDEX <version>\\n``, one line of JSON (stamp, checksum, manifest), then an ``.npz``.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

MAGIC = b"DOSSIER-INDEX"
FORMAT = 1

# Classes a snapshot may rebuild (their instance ``__dict__`` is stored as data). Registered by the
# modules that own them, so this module imports no engine.
_CLASSES: dict[str, type] = {}


def register(cls: type) -> type:
    """Allow instances of ``cls`` in a snapshot (used as a class decorator)."""
    _CLASSES[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return cls


class SnapshotError(ValueError):
    """The state holds something a snapshot cannot store as data."""


class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, npt.NDArray[Any]] = {}

    def _put(self, value: npt.NDArray[Any]) -> str:
        name = f"a{len(self.arrays)}"
        self.arrays[name] = value
        return name

    def encode(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                raise SnapshotError("object arrays are not data")
            return {"nd": self._put(value)}
        if isinstance(value, array):
            return {"arr": value.typecode, "at": self._put(np.frombuffer(value, dtype=value.typecode))}
        if isinstance(value, bytes | bytearray):
            return {
                "bytes": self._put(np.frombuffer(bytes(value), dtype=np.uint8)),
                "mutable": isinstance(value, bytearray),
            }
        if isinstance(value, list | tuple):
            return self._sequence(value)
        if isinstance(value, dict):
            return self._mapping(value)
        name = f"{type(value).__module__}.{type(value).__qualname__}"
        if name in _CLASSES:
            return {"obj": name, "state": self.encode(vars(value))}
        raise SnapshotError(f"{name} cannot be stored in an index snapshot")

    def _sequence(self, value: list[Any] | tuple[Any, ...]) -> Any:
        kind = "list" if isinstance(value, list) else "tuple"
        # Many small arrays of one type (a token sequence per document): one concatenated array.
        if value and all(isinstance(v, array) for v in value) and len({v.typecode for v in value}) == 1:
            code = value[0].typecode
            lengths = np.fromiter((len(v) for v in value), dtype=np.int64, count=len(value))
            flat = np.concatenate([np.frombuffer(v, dtype=code) for v in value])
            return {"arrays": code, "kind": kind, "lengths": self._put(lengths), "flat": self._put(flat)}
        if value and all(type(v) is str for v in value):
            return {"strs": self._strings(value), "kind": kind}
        if all(type(v) is int for v in value):
            return {"ints": self._put(np.array(value, dtype=np.int64)), "kind": kind}
        if value and all(type(v) is tuple and all(type(x) is int for x in v) for v in value):
            return {"ragged": self._ragged(value), "kind": kind}
        return {kind: [self.encode(v) for v in value]}

    def _strings(self, value: Sequence[str]) -> Any:
        """Many strings as one UTF-8 array split on NUL (JSON of 100,000 words took most of a restart);
        a string holding NUL itself keeps the general form."""
        joined = "\0".join(value)
        if joined.count("\0") != len(value) - 1:
            return {"json": list(value)}
        return self._put(np.frombuffer(joined.encode(), dtype=np.uint8))

    def _ragged(self, value: Sequence[tuple[int, ...]]) -> Any:
        lengths = np.fromiter((len(v) for v in value), dtype=np.int64, count=len(value))
        flat = np.fromiter((x for v in value for x in v), dtype=np.int64, count=int(lengths.sum()))
        return [self._put(lengths), self._put(flat)]

    def _mapping(self, value: dict[Any, Any]) -> Any:
        keys, values = list(value), list(value.values())
        if keys and all(type(k) in (str, int) for k in keys) and len({type(k) for k in keys}) == 1:
            return {"map": self._sequence(keys), "values": self._sequence(values)}
        return {"dict": [[self.encode(k), self.encode(v)] for k, v in value.items()]}


class _Decoder:
    def __init__(self, arrays: Any) -> None:
        self.arrays = arrays

    def decode(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        if "nd" in value:
            return np.array(self.arrays[value["nd"]])
        if "arr" in value:
            return array(value["arr"], self.arrays[value["at"]].tobytes())
        if "bytes" in value:
            data = self.arrays[value["bytes"]].tobytes()
            return bytearray(data) if value["mutable"] else data
        if "arrays" in value:
            lengths = self.arrays[value["lengths"]]
            flat = self.arrays[value["flat"]]
            code = value["arrays"]
            cuts = np.cumsum(lengths)[:-1]
            parts = [array(code, part.tobytes()) for part in np.split(flat, cuts)] if len(lengths) else []
            return parts if value["kind"] == "list" else tuple(parts)
        if "strs" in value:
            strs = value["strs"]
            items = (
                strs["json"] if isinstance(strs, dict) else self.arrays[strs].tobytes().decode().split("\0")
            )
            return items if value["kind"] == "list" else tuple(items)
        if "ints" in value:
            ints = self.arrays[value["ints"]].tolist()
            return ints if value["kind"] == "list" else tuple(ints)
        if "ragged" in value:
            lengths, flat = (self.arrays[name] for name in value["ragged"])
            cuts = np.cumsum(lengths)[:-1].tolist()
            flat_list = flat.tolist()
            starts = [0, *cuts]
            ends = [*cuts, len(flat_list)]
            rows = [tuple(flat_list[a:b]) for a, b in zip(starts, ends, strict=True)]
            return rows if value["kind"] == "list" else tuple(rows)
        if "map" in value:
            return dict(zip(self.decode(value["map"]), self.decode(value["values"]), strict=True))
        if "list" in value:
            return [self.decode(v) for v in value["list"]]
        if "tuple" in value:
            return tuple(self.decode(v) for v in value["tuple"])
        if "dict" in value:
            return {self._key(k): self.decode(v) for k, v in value["dict"]}
        if "obj" in value:
            cls = _CLASSES[value["obj"]]  # KeyError: a class this reader does not rebuild
            obj: Any = object.__new__(cls)
            obj.__dict__.update(self.decode(value["state"]))
            return obj
        raise ValueError(f"unknown snapshot entry {sorted(value)}")

    def _key(self, key: Any) -> Any:
        key = self.decode(key)
        return tuple(key) if isinstance(key, list) else key


def write(path: Path, state: dict[str, Any], stamp: str) -> None:
    """Write ``state`` (plain data, NumPy arrays and registered objects) atomically: a temp file renamed
    over the old snapshot, so a crash mid-write leaves the previous one."""
    encoder = _Encoder()
    manifest = encoder.encode(state)
    buffer = io.BytesIO()
    np.savez(buffer, **encoder.arrays)  # type: ignore[arg-type]
    payload = buffer.getvalue()
    header = {"stamp": stamp, "sha256": hashlib.sha256(payload).hexdigest(), "state": manifest}
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        fh.write(MAGIC + f" {FORMAT}\n".encode())
        fh.write(json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        fh.write(payload)
    tmp.replace(path)


def read(path: Path, stamp: str) -> dict[str, Any] | None:
    """The state saved at ``path`` if the file is whole and was written for ``stamp``; else None (and a
    log line saying why, when the file exists): the caller rebuilds from the store."""
    try:
        with path.open("rb") as fh:
            first = fh.readline()
            if first != MAGIC + f" {FORMAT}\n".encode():
                return _refuse(path, "not a snapshot of this format")
            header = json.loads(fh.readline())
            if header.get("stamp") != stamp:
                log.info("index snapshot %s is of another store state: rebuilding", path)
                return None
            payload = fh.read()
        if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
            return _refuse(path, "its checksum does not match (damaged)")
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            state = _Decoder(arrays).decode(header["state"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return _refuse(path, f"unreadable ({exc})")
    return state if isinstance(state, dict) else _refuse(path, "no index state in it")


def stamp_of(path: Path) -> str | None:
    """The stamp of the snapshot at ``path`` (its header alone is read), or None when there is no
    snapshot of this format there."""
    try:
        with path.open("rb") as fh:
            if fh.readline() != MAGIC + f" {FORMAT}\n".encode():
                return None
            stamp = json.loads(fh.readline()).get("stamp")
    except (OSError, ValueError, AttributeError):
        return None
    return stamp if isinstance(stamp, str) else None


def _refuse(path: Path, why: str) -> dict[str, Any] | None:
    """None, said in the log: a snapshot that exists and is not used is worth a line."""
    log.warning("index snapshot %s not used: %s; rebuilding from the store", path, why)
    return None


Factory = Callable[[dict[str, Any]], Any]

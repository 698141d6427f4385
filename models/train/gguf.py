"""Minimal GGUF v3 writer/reader (our own), enough for llama.cpp's `llama` architecture.

Layout: header (magic, version, n_tensors, n_kv), key/value metadata, tensor infos
(name, n_dims, dims with ne[0] = innermost first, ggml type, offset), padding to
`general.alignment` (32), tensor data (each tensor aligned to 32).
A PyTorch weight of shape [out, in] is stored row-major, so its GGUF dims are [in, out].
"""
import os
import struct

import numpy as np

GGUF_MAGIC = b"GGUF"
GGUF_VERSION = 3
ALIGN = 32

# metadata value types
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = range(13)
# ggml tensor types
GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
TYPE_NAMES = {"f32": GGML_F32, "f16": GGML_F16, "q8_0": GGML_Q8_0}
QK8_0 = 32

_SCALAR_FMT = {UINT8: "<B", INT8: "<b", UINT16: "<H", INT16: "<h", UINT32: "<I", INT32: "<i",
               FLOAT32: "<f", BOOL: "<?", UINT64: "<Q", INT64: "<q", FLOAT64: "<d"}


class U32(int):
    pass


class I32(int):
    pass


class F32(float):
    pass


def _str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _value(v):
    """Returns (type, payload bytes). Python int -> UINT32 unless wrapped, float -> FLOAT32."""
    if isinstance(v, bool):
        return BOOL, struct.pack("<?", v)
    if isinstance(v, I32):
        return INT32, struct.pack("<i", v)
    if isinstance(v, int):
        return UINT32, struct.pack("<I", v)
    if isinstance(v, float):
        return FLOAT32, struct.pack("<f", v)
    if isinstance(v, str):
        return STRING, _str(v)
    if isinstance(v, (list, tuple)):
        if not v:
            raise ValueError("empty arrays not supported")
        t0, _ = _value(v[0])
        parts = []
        for x in v:
            t, p = _value(x)
            assert t == t0, "mixed array"
            parts.append(p)
        return ARRAY, struct.pack("<IQ", t0, len(v)) + b"".join(parts)
    raise TypeError(type(v))


def quantize_q8_0(a):
    a = np.asarray(a, dtype=np.float32).reshape(-1, QK8_0)
    amax = np.abs(a).max(axis=1)
    d = amax / 127.0
    inv = np.where(d > 0, 1.0 / np.where(d > 0, d, 1), 0.0)
    q = np.round(a * inv[:, None]).astype(np.int8)
    out = np.empty((a.shape[0], 2 + QK8_0), dtype=np.uint8)
    out[:, :2] = d.astype(np.float16).view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q.view(np.uint8)
    return out.tobytes()


def dequantize_q8_0(buf, n):
    raw = np.frombuffer(buf, dtype=np.uint8).reshape(-1, 2 + QK8_0)
    d = raw[:, :2].copy().view(np.float16).astype(np.float32)
    q = raw[:, 2:].copy().view(np.int8).astype(np.float32)
    return (q * d).reshape(-1)[:n]


def write_gguf(path, metadata, tensors):
    """metadata: list of (key, value); tensors: list of (name, np.ndarray float32, ggml_type).
    Writes atomically (temp file + rename)."""
    kv = b"".join(_str(k) + struct.pack("<I", _value(v)[0]) + _value(v)[1] for k, v in metadata)
    infos = []
    blobs = []
    offset = 0
    for name, arr, gtype in tensors:
        arr = np.ascontiguousarray(arr, dtype=np.float32)
        if arr.ndim == 1 and gtype != GGML_F32:
            gtype = GGML_F32  # norms stay F32
        if gtype == GGML_Q8_0 and arr.shape[-1] % QK8_0 != 0:
            gtype = GGML_F16
        if gtype == GGML_F32:
            data = arr.tobytes()
        elif gtype == GGML_F16:
            data = arr.astype(np.float16).tobytes()
        elif gtype == GGML_Q8_0:
            data = quantize_q8_0(arr)
        else:
            raise ValueError(gtype)
        dims = list(reversed(arr.shape))  # ne[0] = innermost
        infos.append(_str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
                     + struct.pack("<IQ", gtype, offset))
        pad = (-len(data)) % ALIGN
        blobs.append(data + b"\0" * pad)
        offset += len(data) + pad
    head = GGUF_MAGIC + struct.pack("<IQQ", GGUF_VERSION, len(tensors), len(metadata)) + kv + b"".join(infos)
    head += b"\0" * ((-len(head)) % ALIGN)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(head)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


TYPE_LABELS = {UINT8: "uint8", INT8: "int8", UINT16: "uint16", INT16: "int16", UINT32: "uint32", INT32: "int32",
               FLOAT32: "float32", BOOL: "bool", STRING: "string", ARRAY: "array", UINT64: "uint64",
               INT64: "int64", FLOAT64: "float64"}


class Header:
    """A parsed GGUF header: metadata values, their types, tensor infos and where tensor data starts."""

    def __init__(self, metadata, types, tensors, data_offset):
        self.metadata = metadata        # key -> value (arrays as lists)
        self.types = types              # key -> (type, element type for arrays else None)
        self.tensors = tensors          # [(name, dims innermost first, ggml type, offset from data_offset)]
        self.data_offset = data_offset  # absolute offset of the tensor data section


def _parse_header(buf):
    pos = 0

    def take(fmt):
        nonlocal pos
        vals = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return vals[0] if len(vals) == 1 else vals

    def rstr():
        nonlocal pos
        n = take("<Q")
        s = bytes(buf[pos:pos + n]).decode("utf-8")
        pos += n
        return s

    def rval(t):
        if t == STRING:
            return rstr()
        if t == ARRAY:
            et, n = take("<IQ")
            return [rval(et) for _ in range(n)]
        return take(_SCALAR_FMT[t])

    assert bytes(buf[:4]) == GGUF_MAGIC, "not a GGUF file"
    pos = 4
    version, n_t, n_kv = take("<IQQ")
    assert version == 3
    meta = {}
    types = {}
    for _ in range(n_kv):
        k = rstr()
        t = take("<I")
        if t == ARRAY:
            et = struct.unpack_from("<I", buf, pos)[0]
            types[k] = (t, et)
        else:
            types[k] = (t, None)
        meta[k] = rval(t)
    infos = []
    for _ in range(n_t):
        name = rstr()
        nd = take("<I")
        dims = [take("<Q") for _ in range(nd)]
        gtype, off = take("<IQ")
        infos.append((name, dims, gtype, off))
    align = meta.get("general.alignment", ALIGN)
    return Header(meta, types, infos, pos + ((-pos) % align))


def read_gguf_header(path):
    """Metadata (with types) and tensor infos of a GGUF file, without decoding tensor data."""
    with open(path, "rb") as f:
        buf = f.read()
    return _parse_header(buf)


def read_gguf(path):
    """Returns (metadata dict, {name: np.ndarray float32 in PyTorch shape order})."""
    with open(path, "rb") as f:
        buf = f.read()
    header = _parse_header(buf)
    base = header.data_offset
    tensors = {}
    for name, dims, gtype, off in header.tensors:
        n = int(np.prod(dims))
        start = base + off
        if gtype == GGML_F32:
            a = np.frombuffer(buf, dtype=np.float32, count=n, offset=start)
        elif gtype == GGML_F16:
            a = np.frombuffer(buf, dtype=np.float16, count=n, offset=start).astype(np.float32)
        elif gtype == GGML_Q8_0:
            a = dequantize_q8_0(buf[start:start + n // QK8_0 * (2 + QK8_0)], n)
        else:
            raise ValueError(f"unsupported tensor type {gtype}")
        tensors[name] = np.array(a, dtype=np.float32).reshape(list(reversed(dims)))
    return header.metadata, tensors

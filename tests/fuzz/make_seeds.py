#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/).

Valid files of each format, small enough for the fuzzer to mutate: IDX
images and labels, plain and gzipped; .npz archives stored and deflated,
and bare .npy arrays of versions 1 and 2; digits CSV rows. Standard
library only, so it runs without numpy.
"""
import gzip
import io
import pathlib
import struct
import zipfile

root = pathlib.Path(__file__).resolve().parent / "corpus"


def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def npy(shape, values, version=1, dtype="<f4"):
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (dtype, dims)
    pre = 10 if version == 1 else 12
    while (pre + len(header) + 1) % 64:
        header += " "
    header += "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    fmt = "<%d%s" % (len(values), "f" if dtype == "<f4" else "d")
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode() + struct.pack(fmt, *values)


def npz(arrays, compression):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, body in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, body, compress_type=compression)
    return buf.getvalue()


def write(target, name, data):
    d = root / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


images = idx([2, 2, 2], range(0, 80, 10))
labels = idx([3], [1, 2, 9])
write("idx", "images", images)
write("idx", "images.gz", gzip.compress(images, mtime=0))
write("idx", "labels", labels)
write("idx", "labels.gz", gzip.compress(labels, mtime=0))

kernel = npy([2, 3], [0.5, -1.0, 2.0, 0.0, 1e-3, 3.25])
bias = npy([3], [0.1, 0.2, 0.3], version=2, dtype="<f8")
weights = {"dense_1/kernel": kernel, "dense_1/bias": bias}
write("npz", "stored.npz", npz(weights, zipfile.ZIP_STORED))
write("npz", "deflated.npz", npz(weights, zipfile.ZIP_DEFLATED))
write("npz", "kernel.npy", kernel)
write("npz", "bias_v2.npy", bias)

rows = [
    "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,"
    "0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0,0",
    ",".join(["16"] * 64) + ",9",
]
write("csv", "two_rows.csv", ("\n".join(rows) + "\n").encode())
write("csv", "crlf.csv", ("\r\n".join(rows) + "\r\n").encode())

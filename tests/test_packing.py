"""The packed wire format (autograd_exercises/sandbox/packing.py) and the grader's bounded reading of it
(sandbox/report.py): what round-trips, and every forgery that must be refused before anything is built."""

from __future__ import annotations

import io
import json
import math

import pytest
import torch

from autograd_exercises.sandbox import packing, report


def _tensor_file(value) -> bytes:
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return buffer.getvalue()


def forge(document, data: bytes = b"", *, raw: bytes | None = None) -> bytes:
    """A blob in the packed layout with the given JSON document (or raw structure bytes) and tensor bytes."""
    structure = raw if raw is not None else json.dumps(document).encode()
    return packing.MAGIC + len(structure).to_bytes(4, "big") + structure + data


@pytest.mark.parametrize("dtype", list(packing.DTYPES.values()))
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 1, 4)])
def test_every_plain_dtype_and_shape_round_trips_exactly(dtype, shape):
    value = (torch.arange(math.prod(shape)).reshape(shape) % 3).to(dtype)
    back = packing.loads(packing.pack({"t": value}))["t"]
    assert back.dtype == dtype and back.shape == value.shape
    assert torch.equal(back, value)


def test_a_structure_round_trips_with_tuples_as_lists():
    x = torch.randn(3, 2, dtype=torch.float64)
    value = {"status": "ok", "n": 3, "big": 1 << 62, "f": 1.5, "nan": math.nan, "inf": -math.inf, "b": True,
             "none": None, "text": "é\u202e", "items": (1, [2, (3,)]), "t": x, "view": x[1:, 1], "same": [x, x]}
    back = packing.loads(packing.pack(value))
    assert back["items"] == [1, [2, [3]]] and back["big"] == 1 << 62 and back["text"] == "é\u202e"
    assert math.isnan(back["nan"]) and back["inf"] == -math.inf and back["b"] is True and back["none"] is None
    assert torch.equal(back["t"], x) and torch.equal(back["view"], x[1:, 1])
    assert back["same"][0] is back["same"][1]  # one tensor met twice is stored, and read back, once


def test_huge_ints_travel_as_infinities():
    back = packing.loads(packing.pack([10**100, -(10**30)]))
    assert back == [math.inf, -math.inf]


@pytest.mark.parametrize("value, message", [
    ({1: "x"}, "key that is not a string"),
    ({"$tensor": 0}, "reserved key"),
    (object(), "a value of type object"),
    (torch.zeros(2).to_sparse(), "not a plain dense"),
    (torch.zeros(2, dtype=getattr(torch, "uint16", torch.complex32)), "not a plain dense"),  # (uint16: torch 2.3 on)
])
def test_what_cannot_be_packed_is_refused(value, message):
    with pytest.raises(packing.PackError, match=message):
        packing.pack(value)


def test_a_report_reads_back_into_fresh_plain_data():
    x = torch.ones(4)
    blob = packing.pack({"status": "ok", "observations": [{"x": x, "again": x, "say": "a\x1b[2Jb"}]})
    loaded = report.load(blob)
    observation = loaded["observations"][0]
    assert torch.equal(observation["x"], x) and observation["x"] is observation["again"]
    assert observation["say"] == "a\ufffd[2Jb"  # control characters never reach a terminal


def test_a_bool_tensor_is_rebuilt_from_its_bytes():
    data = bytes([0, 1, 2, 255])
    blob = forge({"value": {"status": "ok", "b": {"$tensor": 0}}, "tensors": [["bool", [4], 0]]}, data)
    assert report.load(blob)["b"].tolist() == [False, True, True, True]


LIMIT = packing.MAX_ELEMENTS
FORGERIES = {
    "not packed at all": (_tensor_file({"status": "ok"}), "not a packed report"),
    "cut short": (packing.MAGIC + b"\x00\x00", "not a packed report"),
    "length past the end": (packing.MAGIC + (100).to_bytes(4, "big") + b"{}", "cut short"),
    "length over the limit": (packing.MAGIC + (packing.MAX_STRUCTURE + 1).to_bytes(4, "big"), "size limit"),
    "malformed JSON": (forge(None, raw=b"{'value': 1}"), "malformed structure"),
    "invalid UTF-8": (forge(None, raw=b'{"value":"\xff"}'), "malformed structure"),
    "nested past the stack": (forge(None, raw=b'{"value":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
                              "RecursionError"),
    "nested past the depth limit": (forge({"value": {"status": "ok", "x": json.loads("[" * 40 + "]" * 40)},
                                           "tensors": []}), "nested too deeply"),
    "too many values": (forge({"value": {"status": "ok", "x": [0] * 60_000}, "tensors": []}), "more than 50000"),
    "no value": (forge({"tensors": []}), "without a value"),
    "no tensor table": (forge({"value": {}}), "no tensor table"),
    "unknown dtype": (forge({"value": {}, "tensors": [["object", [1], 0]]}, bytes(16)),
                      "malformed tensor entry"),
    "negative size": (forge({"value": {}, "tensors": [["uint8", [-1], 0]]}), "not a list of sizes"),
    "float size": (forge({"value": {}, "tensors": [["uint8", [1.5], 0]]}), "not a list of sizes"),
    "too many dimensions": (forge({"value": {}, "tensors": [["uint8", [1] * 17, 0]]}), "not a list of sizes"),
    "a shape over the budget": (forge({"value": {}, "tensors": [["float32", [10**6, 10**6], 0]]}),
                                "a tensor of more than"),
    "a product that overflows int64": (forge({"value": {}, "tensors": [["uint8", [2**40, 2**40, 0], 0]]}),
                                       "a tensor of more than"),
    "a huge size beside a zero": (forge({"value": {}, "tensors": [["uint8", [0, 2**40, 2**40], 0]]}),
                                  "along one dimension"),
    "tensors over the budget together": (
        forge({"value": {}, "tensors": [["uint8", [LIMIT], 0], ["uint8", [16], LIMIT]]},
              bytes(LIMIT + 16)), "in all"),
    "bytes past the data": (forge({"value": {}, "tensors": [["float64", [4], 0]]}, bytes(16)),
                            "outside the data"),
    "misaligned offset": (forge({"value": {}, "tensors": [["uint8", [1], 3]]}, bytes(16)),
                          "overlap"),
    "overlapping tensors": (forge({"value": {}, "tensors": [["float32", [4], 0], ["float32", [4], 0]]},
                                  bytes(16)), "overlap"),
    "negative offset": (forge({"value": {}, "tensors": [["uint8", [1], -16]]}, bytes(16)),
                        "overlap"),
    "data over its size limit": (forge({"value": {}, "tensors": []}, bytes(packing.MAX_BYTES + 1)), "size limit"),
    "a reference out of range": (forge({"value": {"status": "ok", "t": {"$tensor": 3}}, "tensors": []}),
                                 "malformed tensor reference"),
    "a reference with company": (forge({"value": {"status": "ok", "t": {"$tensor": 0, "more": 1}},
                                        "tensors": [["uint8", [1], 0]]}, bytes(16)),
                                 "malformed tensor reference"),
    "a reference by name": (forge({"value": {"status": "ok", "t": {"$tensor": "0"}}, "tensors": []}),
                            "malformed tensor reference"),
    "no status": (forge({"value": {"observations": []}, "tensors": []}), "not a report"),
    "an empty tensor whose other sizes overflow its strides": (
        forge({"value": {}, "tensors": [["float32", [0] + [LIMIT] * 15, 0]]}), "an empty tensor"),
    "one big tensor referenced over and over": (
        forge({"value": {"status": "ok", "t": [{"$tensor": 0}] * 3}, "tensors": [["uint8", [LIMIT], 0]]},
              bytes(LIMIT)), "elements referenced"),
    "a small tensor referenced thousands of times": (
        forge({"value": {"status": "ok", "t": [{"$tensor": 0}] * 3000}, "tensors": [["uint8", [1], 0]]},
              bytes(16)), "tensor references"),
    "a status only the grader gives": (forge({"value": {"status": "cell-hung", "cell": [0] * 1000}, "tensors": []}),
                                       "a status a child never reports"),
    "a probe error that is text": (forge({"value": {"status": "ok", "observations": [{"probe_error": "boom"}]},
                                          "tensors": []}), "malformed 'probe_error'"),
    "an exception whose frames is a number": (
        forge({"value": {"status": "import-error", "exception": {"type": "E", "message": "", "frames": 5}},
               "tensors": []}), "malformed 'exception'"),
    "a frame whose place is a list": (
        forge({"value": {"status": "import-error", "exception": {"type": "E", "frames": [
            {"line": 1, "function": "f", "code": "", "where": [0] * 100}]}}, "tensors": []}), "malformed 'exception'"),
    "an exception whose type is a tensor": (
        forge({"value": {"status": "ok", "observations": [{"f": {"exception": {"type": {"$tensor": 0}}}}]},
               "tensors": [["uint8", [4], 0]]}, bytes(16)), "malformed 'exception'"),
    "preloaded modules that are a tensor": (
        forge({"value": {"status": "ok", "heavy": {"$tensor": 0}}, "tensors": [["uint8", [2], 0]]}, bytes(16)),
        "malformed 'heavy'"),
    "a wall time that is NaN": (forge(None, raw=b'{"value":{"status":"ok","checks":{"a":{"wall":NaN}}},"tensors":[]}'),
                                "malformed 'wall'"),
    "a wall time that is infinite": (
        forge(None, raw=b'{"value":{"status":"ok","cells":[{"cell":1,"wall":-Infinity}]},"tensors":[]}'),
        "malformed 'wall'"),
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forged_report_is_refused_with_its_reason(name):
    blob, reason = FORGERIES[name]
    with pytest.raises(report.Unreadable, match=reason):
        report.load(blob)


def test_the_tensor_bytes_are_never_unpickled_or_unpacked():
    """Whatever the raw section holds (a pickle that runs code, a zip bomb), it is only ever viewed as bytes."""
    class Payload:
        def __reduce__(self):
            return (exec, ("raise SystemExit('code ran in the grader')",))

    for data in (_tensor_file(Payload()), _tensor_file({"status": "ok"})):
        loaded = report.load(forge({"value": {"status": "ok", "t": {"$tensor": 0}},
                                    "tensors": [["uint8", [len(data)], 0]]}, data))
        assert bytes(loaded["t"].tolist()) == data


def test_json_integers_past_19_digits_read_as_infinities():
    digits = "9" * 5000  # past Python's 4,300-digit limit on int(): no ValueError, no quadratic time
    blob = forge(None, raw=('{"value":{"status":"ok","n":[' + digits + ",-" + digits + ',12]},"tensors":[]}').encode())
    assert report.load(blob)["n"] == [math.inf, -math.inf, 12]


def test_tensors_read_back_share_nothing_but_their_own_bytes():
    a, b = torch.arange(3.0), torch.arange(5.0)
    loaded = report.load(packing.pack({"status": "ok", "a": a, "b": b}))
    loaded["a"].add_(100)
    assert torch.equal(loaded["b"], b)  # aligned, never overlapping: writing one leaves the other alone


def test_an_honest_report_keeps_its_exceptions_walls_and_modules():
    """The child's own shapes pass the field checks: a described exception (or None), a wall time, module names."""
    frame = {"line": 3, "function": "f", "code": "x = 1 / 0"}
    described = {"type": "ZeroDivisionError", "message": "division by zero", "frames": [frame], "raised_in": "submission"}
    value = {"status": "ok", "heavy": ["torch.optim"], "cells": [{"cell": 1, "status": "error", "exception": described,
                                                                   "wall": 0.25}],
             "checks": {"a": {"wall": 1, "observations": [{"f": {"exception": None}}, {"probe_error": described}]}}}
    loaded = report.load(packing.pack(value))
    assert loaded["checks"]["a"]["observations"][1]["probe_error"] == described and loaded["heavy"] == ["torch.optim"]
    assert report.load(packing.pack({"status": "import-error", "exception": described}))["exception"] == described

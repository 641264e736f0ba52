#!/usr/bin/env python3
"""Checks a file of `poda export --format onnx` as its consumers see it: the ONNX checker
(python3-onnx) accepts it, and OpenCV's DNN module (python3-opencv) runs it on the given
input and gives poda's outputs within a tolerance.
Usage: onnx_check.py MODEL.onnx INPUT.f32 EXPECTED.f32 [TOLERANCE]
       onnx_check.py --checker-only MODEL.onnx (the ONNX checker alone)
INPUT.f32 is the float32 input (N, ...) as the graph declares it; EXPECTED.f32 poda's (N, K).
"""
import sys

import cv2
import numpy as np
import onnx


def main():
    if sys.argv[1] == "--checker-only":
        onnx.checker.check_model(onnx.load(sys.argv[2]), full_check=True)
        print(f"{sys.argv[2]}: checker ok")
        return 0
    model_path, input_path, expected_path = sys.argv[1:4]
    tolerance = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-4
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]
    x = np.fromfile(input_path, dtype=np.float32).reshape([-1] + dims)
    expected = np.fromfile(expected_path, dtype=np.float32).reshape(x.shape[0], -1)
    net = cv2.dnn.readNetFromONNX(model_path)
    net.setInput(x)
    y = net.forward().reshape(expected.shape)
    diff = float(np.abs(y - expected).max())
    agree = float((y.argmax(1) == expected.argmax(1)).mean())
    print(f"{model_path}: checker ok; OpenCV {cv2.__version__} vs poda on {x.shape[0]} inputs: "
          f"max |diff| {diff:.3g} (tolerance {tolerance:g}), same class {agree:.3f}")
    return 0 if diff <= tolerance else 1


if __name__ == "__main__":
    sys.exit(main())

#pragma once
// Interchange with other tools: a trained (pruned) model written as ONNX, or read from it.
// This file: the export. The model is lowered (nn/lowering.h) as the inference engine lowers
// it, so what is written is the folded model: masks applied, each BatchNorm folded into the
// Dense/Conv2d before it, Dropout gone. Compact the model first (measure/compact.h) to write
// the smaller network without its dead units.
//
// The graph's input "input" is (N, C, H, W) pixels scaled to [0, 1]; the normalisation poda
// trained with follows as two nodes, Sub (mean) and Div (std) with (C, 1, 1) constants, so
// the file takes images as they are. The output "logits" is (N, classes). The metadata_props
// repeat both (keys poda.input, poda.normalization_mean, poda.normalization_std, poda.output).
#include <string>

#include "data/normalization.h"
#include "interop/onnx_model.h"
#include "nn/module.h"

namespace poda {

inline constexpr const char* kOnnxInputName = "input";
inline constexpr const char* kOnnxOutputName = "logits";

// `input` is one sample's shape (C, H, W) or (features). Throws std::invalid_argument naming
// a layer that has no lowering.
OnnxModel export_onnx(Module& model, const Shape& input, const Normalization& norm);

}  // namespace poda

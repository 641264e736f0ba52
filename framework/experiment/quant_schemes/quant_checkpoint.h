#pragma once
// Quantized weights in poda's checkpoint format (experiment/io/checkpoint.h) as ordinary
// named entries plus metadata, so the format version does not change. A scheme saves the
// parameter "fc1.weight" as entries "fc1.weight<suffix>" (its entry_suffixes()) and the
// metadata quant.fc1.weight.kind = <the scheme's name>, with any keys of its own under
// quant.fc1.weight. The helpers here serve the schemes' readers, which validate everything
// and throw CheckpointError naming the source and the entry.
#include <string>
#include <vector>

#include "experiment/io/checkpoint.h"

namespace poda {

// "quant.<param>.<what>".
std::string quant_metadata_key(const std::string& param, const std::string& what);

// The scheme that saved `param` ("int8", "kmeans", ...), or "" when it is not quantized.
std::string quantized_kind(const Checkpoint& checkpoint, const std::string& param);

// The scheme of a quantized checkpoint, "" for a plain one; CheckpointError when its
// parameters name two schemes.
std::string checkpoint_scheme(const Checkpoint& checkpoint, const std::string& source);

// Whether `entry` is "<param><suffix>" for a parameter a registered scheme saved and one of
// that scheme's suffixes: what the ordinary model loader skips.
bool is_quantization_entry(const Checkpoint& checkpoint, const std::string& entry);

// An array of `shape` holding `values`.
Array quant_array(const Shape& shape, const std::vector<float>& values);

[[noreturn]] void quant_entry_error(const std::string& source, const std::string& entry,
                                    const std::string& what);
const CheckpointEntry& need_quant_entry(const Checkpoint& checkpoint, const std::string& entry,
                                        const std::string& source);
// `v` must be an integer in [lo, hi]; returns it.
int quant_integral_in(float v, int lo, int hi, const std::string& source, const std::string& entry);
// quantized_kind(checkpoint, param) must be `kind`.
void need_quant_kind(const Checkpoint& checkpoint, const std::string& param,
                     const std::string& kind, const std::string& source);

}  // namespace poda

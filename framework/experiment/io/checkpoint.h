#pragma once
// A versioned binary checkpoint of named tensors and their pruning masks, used to
// share one dense pretraining between sweep runs and to keep each run's final model.
//
// Layout (all integers little-endian):
//   "PODACKPT"                        8-byte magic
//   u32 format version                (kCheckpointVersion)
//   --- body (covered by the CRC) ---
//   u64 metadata count, then per item: u64 key length, key bytes, u64 value length, value bytes
//   u64 entry count, then per entry:
//     u64 name length, name bytes, u32 rank, rank x u64 dims,
//     u8 has_mask (0 or 1), numel x float32 values, [numel x float32 mask]
//   --- end of body ---
//   u32 CRC-32 (zlib) of the body
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "core/user_error.h"

namespace poda {

inline constexpr std::uint32_t kCheckpointVersion = 1;

struct CheckpointError : UserError {
  using UserError::UserError;
};

struct CheckpointEntry {
  std::string name;  // dotted parameter or buffer name, e.g. "fc1.weight"
  Array value;
  std::optional<Array> mask;  // same shape as value
};

struct Checkpoint {
  std::vector<CheckpointEntry> entries;
  std::map<std::string, std::string> metadata;  // e.g. model, seed, epoch
};

// The bytes of a checkpoint. Throws CheckpointError naming `source_name` when an
// entry has an empty or repeated name or a mask whose shape differs from its value.
std::string serialize_checkpoint(const Checkpoint& checkpoint, const std::string& source_name);

// Parses and fully validates checkpoint bytes: magic, version, every size against
// the bytes that remain (so a corrupted count never causes a huge allocation),
// entry names, and the CRC. Throws CheckpointError naming `source_name` and what is wrong.
Checkpoint deserialize_checkpoint(const std::string& bytes, const std::string& source_name);

// Writes the checkpoint with write_file_atomically.
void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);

// Reads and validates a checkpoint; throws CheckpointError naming the file.
Checkpoint load_checkpoint(const std::string& path);

// The entry named `name`, or nullptr.
const CheckpointEntry* find_entry(const Checkpoint& checkpoint, const std::string& name);

}  // namespace poda

#include "train/train_settings.h"

#include <stdexcept>

namespace poda {

OptimizerKind parse_optimizer_kind(const std::string& name) {
  if (name == "sgd") return OptimizerKind::sgd;
  if (name == "adam") return OptimizerKind::adam;
  throw std::invalid_argument("unknown optimizer '" + name + "' (expected sgd or adam)");
}

std::string optimizer_name(OptimizerKind kind) {
  return kind == OptimizerKind::adam ? "adam" : "sgd";
}

}  // namespace poda

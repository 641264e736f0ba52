#include "train/metrics.h"

#include <fmt/format.h>

namespace poda {

std::string to_json(const EpochMetrics& m) {
  return fmt::format(
      "{{\"phase\":\"{}\",\"epoch\":{},\"lr\":{:.6g},\"train_loss\":{:.6f},\"train_acc\":{:.6f},"
      "\"val_loss\":{:.6f},\"val_acc\":{:.6f},\"sparsity\":{:.6f},\"seconds\":{:.3f}}}",
      m.phase, m.epoch, m.lr, m.train_loss, m.train_acc, m.val_loss, m.val_acc, m.sparsity,
      m.seconds);
}

}  // namespace poda

#pragma once
#include "core/random.h"
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

// Inverted dropout with its own seeded generator, so a run is reproducible; the identity in
// evaluation mode.
class Dropout : public Module {
 public:
  Dropout(float p, std::uint64_t seed);
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Dropout"; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override { return input; }
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }

 private:
  float p_;
  Rng rng_;
  // ---- inference lowering (nn/lowering.h) ----
 public:
  void lower(Lowering& to) override;
};

}  // namespace poda

#include <doctest/doctest.h>

#include "core/ops.h"
#include "gradcheck.h"
#include "nn/layers/residual.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"

using namespace poda;
using poda::testing::check_jacobian;
using poda::testing::random_array;

namespace {
// conv-bn-tanh-conv-bn body (tanh, not ReLU: central differences through a conv + BN
// stack would straddle ReLU kinks); a strided 1x1 conv + bn projection when `project`.
LayerSpec block(bool project) {
  LayerSpec b = layer("residual", "block");
  const double stride = project ? 2 : 1;
  b.lists["layers"] = {
      layer("conv2d", "conv1", {{"out", 3}, {"kernel", 3}, {"stride", stride}, {"padding", 1}}),
      layer("batchnorm", "bn1"), layer("tanh"),
      layer("conv2d", "conv2", {{"out", 3}, {"kernel", 3}, {"padding", 1}}),
      layer("batchnorm", "bn2")};
  if (project)
    b.lists["shortcut"] = {layer("conv2d", "conv", {{"out", 3}, {"kernel", 1}, {"stride", 2}}),
                           layer("batchnorm", "bn")};
  return b;
}
}  // namespace

TEST_CASE("residual block: Jacobian with respect to the input, identity and projection") {
  for (bool project : {false, true}) {
    CAPTURE(project);
    Rng rng(5);
    auto model =
        build_model({block(project)}, {project ? 2u : 3u, 4, 4}, Init::kaiming_uniform, rng);
    const Array x = random_array({3, project ? 2u : 3u, 4, 4}, 6);
    for (bool training : {true, false}) {
      CAPTURE(training);
      model->train(training);
      // Batch norm's running statistics change in training, but its output does not use them.
      check_jacobian([&](auto& v) { return model->forward(v[0]); }, {x}, {}, 1e-2, 3e-2, 3e-3);
    }
  }
}

TEST_CASE("residual block: output is body + shortcut") {
  Rng rng(7);
  auto model = build_model({block(false)}, {3, 4, 4}, Init::kaiming_uniform, rng);
  auto& residual = dynamic_cast<Residual&>(*model->children()[0].second);
  Variable x(random_array({2, 3, 4, 4}, 8));
  model->eval();  // deterministic: running statistics
  const Array body = residual.body().forward(x).data();
  CHECK(xt::allclose(model->forward(x).data(), body + x.data()));
  CHECK(residual.macs({3, 4, 4}) == 2 * 16 * 3 * 27);
}

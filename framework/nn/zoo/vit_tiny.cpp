// A small Vision Transformer (Dosovitskiy et al. 2021) for 28x28 images: 7x7 patches (16
// tokens) of width 64, a class token, learned positions, 4 pre-norm blocks of 4 heads with an
// MLP of 128, a final LayerNorm and a Dense head on the class token.
#include "nn/zoo.h"

namespace poda {
namespace {

std::vector<LayerSpec> vit_tiny_layers() {
  std::vector<LayerSpec> layers{layer("patch_embed", "patch", {{"patch", 7}, {"dim", 64}}),
                                layer("class_token", "cls"), layer("pos_embed", "pos")};
  for (int b = 1; b <= 4; ++b)
    layers.push_back(
        layer("transformer_block", "block" + std::to_string(b), {{"heads", 4}, {"hidden", 128}}));
  LayerSpec pool = layer("token_pool", "pool");
  pool.strings["mode"] = "first";
  layers.insert(layers.end(),
                {layer("layernorm", "norm"), pool, layer("dense", "head", {{"out", 10}})});
  return layers;
}

const ZooRegistrar vit_tiny("vit_tiny",
                            {vit_tiny_layers(),
                             "ViT for 28x28: patch 7, width 64, depth 4, 4 heads, MLP 128 "
                             "(Dosovitskiy et al. 2021)"});

}  // namespace
}  // namespace poda

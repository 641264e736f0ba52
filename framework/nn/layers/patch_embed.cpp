// Patch embedding (Dosovitskiy et al. 2021): a convolution with kernel = stride = patch maps
// each non-overlapping patch to `dim` features, then every patch becomes a token. Written as
// the two layers it is ("proj", a Conv2d, and "tokens"), so pruning, compaction and lowering
// see an ordinary convolution.
#include "nn/layer_spec.h"
#include "nn/model_builder.h"

namespace poda {

namespace {

const LayerTypeRegistrar patch_embed_type(
    "patch_embed",
    {{{"patch", KeyKind::count}, {"dim", KeyKind::count}, {"init", KeyKind::text}},
     [](const LayerSpec& spec, const Shape& input, BuildContext& ctx) -> ModulePtr {
       const std::size_t patch = spec.count("patch");
       if (input.size() != 3 || patch == 0 || input[1] % patch != 0 || input[2] % patch != 0)
         throw ShapeError("patch_embed: input " + shape_str(input) +
                          " is not (C, H, W) with H and W multiples of patch " +
                          std::to_string(patch));
       LayerSpec proj;
       proj.type = "conv2d";
       proj.name = "proj";
       proj.numbers = {{"out", static_cast<double>(spec.count("dim"))},
                       {"kernel", static_cast<double>(patch)},
                       {"stride", static_cast<double>(patch)}};
       if (spec.strings.count("init")) proj.strings["init"] = spec.strings.at("init");
       proj.where = spec.where;
       LayerSpec tokens;
       tokens.type = "to_tokens";
       tokens.name = "tokens";
       Shape out;
       return build_layers({proj, tokens}, input, ctx, out);
     },
     "(C, H, W) -> (H*W/patch^2, dim): patch, dim, [init]; a strided conv2d 'proj' then tokens"});

}  // namespace
}  // namespace poda

// A pre-norm transformer encoder block (Vaswani et al. 2017; pre-norm as in ViT):
//   x = x + attention(layernorm(x));  x = x + mlp(layernorm(x)),  mlp = Dense, GELU, Dense.
// Built from the layers it is made of (two residual blocks), so pruning, compaction, MAC
// counts and lowering need nothing of their own. Parameter names:
//   attn.body.norm.*, attn.body.mhsa.{q,k,v,out}.*, mlp.body.norm.*, mlp.body.ffn.{fc1,fc2}.*
#include "nn/layer_spec.h"
#include "nn/model_builder.h"

namespace poda {

namespace {

LayerSpec spec_of(const std::string& type, const std::string& name,
                  std::map<std::string, double> numbers, const std::string& where) {
  LayerSpec s;
  s.type = type;
  s.name = name;
  s.numbers = std::move(numbers);
  s.where = where;
  return s;
}

ModulePtr build_block(const LayerSpec& spec, const Shape& input, BuildContext& ctx) {
  if (input.size() != 2)
    throw ShapeError("transformer_block expects tokens (T, D) but gets " + shape_str(input));
  const double dim = static_cast<double>(input[1]);
  const double eps = spec.number_or("eps", 1e-5);
  const std::string& at = spec.where;
  LayerSpec mhsa = spec_of("attention", "mhsa", {{"heads", double(spec.count("heads"))}}, at);
  LayerSpec ffn = spec_of("tokenwise", "ffn", {}, at);
  ffn.lists["layers"] = {spec_of("dense", "fc1", {{"out", double(spec.count("hidden"))}}, at),
                         spec_of("gelu", "act", {}, at),
                         spec_of("dense", "fc2", {{"out", dim}}, at)};
  LayerSpec attn = spec_of("residual", "attn", {}, at);
  attn.lists["layers"] = {spec_of("layernorm", "norm", {{"eps", eps}}, at), mhsa};
  LayerSpec mlp = spec_of("residual", "mlp", {}, at);
  mlp.lists["layers"] = {spec_of("layernorm", "norm", {{"eps", eps}}, at), ffn};
  Shape out;
  return build_layers({attn, mlp}, input, ctx, out);
}

const LayerTypeRegistrar transformer_block_type(
    "transformer_block",
    {{{"heads", KeyKind::count}, {"hidden", KeyKind::count}, {"eps", KeyKind::number}},
     build_block,
     "pre-norm encoder block on tokens (T, D): heads, hidden (MLP width), [eps: 1e-5]"});

}  // namespace
}  // namespace poda

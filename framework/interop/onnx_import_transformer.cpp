// The transformer patterns of the import other than attention (onnx_import_attention.cpp).
#include "interop/onnx_import_transformer.h"

#include <algorithm>
#include <cmath>
#include <xtensor/xadapt.hpp>

#include "interop/onnx_import_graph.h"

namespace poda {

std::optional<PatternMatch> match_attention(const OnnxGraphIndex& g, const std::string& t,
                                            const std::string& source);

namespace {

bool near(std::optional<float> value, double want) {
  return value && std::abs(*value - want) <= 1e-6 * std::max(1.0, std::abs(want));
}

LayerSpec layer_of(const std::string& type) {
  LayerSpec s;
  s.type = type;
  return s;
}

std::size_t index_of(const OnnxGraphIndex& g, const OnnxNode* n) {
  return static_cast<std::size_t>(n - g.model.nodes.data());
}

Array vector_of(const OnnxTensor& t) {
  return Array(xt::adapt(t.floats, Shape{t.floats.size()}));
}

// The affine end of a LayerNorm: Mul(normed, gamma) then Add(., beta), both of D values.
const OnnxNode* layer_norm_affine(const OnnxGraphIndex& g, const OnnxNode& div,
                                  PatternMatch& m, const std::string& source) {
  const OnnxNode* mul = onnx_sole_reader(g, onnx_out(div), "Mul");
  const OnnxTensor* gamma = mul ? onnx_float_constant(g, onnx_other_input(*mul, onnx_out(div)))
                                : nullptr;
  if (!gamma) onnx_pattern_error(source, div, "a LayerNorm without Mul by a constant weight");
  const OnnxNode* add = onnx_sole_reader(g, onnx_out(*mul), "Add");
  const OnnxTensor* beta = add ? onnx_float_constant(g, onnx_other_input(*add, onnx_out(*mul)))
                               : nullptr;
  if (!beta || beta->floats.size() != gamma->floats.size())
    onnx_pattern_error(source, *mul, "a LayerNorm's weight without an Add of a constant bias");
  m.parameters = {vector_of(*gamma), vector_of(*beta)};
  return add;
}

// ReduceMean(x, axes [-1]), Sub(x, mean), Pow(., 2), ReduceMean, Add(eps), Sqrt, Div, affine.
std::optional<PatternMatch> match_layer_norm(const OnnxGraphIndex& g, const std::string& t,
                                             const std::string& source) {
  const OnnxNode* mean = nullptr;
  std::size_t mean_at = 0;
  for (std::size_t c : data_consumers(g, t)) {
    const OnnxNode& n = g.model.nodes[c];
    if (n.op_type == "ReduceMean" && n.ints_or("axes", {}) == std::vector<std::int64_t>{-1} &&
        n.int_or("keepdims", 1) == 1)
      mean = &n, mean_at = c;
  }
  if (!mean) return std::nullopt;
  const OnnxNode* sub = onnx_sole_reader(g, onnx_out(*mean), "Sub");
  if (!sub || sub->inputs != std::vector<std::string>{t, onnx_out(*mean)})
    onnx_pattern_error(source, *mean, "a mean over the last axis that is not a LayerNorm's");
  const std::string& d = onnx_out(*sub);
  const OnnxNode* pow = nullptr;
  const OnnxNode* div = nullptr;
  for (std::size_t c : data_consumers(g, d)) {
    const OnnxNode& n = g.model.nodes[c];
    if (n.op_type == "Pow" && onnx_in(n, 0) == d && near(onnx_float_scalar(g, onnx_in(n, 1)), 2.0))
      pow = &n;
    if (n.op_type == "Div" && onnx_in(n, 0) == d) div = &n;
  }
  const OnnxNode* var = pow ? onnx_sole_reader(g, onnx_out(*pow), "ReduceMean") : nullptr;
  const OnnxNode* add = var ? onnx_sole_reader(g, onnx_out(*var), "Add") : nullptr;
  const auto eps = add ? onnx_float_scalar(g, onnx_other_input(*add, onnx_out(*var)))
                       : std::nullopt;
  const OnnxNode* sqrt = eps ? onnx_sole_reader(g, onnx_out(*add), "Sqrt") : nullptr;
  if (!div || !sqrt || onnx_in(*div, 1) != onnx_out(*sqrt) || !(*eps > 0.0f))
    onnx_pattern_error(source, *sub,
                       "a LayerNorm needs Pow(x - mean, 2), ReduceMean, Add(eps > 0), Sqrt and "
                       "Div(x - mean, .)");
  PatternMatch m;
  m.spec = layer_of("layernorm");
  m.spec.numbers["eps"] = static_cast<double>(*eps);
  m.output = onnx_out(*layer_norm_affine(g, *div, m, source));
  m.entries = {mean_at, index_of(g, sub)};
  return m;
}

// Div(x, sqrt 2) [or Mul(x, 1/sqrt 2)], Erf, Add(1), Mul(x, .), Mul(., 0.5).
std::optional<PatternMatch> match_gelu(const OnnxGraphIndex& g, const std::string& t) {
  const auto readers = data_consumers(g, t);
  if (readers.size() != 2) return std::nullopt;
  for (std::size_t scale_at : readers) {
    const OnnxNode& scale = g.model.nodes[scale_at];
    const auto c = onnx_float_scalar(g, onnx_other_input(scale, t));
    const bool div = scale.op_type == "Div" && onnx_in(scale, 0) == t && near(c, std::sqrt(2.0));
    if (!div && !(scale.op_type == "Mul" && near(c, std::sqrt(0.5)))) continue;
    const OnnxNode* erf = onnx_sole_reader(g, onnx_out(scale), "Erf");
    const OnnxNode* one = erf ? onnx_sole_reader(g, onnx_out(*erf), "Add") : nullptr;
    if (!one || !near(onnx_float_scalar(g, onnx_other_input(*one, onnx_out(*erf))), 1.0))
      continue;
    const OnnxNode* times_x = onnx_sole_reader(g, onnx_out(*one), "Mul");
    if (!times_x || onnx_other_input(*times_x, onnx_out(*one)) != t) continue;
    const OnnxNode* half = onnx_sole_reader(g, onnx_out(*times_x), "Mul");
    if (!half || !near(onnx_float_scalar(g, onnx_other_input(*half, onnx_out(*times_x))), 0.5))
      continue;
    PatternMatch m;
    m.spec = layer_of("gelu");
    m.output = onnx_out(*half);
    m.entries = readers;
    return m;
  }
  return std::nullopt;
}

// Reshape (N, C, H*W) then Transpose(0, 2, 1): a convolution's output as tokens.
std::optional<PatternMatch> match_to_tokens(const OnnxGraphIndex& g, std::size_t at) {
  const OnnxNode& reshape = g.model.nodes[at];
  if (reshape.op_type != "Reshape" || reshape.inputs.size() != 2) return std::nullopt;
  const OnnxNode* tr = onnx_sole_reader(g, onnx_out(reshape), "Transpose");
  if (!tr || tr->ints_or("perm", {}) != std::vector<std::int64_t>{0, 2, 1}) return std::nullopt;
  const auto shape = onnx_shape_values(g, onnx_in(reshape, 1));
  if (shape && shape->size() != 3) return std::nullopt;
  PatternMatch m;
  m.spec = layer_of("to_tokens");
  m.output = onnx_out(*tr);
  m.entries = {at};
  return m;
}

// The constant a class token is expanded (or tiled) from: one token of D values.
std::optional<std::vector<float>> token_values(const OnnxGraphIndex& g, const std::string& t,
                                               int depth = 0) {
  if (const OnnxTensor* c = onnx_float_constant(g, t)) {
    if (c->dims.empty() || c->dims.back() <= 0) return std::nullopt;
    const auto D = static_cast<std::size_t>(c->dims.back());
    std::vector<float> token(c->floats.begin(), c->floats.begin() + std::min(D, c->floats.size()));
    for (std::size_t i = 0; i < c->floats.size(); ++i)  // a batch of copies, folded
      if (token.size() != D || c->floats[i] != token[i % D]) return std::nullopt;
    return token;
  }
  const OnnxNode* n = onnx_producer(g, t);
  if (n && depth < 8 && (n->op_type == "Expand" || n->op_type == "Tile"))
    return token_values(g, onnx_in(*n, 0), depth + 1);
  return std::nullopt;
}

std::optional<PatternMatch> match_token_node(const OnnxGraphIndex& g, const std::string& t,
                                             std::size_t at) {
  const OnnxNode& n = g.model.nodes[at];
  PatternMatch m;
  m.output = onnx_out(n);
  m.entries = {at};
  if (n.op_type == "Concat" && n.int_or("axis", 0) == 1 && n.inputs.size() == 2 &&
      onnx_in(n, 1) == t) {
    const auto token = token_values(g, onnx_in(n, 0));
    if (!token) return std::nullopt;
    m.spec = layer_of("class_token");
    m.parameters = {Array(xt::adapt(*token, Shape{token->size()}))};
    return m;
  }
  const OnnxTensor* pos = n.op_type == "Add" ? onnx_float_constant(g, onnx_other_input(n, t))
                                             : nullptr;
  const bool positions = pos && pos->dims.size() >= 2 && pos->dims.size() <= 3 &&
                         (pos->dims.size() == 2 || pos->dims[0] == 1) && pos->dims.back() > 0 &&
                         pos->floats.size() % static_cast<std::size_t>(pos->dims.back()) == 0;
  if (positions) {
    const auto D = static_cast<std::size_t>(pos->dims.back());
    m.spec = layer_of("pos_embed");
    m.parameters = {Array(xt::adapt(pos->floats, Shape{pos->floats.size() / D, D}))};
    return m;
  }
  const bool first = n.op_type == "Gather" && n.int_or("axis", 0) == 1 && n.inputs.size() == 2 &&
                     g.constants.count(onnx_in(n, 1)) &&
                     g.constants.at(onnx_in(n, 1))->ints == std::vector<std::int64_t>{0} &&
                     g.constants.at(onnx_in(n, 1))->dims.empty();
  const bool mean = n.op_type == "ReduceMean" &&
                    n.ints_or("axes", {}) == std::vector<std::int64_t>{1} &&
                    n.int_or("keepdims", 1) == 0;
  if (!first && !mean) return std::nullopt;
  m.spec = layer_of("token_pool");
  m.spec.strings["mode"] = first ? "first" : "mean";
  return m;
}

}  // namespace

std::vector<PatternMatch> transformer_patterns(const OnnxGraphIndex& g, const std::string& t,
                                               bool tokens, const std::string& source) {
  std::vector<PatternMatch> found;
  std::vector<std::size_t> left = data_consumers(g, t);
  auto take = [&](std::optional<PatternMatch> m) {
    if (!m) return;
    for (std::size_t e : m->entries) left.erase(std::remove(left.begin(), left.end(), e), left.end());
    found.push_back(std::move(*m));
  };
  take(match_layer_norm(g, t, source));
  if (tokens) take(match_attention(g, t, source));
  if (found.empty()) take(match_gelu(g, t));
  for (std::size_t at : std::vector<std::size_t>(left)) {
    take(match_to_tokens(g, at));
    if (tokens && std::count(left.begin(), left.end(), at)) take(match_token_node(g, t, at));
  }
  return found;
}

}  // namespace poda

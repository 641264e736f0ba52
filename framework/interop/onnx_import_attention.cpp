// The attention pattern of the import (interop/onnx_import_transformer.h): three projections
// of x split into heads, softmax(q k^T / sqrt(w)) v, heads joined, the output projection.
#include <algorithm>
#include <cmath>
#include <xtensor/xadapt.hpp>
#include <xtensor/xmanipulation.hpp>

#include "interop/onnx_import_graph.h"
#include "interop/onnx_import_transformer.h"

namespace poda {

namespace {

// A projection: MatMul(x, W (in, out)) then Add(., b) when a constant bias follows.
struct Projection {
  Array weight, bias;  // poda's Dense: weight (out, in), bias (out)
  std::string output;
};

Projection projection(const OnnxGraphIndex& g, const OnnxNode& matmul, const std::string& source) {
  const OnnxTensor* w = onnx_float_constant(g, onnx_in(matmul, 1));
  if (!w || w->dims.size() != 2)
    onnx_pattern_error(source, matmul, "an attention projection needs a constant 2-D weight");
  const auto in = static_cast<std::size_t>(w->dims[0]), out = static_cast<std::size_t>(w->dims[1]);
  if (w->dims[0] <= 0 || w->dims[1] <= 0 || w->floats.size() != in * out)
    onnx_pattern_error(source, matmul, "the projection's weight does not hold its dims' values");
  Projection p;
  p.weight = xt::eval(xt::transpose(Array(xt::adapt(w->floats, Shape{in, out}))));
  p.bias = xt::zeros<float>(Shape{out});
  p.output = onnx_out(matmul);
  if (const OnnxNode* add = onnx_sole_reader(g, p.output, "Add")) {
    const OnnxTensor* b = onnx_float_constant(g, onnx_other_input(*add, p.output));
    if (b && b->floats.size() == out) {
      p.bias = Array(xt::adapt(b->floats, Shape{out}));
      p.output = onnx_out(*add);
    }
  }
  return p;
}

// Reshape and Transpose nodes from `t` to the MatMul that reads them: the permutation they
// compose (of the reshaped (N, T, H, w)), the head count the Reshape gives (0 when unknown),
// and the MatMul.
struct HeadPath {
  std::vector<std::int64_t> perm{0, 1, 2, 3};
  std::int64_t heads = 0, width = 0;
  const OnnxNode* matmul = nullptr;
  std::string end;  // the tensor the MatMul reads
};

HeadPath head_path(const OnnxGraphIndex& g, std::string t, const std::string& source) {
  HeadPath p;
  const OnnxNode* n = onnx_sole_reader(g, t, "Reshape");
  if (!n) return p;
  if (const auto dims = onnx_shape_values(g, onnx_in(*n, 1)); dims && dims->size() == 4) {
    p.heads = std::max<std::int64_t>((*dims)[2], 0);
    p.width = std::max<std::int64_t>((*dims)[3], 0);
  } else {
    onnx_pattern_error(source, *n, "splitting heads needs a Reshape to (N, T, heads, width)");
  }
  t = onnx_out(*n);
  for (int hops = 0; const OnnxNode* tr = onnx_sole_reader(g, t, "Transpose"); ++hops) {
    const auto perm = tr->ints_or("perm", {});
    if (perm.size() != 4 || hops > 4 ||
        std::any_of(perm.begin(), perm.end(), [](std::int64_t a) { return a < 0 || a > 3; }))
      onnx_pattern_error(source, *tr, "a head Transpose must permute the 4 axes");
    std::vector<std::int64_t> composed(4);
    for (std::size_t i = 0; i < 4; ++i) composed[i] = p.perm[static_cast<std::size_t>(perm[i])];
    p.perm = composed;
    t = onnx_out(*tr);
  }
  p.matmul = onnx_sole_reader(g, t, "MatMul");
  p.end = t;
  return p;
}

std::int64_t head_count(const HeadPath& p, std::size_t E) {
  if (p.heads > 0) return p.heads;
  return p.width > 0 ? static_cast<std::int64_t>(E) / p.width : 0;
}

// After the mix MatMul: Transpose(0, 2, 1, 3), Reshape to (N, T, E), the out projection.
Projection joined_heads(const OnnxGraphIndex& g, const OnnxNode& mix, const std::string& source) {
  const OnnxNode* tr = onnx_sole_reader(g, onnx_out(mix), "Transpose");
  if (!tr || tr->ints_or("perm", {}) != std::vector<std::int64_t>{0, 2, 1, 3})
    onnx_pattern_error(source, mix, "the heads' outputs need a Transpose(0, 2, 1, 3)");
  const OnnxNode* reshape = onnx_sole_reader(g, onnx_out(*tr), "Reshape");
  const auto dims = reshape ? onnx_shape_values(g, onnx_in(*reshape, 1)) : std::nullopt;
  if (!dims || dims->size() != 3)
    onnx_pattern_error(source, *tr, "joining the heads needs a Reshape to (N, T, E)");
  const OnnxNode* out = onnx_sole_reader(g, onnx_out(*reshape), "MatMul");
  if (!out) onnx_pattern_error(source, *reshape, "the joined heads need an output projection");
  return projection(g, *out, source);
}

// The scale between MatMul(q, k^T) and Softmax(-1), which must be 1/sqrt(width); the node
// Softmax writes.
const OnnxNode& scaled_softmax(const OnnxGraphIndex& g, const OnnxNode& scores, double width,
                               const std::string& source) {
  const std::string& s = onnx_out(scores);
  const OnnxNode* mul = onnx_sole_reader(g, s, "Mul");
  const OnnxNode* div = onnx_sole_reader(g, s, "Div");
  const OnnxNode* scale = mul ? mul : div;
  const auto c = scale ? onnx_float_scalar(g, onnx_other_input(*scale, s)) : std::nullopt;
  const double factor = !c ? 0.0 : mul ? *c : 1.0 / *c;
  if (!c || (div && onnx_in(*div, 0) != s) ||
      std::abs(factor * std::sqrt(width) - 1.0) > 1e-5)
    onnx_pattern_error(source, scores,
                       "attention scores must be scaled by 1/sqrt(head width) = " +
                           std::to_string(1.0 / std::sqrt(width)) + " before the Softmax");
  const OnnxNode* softmax = onnx_sole_reader(g, onnx_out(*scale), "Softmax");
  const std::int64_t axis = softmax ? softmax->int_or("axis", -1) : 0;
  if (!softmax || (axis != -1 && axis != 3))
    onnx_pattern_error(source, *scale, "attention needs a Softmax over the keys (axis -1)");
  return *softmax;
}

}  // namespace

std::optional<PatternMatch> match_attention(const OnnxGraphIndex& g, const std::string& t,
                                            const std::string& source) {
  std::vector<std::size_t> entries;
  for (std::size_t c : data_consumers(g, t))
    if (g.model.nodes[c].op_type == "MatMul" && onnx_in(g.model.nodes[c], 0) == t &&
        onnx_float_constant(g, onnx_in(g.model.nodes[c], 1)))
      entries.push_back(c);
  if (entries.size() != 3) return std::nullopt;
  std::vector<Projection> proj;
  std::vector<HeadPath> path;
  for (std::size_t c : entries) {
    proj.push_back(projection(g, g.model.nodes[c], source));
    path.push_back(head_path(g, proj.back().output, source));
  }
  // q and k meet in the scores MatMul (q first); v is read by the MatMul after the Softmax.
  std::size_t q = 3, k = 3, v = 3;
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      if (i != j && path[i].matmul && path[i].matmul == path[j].matmul &&
          onnx_in(*path[i].matmul, 0) == path[i].end && onnx_in(*path[i].matmul, 1) == path[j].end)
        q = i, k = j, v = 3 - i - j;
  const OnnxNode& first = g.model.nodes[entries[0]];
  if (q == 3 || !path[v].matmul)
    onnx_pattern_error(source, first, "three projections of one tensor that are not attention's "
                                      "MatMul(q, k^T) and MatMul(softmax, v)");
  const std::size_t E = proj[q].weight.shape()[0], D = proj[q].weight.shape()[1];
  const std::int64_t H = head_count(path[q], E);
  if (path[q].perm != std::vector<std::int64_t>{0, 2, 1, 3} ||
      path[k].perm != std::vector<std::int64_t>{0, 2, 3, 1} ||
      path[v].perm != std::vector<std::int64_t>{0, 2, 1, 3} || E != D || H <= 0 ||
      E % static_cast<std::size_t>(H) != 0 || proj[k].weight.shape() != proj[q].weight.shape() ||
      proj[v].weight.shape() != proj[q].weight.shape())
    onnx_pattern_error(source, first, "attention needs D -> D projections split into heads as "
                                      "(N, H, T, w) for q and v and (N, H, w, T) for k");
  const OnnxNode& softmax = scaled_softmax(g, *path[q].matmul, double(E) / double(H), source);
  const OnnxNode& mix = *path[v].matmul;
  if (onnx_in(mix, 0) != onnx_out(softmax) || onnx_in(mix, 1) != path[v].end)
    onnx_pattern_error(source, mix, "attention needs MatMul(softmax, v)");
  const Projection out = joined_heads(g, mix, source);
  if (out.weight.shape() != proj[q].weight.shape())
    onnx_pattern_error(source, mix, "the output projection must be D -> D");
  PatternMatch m;
  m.spec.type = "attention";
  m.spec.numbers["heads"] = static_cast<double>(H);
  for (const Projection* p : std::vector<const Projection*>{&proj[q], &proj[k], &proj[v], &out})
    m.parameters.insert(m.parameters.end(), {p->weight, p->bias});
  m.output = out.output;
  m.entries = entries;
  return m;
}

}  // namespace poda

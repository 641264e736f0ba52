// import_onnx: walks the graph from its input, one chain of nodes at a time; a tensor read by
// two nodes opens a residual block that ends at the Add joining its two branches.
#include "interop/onnx_import.h"

#include <algorithm>
#include <set>

#include "interop/onnx_import_ops.h"
#include "interop/onnx_import_patterns.h"
#include "interop/onnx_import_transformer.h"
#include "nn/model_builder.h"
#include "prune/settings.h"

namespace poda {
namespace {

class GraphWalker {
 public:
  GraphWalker(const OnnxModel& m, const std::string& source) : m_(m), source_(source) {
    for (const OnnxTensor& t : m.initializers) constants_[t.name] = &t;
    for (std::size_t i = 0; i < m.nodes.size(); ++i) {
      const OnnxNode& n = m.nodes[i];
      if (n.op_type == "Constant") {
        const OnnxAttribute* value = n.attribute("value");
        if (!value) throw OnnxError(source + ": " + n.label() + " has no tensor 'value'");
        constants_[n.outputs.at(0)] = &value->tensor;
        continue;
      }
      // torch.onnx.export writes one initializer for equal parameters and an Identity of it
      // for each other name: a constant too.
      if (n.op_type == "Identity" && n.inputs.size() == 1 && n.outputs.size() == 1 &&
          constants_.count(n.inputs[0])) {
        constants_[n.outputs[0]] = constants_.at(n.inputs[0]);
        continue;
      }
      for (const std::string& in : n.inputs)
        if (!in.empty() && !constants_.count(in)) consumers_[in].push_back(i);
    }
  }

  ImportedModel run();

 private:
  std::vector<LayerSpec> walk(std::string& t, std::size_t stop, ImportedModel& out);
  LayerSpec residual(std::string& t, ImportedModel& out);
  std::size_t find_join(const std::string& t) const;
  bool reaches(const std::string& from, const std::string& to) const;
  std::vector<std::size_t> consumers(const std::string& t) const {
    auto it = consumers_.find(t);
    return it == consumers_.end() ? std::vector<std::size_t>{} : it->second;
  }
  void leading_normalization(std::string& t, ImportedModel& out);
  void check_input(const OnnxValue& input) const;
  void check_not_squeezed_output(const OnnxNode& n, const std::string& t) const;
  const OnnxNode& take(std::size_t i);
  OnnxGraphIndex index() const {
    return {m_, constants_, [this](const std::string& t) { return consumers(t); }};
  }
  // The node's layer name, made unique over the graph.
  std::string unique_name(const OnnxNode& n) { return unique_name(layer_name_of(n)); }
  std::string unique_name(const std::string& base);
  // Appends a layer; Dense and GELU layers on tokens go into a Tokenwise (one per run).
  void push_layer(std::vector<LayerSpec>& layers, LayerSpec spec);
  // A transformer pattern's layer and weights; returns the tensor it ends at.
  std::string apply(PatternMatch& p, std::vector<LayerSpec>& layers, ImportedModel& out);

  const OnnxModel& m_;
  std::string source_;
  std::map<std::string, const OnnxTensor*> constants_;
  std::map<std::string, std::vector<std::size_t>> consumers_;
  std::string output_;
  std::set<std::size_t> taken_;  // nodes converted so far
  std::set<std::string> names_;  // layer names given so far
  bool tokens_ = false;          // between a to_tokens and a token_pool
};

std::string GraphWalker::unique_name(const std::string& base) {
  if (base.empty()) return base;
  std::string name = base;
  for (int i = 2; !names_.insert(name).second; ++i) name = base + "_" + std::to_string(i);
  return name;
}

ImportedModel GraphWalker::run() {
  const OnnxValue* input = nullptr;
  std::size_t inputs = 0;
  for (const OnnxValue& v : m_.inputs)
    if (!constants_.count(v.name) && inputs++ == 0) input = &v;
  if (!input || inputs != 1 || m_.outputs.size() != 1)
    throw OnnxError(source_ + ": poda imports graphs of one input and one output (this one has " +
                    std::to_string(inputs) + " and " + std::to_string(m_.outputs.size()) + ")");
  check_input(*input);
  ImportedModel out;
  for (std::size_t i = 1; i < input->dims.size(); ++i) {
    if (input->dims[i] <= 0)
      throw OnnxError(source_ + ": input '" + input->name + "' has no fixed size on axis " +
                      std::to_string(i));
    out.input.push_back(static_cast<std::size_t>(input->dims[i]));
  }
  output_ = m_.outputs[0].name;
  std::string t = input->name;
  out.norm = identity_normalization(out.input.empty() ? 1 : out.input[0]);
  leading_normalization(t, out);
  out.layers = walk(t, m_.nodes.size(), out);
  if (t != output_)
    throw OnnxError(source_ + ": the walk from the input ends at '" + t + "', not at the output '" +
                    output_ + "'");
  return out;
}

// poda's models read one float tensor of known rank: (batch, features...).
void GraphWalker::check_input(const OnnxValue& input) const {
  const std::string what = source_ + ": input '" + input.name + "'";
  if (input.kind != "tensor")
    throw OnnxError(what + " is a " + input.kind + "; poda's models take one float tensor");
  if (input.elem_type != 0 && input.elem_type != 1)
    throw OnnxError(what + " has element type " + onnx_type_name(input.elem_type) +
                    "; poda's models take FLOAT");
  if (input.dims.size() < 2)
    throw OnnxError(what + " has " +
                    (input.dims.empty() ? std::string("no shape")
                                        : "rank " + std::to_string(input.dims.size())) +
                    "; poda needs (batch, features...) with fixed sizes");
  // A sample of more floats than this is no model poda could run; refused before any layer
  // is sized from it (a damaged dimension would otherwise ask for gigabytes).
  constexpr std::int64_t kMaxSampleFloats = std::int64_t{1} << 26;
  std::int64_t floats = 1;
  for (std::size_t i = 1; i < input.dims.size(); ++i)
    if (input.dims[i] > kMaxSampleFloats || (floats *= std::max<std::int64_t>(input.dims[i], 1)) >
                                                kMaxSampleFloats)
      throw OnnxError(what + " has more than " + std::to_string(kMaxSampleFloats) +
                      " values per sample");
}

// Sub(x, mean) then Div(., std) with per-channel constants: the normalisation, not layers.
void GraphWalker::leading_normalization(std::string& t, ImportedModel& out) {
  const auto first = consumers(t);
  if (first.size() != 1 || m_.nodes[first[0]].op_type != "Sub") return;
  const OnnxNode& sub = m_.nodes[first[0]];
  const auto second = consumers(sub.outputs[0]);
  if (second.size() != 1 || m_.nodes[second[0]].op_type != "Div") return;
  const OnnxNode& div = m_.nodes[second[0]];
  auto mean = constants_.find(sub.inputs.at(1)), std = constants_.find(div.inputs.at(1));
  if (mean == constants_.end() || std == constants_.end() || out.input.empty()) return;
  const std::size_t c = out.input[0];
  if (mean->second->floats.size() != c || std->second->floats.size() != c) return;
  out.norm.mean = mean->second->floats;
  out.norm.std = std->second->floats;
  t = div.outputs[0];
}

void GraphWalker::push_layer(std::vector<LayerSpec>& layers, LayerSpec spec) {
  if (!tokens_ || (spec.type != "dense" && spec.type != "gelu")) {
    layers.push_back(std::move(spec));
    return;
  }
  if (layers.empty() || layers.back().type != "tokenwise") {
    LayerSpec wrap;
    wrap.type = "tokenwise";
    wrap.name = unique_name(spec.name.empty() ? std::string("tokenwise") : spec.name + "_tokens");
    layers.push_back(std::move(wrap));
  }
  layers.back().lists["layers"].push_back(std::move(spec));
}

// Named after the module the pattern's first nodes share ("/blocks/blocks.0/attn/q/MatMul"
// and ".../attn/k/MatMul" give "attn").
std::string GraphWalker::apply(PatternMatch& p, std::vector<LayerSpec>& layers,
                               ImportedModel& out) {
  std::string common = m_.nodes[p.entries.at(0)].name;
  for (std::size_t e : p.entries) {
    const std::string& name = take(e).name;  // converted once: a cycle is refused
    std::size_t i = 0;
    while (i < common.size() && i < name.size() && common[i] == name[i]) ++i;
    common.resize(i);
  }
  OnnxNode named;  // a node of the shared module; at the top level, the layer type
  named.name = common.substr(0, common.find_last_of('/') + 1) + "op";
  const std::string module = layer_name_of(named);
  p.spec.name = unique_name(module.empty() || module == "op" ? p.spec.type : module);
  if (p.spec.type == "to_tokens") tokens_ = true;
  if (p.spec.type == "token_pool") tokens_ = false;
  for (Array& a : p.parameters) out.parameters.push_back(std::move(a));
  push_layer(layers, std::move(p.spec));
  return p.output;
}

std::vector<LayerSpec> GraphWalker::walk(std::string& t, std::size_t stop, ImportedModel& out) {
  std::vector<LayerSpec> layers;
  while (t != output_) {
    std::vector<PatternMatch> patterns = transformer_patterns(index(), t, tokens_, source_);
    auto next = data_consumers(index(), t);
    std::size_t branches = next.size() + patterns.size();
    for (const PatternMatch& p : patterns) branches -= p.entries.size();
    if (consumers(t).empty()) break;
    if (branches > 2)
      throw OnnxError(source_ + ": tensor '" + t + "' feeds " + std::to_string(branches) +
                      " nodes; poda imports chains and two-branch residual blocks");
    if (branches == 1 && patterns.size() == 1) {
      t = apply(patterns[0], layers, out);
      continue;
    }
    if (consumers(t).size() == 2)
      if (const auto reshape = batch_flatten_reshape(index(), t)) {
        LayerSpec flatten;
        flatten.type = "flatten";
        flatten.name = unique_name(m_.nodes[*reshape]);
        layers.push_back(std::move(flatten));
        t = m_.nodes[*reshape].outputs.at(0);
        continue;
      }
    if (branches == 2) {
      layers.push_back(residual(t, out));
      continue;
    }
    if (next.empty() || next[0] == stop) break;
    const OnnxNode& n = take(next[0]);
    // Only a classifier's head: after a layer, on a (batch, classes) output (or an undeclared
    // shape); anything else is an op poda has no layer for.
    const std::size_t rank = m_.outputs[0].dims.size();
    const bool head = !layers.empty() && (rank == 2 || rank == 0);
    if (std::string dropped = head ? dropped_output_activation(n, output_) : ""; !dropped.empty()) {
      out.dropped_output = std::move(dropped);
      t = output_;
      break;
    }
    OpContext ctx{constants_, source_, out.parameters, out.buffers};
    std::optional<LayerSpec> spec = convert_node(n, ctx);
    if (spec) spec->name = unique_name(n);
    t = n.outputs.at(0);
    check_not_squeezed_output(n, t);
    if (n.op_type == "MatMul") {  // MatMul + Add (a constant bias): one Dense layer
      const auto add = consumers(t);
      if (add.size() == 1 && m_.nodes[add[0]].op_type == "Add" &&
          add_matmul_bias(*spec, m_.nodes[add[0]], t, ctx))
        t = m_.nodes[add[0]].outputs.at(0);
    }
    if (spec) push_layer(layers, std::move(*spec));
  }
  return layers;
}

// poda's global_avgpool gives (N, C) where ONNX's GlobalAveragePool gives (N, C, 1, 1): the
// same whenever a Flatten follows (as before any Gemm), not as the graph's output.
void GraphWalker::check_not_squeezed_output(const OnnxNode& n, const std::string& t) const {
  if (n.op_type == "GlobalAveragePool" && t == output_)
    throw OnnxError(source_ + ": " + n.label() +
                    " as the graph's output: its (N, C, 1, 1) would be poda's (N, C); poda "
                    "imports it when a Flatten follows");
}

// Node i, converted once: a node reached again is a cycle (a node feeding itself), which a
// valid ONNX graph never has and which would otherwise be walked for ever.
const OnnxNode& GraphWalker::take(std::size_t i) {
  if (!taken_.insert(i).second)
    throw OnnxError(source_ + ": " + m_.nodes[i].label() +
                    " is reached twice: the graph has a cycle");
  if (m_.nodes[i].outputs.empty() || m_.nodes[i].outputs[0].empty())
    throw OnnxError(source_ + ": " + m_.nodes[i].label() + " has no output");
  return m_.nodes[i];
}

// t feeds two branches joined by an Add: a residual block.
LayerSpec GraphWalker::residual(std::string& t, ImportedModel& out) {
  const std::size_t join = find_join(t);
  if (join == m_.nodes.size())
    throw OnnxError(source_ + ": tensor '" + t + "' feeds two nodes that no Add joins again");
  std::vector<ImportedModel> branches;  // layers and weights of each branch, walked apart
  branches.reserve(2);
  std::vector<PatternMatch> patterns = transformer_patterns(index(), t, tokens_, source_);
  std::vector<std::size_t> plain = data_consumers(index(), t);
  for (const PatternMatch& p : patterns)
    for (std::size_t e : p.entries) plain.erase(std::remove(plain.begin(), plain.end(), e), plain.end());
  for (PatternMatch& p : patterns) {
    ImportedModel& b = branches.emplace_back();
    std::string branch = apply(p, b.layers, b);
    for (LayerSpec& s : walk(branch, join, b)) b.layers.push_back(std::move(s));
  }
  for (std::size_t c : plain) {
    ImportedModel& b = branches.emplace_back();
    if (c == join) continue;  // the identity
    const OnnxNode& first = take(c);
    OpContext ctx{constants_, source_, b.parameters, b.buffers};
    if (auto spec = convert_node(first, ctx)) {
      spec->name = unique_name(first);
      push_layer(b.layers, std::move(*spec));
    }
    std::string branch = first.outputs.at(0);
    for (LayerSpec& s : walk(branch, join, b)) b.layers.push_back(std::move(s));
  }
  // The longer branch is the body; a Residual lists the body's weights before the shortcut's.
  if (branches[1].layers.size() > branches[0].layers.size()) std::swap(branches[0], branches[1]);
  LayerSpec spec;
  spec.type = "residual";
  for (ImportedModel& b : branches) {
    for (Array& a : b.parameters) out.parameters.push_back(std::move(a));
    for (Array& a : b.buffers) out.buffers.push_back(std::move(a));
  }
  spec.lists["layers"] = std::move(branches[0].layers);
  if (!branches[1].layers.empty()) spec.lists["shortcut"] = std::move(branches[1].layers);
  t = m_.nodes[join].outputs.at(0);
  return spec;
}

std::size_t GraphWalker::find_join(const std::string& t) const {
  for (std::size_t i = 0; i < m_.nodes.size(); ++i) {
    const OnnxNode& n = m_.nodes[i];
    if (n.op_type != "Add" || n.inputs.size() != 2) continue;
    if (constants_.count(n.inputs[0]) || constants_.count(n.inputs[1])) continue;
    if (reaches(t, n.inputs[0]) && reaches(t, n.inputs[1])) return i;
  }
  return m_.nodes.size();
}

bool GraphWalker::reaches(const std::string& from, const std::string& to) const {
  std::vector<std::string> todo{from};
  std::set<std::string> seen;
  while (!todo.empty()) {
    const std::string t = todo.back();
    todo.pop_back();
    if (t == to) return true;
    if (!seen.insert(t).second) continue;
    for (std::size_t c : consumers(t))
      for (const std::string& o : m_.nodes[c].outputs) todo.push_back(o);
  }
  return false;
}

// A double-quoted YAML scalar: names and texts may hold ':', ',' or '/'.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char ch : text)
    out += (ch == '"' || ch == '\\') ? std::string("\\") + ch : std::string(1, ch);
  return out + "\"";
}

void append_yaml(std::string& out, const LayerSpec& s) {
  out += "{type: " + s.type;
  if (!s.name.empty()) out += ", name: " + quoted(s.name);
  const LayerType* type = find_layer_type(s.type);
  for (const auto& [key, value] : s.numbers) {
    auto kind = type ? type->keys.find(key) : std::map<std::string, KeyKind>::const_iterator{};
    const bool flag = type && kind != type->keys.end() && kind->second == KeyKind::flag;
    out += ", " + key + ": " + (flag ? (value != 0.0 ? "true" : "false") : format_number(value));
  }
  for (const auto& [key, text] : s.strings) out += ", " + key + ": " + quoted(text);
  for (const auto& [key, list] : s.lists) out += ", " + key + ": " + layers_yaml(list);
  out += "}";
}

}  // namespace

ImportedModel import_onnx(const OnnxModel& model, const std::string& source) {
  return GraphWalker(model, source).run();
}

std::shared_ptr<Sequential> build_imported(const ImportedModel& imported) {
  Rng rng(0);
  auto model = build_model(imported.layers, imported.input, Init::kaiming_uniform, rng);
  auto params = model->named_parameters();
  auto buffers = model->named_buffers();
  if (params.size() != imported.parameters.size() || buffers.size() != imported.buffers.size())
    throw OnnxError("imported model: " + std::to_string(imported.parameters.size()) +
                    " parameters for a model of " + std::to_string(params.size()));
  auto load = [](const std::string& name, Array& to, const Array& from) {
    if (to.shape() != from.shape())
      throw OnnxError("imported model: '" + name + "' is " + shape_str(to_shape(from.shape())) +
                      " in the graph, " + shape_str(to_shape(to.shape())) + " in poda");
    to = from;
  };
  for (std::size_t i = 0; i < params.size(); ++i)
    load(params[i].first, params[i].second->value.data(), imported.parameters[i]);
  for (std::size_t i = 0; i < buffers.size(); ++i)
    load(buffers[i].first, *buffers[i].second, imported.buffers[i]);
  model->eval();
  return model;
}

std::string layers_yaml(const std::vector<LayerSpec>& layers) {
  std::string out = "[";
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (i) out += ", ";
    append_yaml(out, layers[i]);
  }
  return out + "]";
}

}  // namespace poda

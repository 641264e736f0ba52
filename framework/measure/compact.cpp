#include "measure/compact.h"

#include "nn/layers/tokenwise.h"
#include "prune/dependency_groups.h"

namespace poda {

namespace {

using Flow = Module::ChannelFlow;
using Named = std::vector<std::pair<std::string, ModulePtr>>;

std::string dotted(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// What flows between the layers of the copy: the original channels or features kept.
struct Carried {
  std::vector<std::size_t> keep;
  bool flattened_spatial = false;
};

// (C, H, W) -> C*H*W features: a kept channel keeps its H*W consecutive features.
void flatten_kept(Carried& c, const Shape& shape) {
  const std::size_t spatial = shape.size() == 3 ? shape[1] * shape[2] : 1;
  std::vector<std::size_t> features;
  for (std::size_t ch : c.keep)
    for (std::size_t s = 0; s < spatial; ++s) features.push_back(ch * spatial + s);
  c.keep = features;
  c.flattened_spatial = spatial > 1;
}

// Builds the copy module by module, carrying the kept channels along the data flow.
class Compactor {
 public:
  explicit Compactor(Module& model) : groups_(dependency_groups(model)) {}
  // The copy of m (named `name`) for input `shape`; nullptr with reason_ set when impossible.
  ModulePtr copy(const ModulePtr& m, const std::string& name, const Shape& shape, Carried& c);
  std::string reason_;

 private:
  ModulePtr fail(const std::string& name, const Module& m) {
    if (reason_.empty())
      reason_ = "layer '" + name + "' (" + m.type_name() + ") cannot be compacted";
    return nullptr;
  }
  ModulePtr leaf(const ModulePtr& m, const std::string& name, const Shape& shape, Carried& c);
  ModulePtr attention(const ModulePtr& m, const std::string& name, Carried& c);
  ModulePtr opaque(const ModulePtr& m, const std::string& name, const Shape& shape, Carried& c);
  std::vector<std::size_t> kept_outputs(const Module& m) const;
  std::vector<DependencyGroup> groups_;
};

// The channels `m` writes that its dependency group keeps: all of a pinned group's (the
// classes of the output layer), at least one of a group removed entirely (a width of 0 is no
// layer; its one channel computes zeros).
std::vector<std::size_t> Compactor::kept_outputs(const Module& m) const {
  const DependencyGroup* g = group_written_by(groups_, &m);
  if (!g || !g->prunable()) return all_indices(g ? g->channels : 0);
  std::vector<std::size_t> kept;
  for (std::size_t ch = 0; ch < g->channels; ++ch)
    if (!group_channel_removed(*g, ch)) kept.push_back(ch);
  if (kept.empty()) kept.push_back(0);
  return kept;
}

ModulePtr Compactor::leaf(const ModulePtr& m, const std::string& name, const Shape& shape,
                          Carried& c) {
  switch (m->channel_flow()) {
    case Flow::transforms: {
      const DependencyGroup* g = group_written_by(groups_, m.get());
      if (!g) return fail(name, *m);
      const std::vector<std::size_t> rows = kept_outputs(*m);
      ModulePtr out = m->compacted(c.keep, rows);
      c = {rows, false};
      return out ? out : fail(name, *m);
    }
    case Flow::normalizes:
      if (c.flattened_spatial) {
        reason_ = "layer '" + name + "': BatchNorm after a spatial flatten";
        return nullptr;
      }
      return m->compacted(c.keep, c.keep);
    case Flow::flattens: flatten_kept(c, shape); return m;
    case Flow::keeps_zeros: return m;  // stateless here: shared with the original
    case Flow::opaque: return opaque(m, name, shape, c);
    case Flow::attends: break;  // a container (copy); a leaf declaring it has no projections
  }
  return fail(name, *m);
}

// The heads its group keeps (at least one), the input channels carried, the output units
// out's group keeps.
ModulePtr Compactor::attention(const ModulePtr& m, const std::string& name, Carried& c) {
  const auto& children = m->children();
  if (children.size() < 2 || c.flattened_spatial) return fail(name, *m);
  const Module& out_proj = *children.back().second;
  if (!group_written_by(groups_, children.front().second.get()) ||
      !group_written_by(groups_, &out_proj))
    return fail(name, *m);
  const std::vector<std::size_t> rows = kept_outputs(out_proj);
  ModulePtr out = m->compacted_heads(c.keep, kept_outputs(*children.front().second), rows);
  c = {rows, false};
  return out ? out : fail(name, *m);
}

// Channels of one sample's shape: a token's features for tokens (T, D), else axis 0.
std::size_t channel_count(const Shape& shape) {
  return shape.size() == 2 ? shape[1] : shape.empty() ? 0 : shape[0];
}

// An opaque layer is crossed, as an unchanged copy, only where every channel stays.
ModulePtr Compactor::opaque(const ModulePtr& m, const std::string& name, const Shape& shape,
                            Carried& c) {
  if (c.flattened_spatial || c.keep.size() != channel_count(shape)) return fail(name, *m);
  ModulePtr copy = m->copied();
  if (!copy) return fail(name, *m);
  c = {all_indices(channel_count(m->output_shape(shape))), false};
  return copy;
}

ModulePtr Compactor::copy(const ModulePtr& m, const std::string& name, const Shape& shape,
                          Carried& c) {
  if (m->channel_flow() == Flow::attends && !m->children().empty()) return attention(m, name, c);
  if (m->children().empty()) return leaf(m, name, shape, c);
  Named children;
  if (m->chains_children()) {
    // Tokenwise's layers see one token's features (D), not the tokens (T, D).
    Shape at = dynamic_cast<const Tokenwise*>(m.get()) ? Shape{shape.at(1)} : shape;
    for (const auto& [child_name, child] : m->children()) {
      ModulePtr copied = copy(child, dotted(name, child_name), at, c);
      if (!copied) return nullptr;
      children.emplace_back(child_name, copied);
      at = child->output_shape(at);
    }
  } else if (m->sums_children()) {
    // Every summand reads the same channels and, being one dependency group, keeps the same.
    const Carried in = c;
    for (const auto& [child_name, child] : m->children()) {
      c = in;
      ModulePtr copied = copy(child, dotted(name, child_name), shape, c);
      if (!copied) return nullptr;
      children.emplace_back(child_name, copied);
    }
    if (m->adds_input() && c.keep != in.keep) return fail(name, *m);
  }
  ModulePtr out = children.empty() ? nullptr : m->with_children(children);
  return out ? out : fail(name, *m);
}

}  // namespace

CompactResult compact_model(Sequential& model, const Shape& input_shape) {
  Compactor compactor(model);
  Carried carried{all_indices(input_shape[0]), false};
  // A non-owning handle: the copy shares no state with `model` but its stateless layers.
  const ModulePtr root(std::shared_ptr<Module>(), &model);
  ModulePtr out = compactor.copy(root, "", input_shape, carried);
  auto seq = std::dynamic_pointer_cast<Sequential>(out);
  if (!seq)
    return {nullptr,
            compactor.reason_.empty() ? "the model cannot be compacted" : compactor.reason_};
  seq->train(model.is_training());
  return {seq, ""};
}

}  // namespace poda

#include "prune/dependency_groups.h"

#include <algorithm>
#include <numeric>

#include "prune/dead_inputs.h"

namespace poda {

namespace {

using Flow = Module::ChannelFlow;
using Role = GroupMember::Role;

Parameter* own_parameter(Module& m, const std::string& name) {
  for (auto& [n, p] : m.named_parameters())
    if (n == name) return p;
  return nullptr;
}

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// A set of channels some tensor carries; a residual add merges the spaces of its summands.
struct Space {
  std::size_t parent = 0;
  std::size_t channels = 0;  // 0 = not known yet (the network's input before a layer reads it)
  std::string pinned;
  bool heads = false;
  std::vector<std::pair<std::size_t, GroupMember>> members;  // (model order, member)
};

// What flows between layers: a channel space, spread over H*W features after a Flatten.
struct Carried {
  std::size_t space = 0;
  bool flattened = false;
};

class Tracer {
 public:
  std::size_t new_space(std::size_t channels, const std::string& pinned = "") {
    spaces_.push_back({spaces_.size(), channels, pinned, false, {}});
    return spaces_.size() - 1;
  }
  Space& root(std::size_t s) {
    while (spaces_[s].parent != s) s = spaces_[s].parent = spaces_[spaces_[s].parent].parent;
    return spaces_[s];
  }
  void pin(std::size_t s, const std::string& why) {
    Space& r = root(s);
    if (r.pinned.empty()) r.pinned = why;
  }
  void add(std::size_t s, Role role, Module& layer, const std::string& name,
           std::size_t fan_out = 1, std::size_t span = 1) {
    root(s).members.push_back({order_++, GroupMember{role, &layer, name, fan_out, span}});
  }
  Carried walk(Module& m, const std::string& name, Carried in);
  std::vector<DependencyGroup> groups();

 private:
  void unite(std::size_t a, std::size_t b, const std::string& where);
  Carried leaf(Module& m, const std::string& name, Carried in);
  Carried transform(Module& m, const std::string& name, Carried in);
  Carried attend(Module& m, const std::string& name, Carried in);
  std::vector<Space> spaces_;
  std::size_t order_ = 0;
};

void Tracer::unite(std::size_t a, std::size_t b, const std::string& where) {
  Space& ra = root(a);
  Space& rb = root(b);
  if (&ra == &rb) return;
  if (ra.channels && rb.channels && ra.channels != rb.channels)
    ra.pinned = "'" + where + "' adds " + std::to_string(ra.channels) + " and " +
                std::to_string(rb.channels) + " channels";
  if (ra.pinned.empty()) ra.pinned = rb.pinned;
  ra.channels = std::max(ra.channels, rb.channels);
  ra.members.insert(ra.members.end(), rb.members.begin(), rb.members.end());
  rb.members.clear();
  rb.parent = ra.parent;
}

Carried Tracer::walk(Module& m, const std::string& name, Carried in) {
  if (m.channel_flow() == Flow::attends) return attend(m, name, in);
  if (m.children().empty()) return leaf(m, name, in);
  if (m.chains_children()) {
    for (const auto& [child_name, child] : m.children())
      in = walk(*child, join(name, child_name), in);
    return in;
  }
  if (m.sums_children()) {
    std::vector<Carried> summands;
    for (const auto& [child_name, child] : m.children())
      summands.push_back(walk(*child, join(name, child_name), in));
    if (m.adds_input()) summands.push_back(in);
    for (const Carried& s : summands) {
      unite(summands.front().space, s.space, name);
      if (s.flattened != summands.front().flattened) pin(s.space, "'" + name + "' adds a flatten");
    }
    return summands.front();
  }
  // A container with some other data flow: each child is traced on its own, from channels
  // nothing else writes. What enters or leaves it is exactly zero where a group's channel is
  // masked, so the groups around it are still pruned; compaction stops at it.
  for (const auto& [child_name, child] : m.children())
    walk(*child, join(name, child_name), {new_space(0, "inside '" + name + "'"), false});
  return {new_space(0, "the output of '" + name + "' (" + m.type_name() + ")"), false};
}

Carried Tracer::leaf(Module& m, const std::string& name, Carried in) {
  switch (m.channel_flow()) {
    case Flow::keeps_zeros: return in;
    case Flow::flattens: return {in.space, true};
    case Flow::normalizes: {
      const Parameter* gamma = own_parameter(m, "weight");
      if (!gamma || gamma->value.size() != root(in.space).channels)
        pin(in.space, "'" + name + "' normalizes features, not the channels before it");
      add(in.space, Role::normalizes, m, name);
      return in;
    }
    case Flow::transforms: return transform(m, name, in);
    case Flow::attends:  // a container (walk); a leaf declaring it has no projections
    case Flow::opaque: break;
  }
  // An opaque layer (Sigmoid) ends the group without pinning it: a masked channel enters it
  // as exact zeros whatever it computes from them; compaction stops at it.
  return {new_space(0, "the output of '" + name + "' (" + m.type_name() + ")"), false};
}

Carried Tracer::transform(Module& m, const std::string& name, Carried in) {
  const Parameter* w = own_parameter(m, "weight");
  if (!w || w->value.shape().size() < 2) {
    pin(in.space, "'" + name + "' has no weight of rank 2 or more");
    return {new_space(0, "the output of '" + name + "'"), false};
  }
  const std::size_t out = w->value.dim(0), groups = m.groups(), in_total = w->value.dim(1) * groups;
  Space& from = root(in.space);
  if (from.channels == 0 && !in.flattened) from.channels = in_total;
  // A depthwise conv's filter c reads channel c only: its outputs are its input's channels.
  if (groups > 1 && groups == in_total && groups == out && !in.flattened) {
    add(in.space, Role::writes, m, name);
    if (!w->prunable) pin(in.space, "the weight of '" + name + "' is not prunable");
    return in;
  }
  if (groups > 1)
    pin(in.space, "grouped conv '" + name + "' reads them (removing one unbalances the groups)");
  else if (from.channels == 0 || in_total % from.channels ||
           (!in.flattened && in_total != from.channels))
    pin(in.space, "'" + name + "' reads " + std::to_string(in_total) + " inputs from " +
                      std::to_string(from.channels) + " channels");
  const std::size_t fan_out =
      from.channels ? std::max<std::size_t>(1, in_total / from.channels) : 1;
  add(in.space, Role::reads, m, name, fan_out);
  const std::size_t o = new_space(out);
  add(o, Role::writes, m, name);
  if (groups > 1) pin(o, "grouped conv '" + name + "' writes them");
  if (!w->prunable) pin(o, "the weight of '" + name + "' is not prunable");
  return {o, false};
}

// q, k and v read the input's channels and write the heads, head_width() rows each; out reads
// the heads (head_width() features each, as after a flatten) and writes the output's channels.
Carried Tracer::attend(Module& m, const std::string& name, Carried in) {
  const auto& children = m.children();
  const std::size_t width = m.head_width();
  const Parameter* first =
      children.empty() ? nullptr : own_parameter(*children[0].second, "weight");
  if (children.size() < 2 || !first || first->value.shape().size() != 2 ||
      first->value.dim(0) % width != 0) {
    pin(in.space, "'" + name + "' does not say how its heads are laid out");
    return {new_space(0, "the output of '" + name + "'"), false};
  }
  const std::size_t heads = new_space(first->value.dim(0) / width);
  root(heads).heads = true;
  for (std::size_t i = 0; i + 1 < children.size(); ++i) {
    Module& proj = *children[i].second;
    const std::string proj_name = join(name, children[i].first);
    const Parameter* w = own_parameter(proj, "weight");
    Space& from = root(in.space);
    if (from.channels == 0 && !in.flattened && w) from.channels = w->value.dim(1);
    if (!w || w->value.shape() != first->value.shape() || in.flattened ||
        w->value.dim(1) != from.channels)
      pin(in.space, "'" + proj_name + "' does not read the channels before it one to one");
    add(in.space, Role::reads, proj, proj_name);
    add(heads, Role::writes, proj, proj_name, 1, width);
    if (w && !w->prunable) pin(heads, "the weight of '" + proj_name + "' is not prunable");
  }
  const auto& [out_name, out] = children.back();
  return transform(*out, join(name, out_name), {heads, true});
}

std::vector<DependencyGroup> Tracer::groups() {
  std::vector<std::pair<std::size_t, DependencyGroup>> ordered;
  for (std::size_t s = 0; s < spaces_.size(); ++s) {
    Space& sp = spaces_[s];
    if (sp.parent != s) continue;
    std::sort(sp.members.begin(), sp.members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    DependencyGroup g{sp.channels, {}, sp.pinned, sp.heads};
    for (const auto& [order, member] : sp.members) g.members.push_back(member);
    if (g.writers().empty()) continue;
    ordered.emplace_back(sp.members.front().first, std::move(g));
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<DependencyGroup> out;
  for (auto& [order, g] : ordered) out.push_back(std::move(g));
  return out;
}

// Zeros mask entries of p chosen by `clear(mask data)`, creating the mask when absent.
template <class Fn>
void edit_mask(Parameter* p, Fn clear) {
  if (!p) return;
  Array mask = p->has_mask() ? Array(p->mask.data()) : Array(xt::ones<float>(p->value.shape()));
  clear(mask.data());
  p->set_mask(std::move(mask));
}

}  // namespace

std::vector<const GroupMember*> DependencyGroup::writers() const {
  std::vector<const GroupMember*> out;
  for (const GroupMember& m : members)
    if (m.role == GroupMember::Role::writes) out.push_back(&m);
  return out;
}

std::vector<DependencyGroup> dependency_groups(Module& model) {
  Tracer tracer;
  const Carried in{tracer.new_space(0, "the network's input"), false};
  const Carried out = tracer.walk(model, "", in);
  tracer.pin(out.space, "the network's output");
  return tracer.groups();
}

const DependencyGroup* group_written_by(const std::vector<DependencyGroup>& groups,
                                        const Module* layer) {
  for (const DependencyGroup& g : groups)
    for (const GroupMember& m : g.members)
      if (m.role == Role::writes && m.layer == layer) return &g;
  return nullptr;
}

bool group_channel_removed(const DependencyGroup& g, std::size_t c) {
  for (const GroupMember& m : g.members) {
    if (m.role == Role::reads) continue;
    const Parameter* w = own_parameter(*m.layer, "weight");
    const Parameter* b = own_parameter(*m.layer, "bias");
    for (std::size_t u = c * m.span; u < (c + 1) * m.span; ++u)
      if (!entry_masked(b, u)) return false;
    if (m.role == Role::normalizes) {
      if (!entry_masked(w, c)) return false;
      continue;
    }
    const std::size_t row = w->value.size() / w->value.dim(0);
    for (std::size_t e = c * m.span * row; e < (c + 1) * m.span * row; ++e)
      if (!entry_masked(w, e)) return false;
  }
  return true;
}

void mask_group_channels(const DependencyGroup& g, const std::vector<bool>& remove) {
  for (const GroupMember& m : g.members) {
    Parameter* w = own_parameter(*m.layer, "weight");
    const std::size_t out = w->value.dim(0), row = w->value.size() / out;
    if (m.role == Role::reads) {
      // The weight as (out, in, k): channel c is input features [c * fan_out, (c+1) * fan_out).
      const std::size_t in = w->value.dim(1), k = row / in, span = m.fan_out * k;
      edit_mask(w, [&](float* mk) {
        for (std::size_t c = 0; c < remove.size(); ++c)
          if (remove[c])
            for (std::size_t o = 0; o < out; ++o)
              std::fill_n(mk + (o * in + c * m.fan_out) * k, span, 0.0f);
      });
      continue;
    }
    // Writers' rows (gamma for a normalizer) and biases (beta), span of each per channel.
    const std::size_t span = m.span;
    edit_mask(w, [&](float* mk) {
      for (std::size_t c = 0; c < remove.size(); ++c)
        if (remove[c]) std::fill_n(mk + c * span * row, span * row, 0.0f);
    });
    edit_mask(own_parameter(*m.layer, "bias"), [&](float* mk) {
      for (std::size_t c = 0; c < remove.size(); ++c)
        if (remove[c]) std::fill_n(mk + c * span, span, 0.0f);
    });
  }
}

}  // namespace poda

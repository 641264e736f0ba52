#include "nn/module.h"

#include <stdexcept>

namespace poda {

namespace {
std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}
}  // namespace

std::vector<std::pair<std::string, Parameter*>> Module::named_parameters(
    const std::string& prefix) {
  std::vector<std::pair<std::string, Parameter*>> out;
  for (auto& [name, p] : params_) out.emplace_back(join(prefix, name), p.get());
  for (auto& [name, child] : children_)
    for (auto& entry : child->named_parameters(join(prefix, name))) out.push_back(entry);
  return out;
}

std::vector<std::pair<std::string, Array*>> Module::named_buffers(const std::string& prefix) {
  std::vector<std::pair<std::string, Array*>> out;
  for (auto& [name, b] : buffers_) out.emplace_back(join(prefix, name), b.get());
  for (auto& [name, child] : children_)
    for (auto& entry : child->named_buffers(join(prefix, name))) out.push_back(entry);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules(const std::string& prefix) {
  std::vector<std::pair<std::string, Module*>> out;
  for (auto& [name, child] : children_) {
    out.emplace_back(join(prefix, name), child.get());
    for (auto& entry : child->named_modules(join(prefix, name))) out.push_back(entry);
  }
  return out;
}

std::vector<Parameter*> Module::parameters() {
  std::vector<Parameter*> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

std::size_t Module::parameter_count() {
  std::size_t n = 0;
  for (Parameter* p : parameters()) n += p->value.size();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::set_observer(ForwardObserver* observer) {
  observer_ = observer;
  for (auto& [name, child] : children_) child->set_observer(observer);
}

void Module::zero_grad() {
  for (Parameter* p : parameters()) p->value.zero_grad();
}

Parameter& Module::register_parameter(const std::string& name, Array init, bool prunable) {
  for (auto& [existing, p] : params_)
    if (existing == name) throw std::logic_error("parameter registered twice: " + name);
  auto p = std::make_unique<Parameter>();
  p->value = Variable(std::move(init), true);
  p->prunable = prunable;
  params_.emplace_back(name, std::move(p));
  return *params_.back().second;
}

Array& Module::register_buffer(const std::string& name, Array init) {
  buffers_.emplace_back(name, std::make_unique<Array>(std::move(init)));
  return *buffers_.back().second;
}

}  // namespace poda

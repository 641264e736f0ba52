#pragma once
// A model is a list of layer specs: the zoo writes them in C++, users write them in YAML.
// Each layer type is registered by name with the keys it accepts and a builder, so a new
// layer type is one file and the config validation learns its keys from the registry.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/random.h"
#include "nn/init.h"
#include "nn/module.h"

namespace poda {

struct LayerSpec {
  std::string type;                            // "dense", "conv2d", "relu", ...
  std::string name;                            // parameter prefix; "" = position index
  std::map<std::string, double> numbers;       // out: 300, kernel: 5, ...
  std::map<std::string, std::string> strings;  // init: xavier_uniform, ...
  // Nested layer lists by key (KeyKind::layers), e.g. a residual block's "layers" and
  // "shortcut".
  std::map<std::string, std::vector<LayerSpec>> lists;
  std::string where;  // "file:line:col" of the spec, for errors

  double number(const std::string& key) const;  // throws naming the layer and key
  double number_or(const std::string& key, double fallback) const;
  std::size_t count(const std::string& key) const;  // a non-negative integer number
  std::size_t count_or(const std::string& key, std::size_t fallback) const;
  bool flag_or(const std::string& key, bool fallback) const;  // numbers 0/1
  // The nested list under `key`, or an empty list when absent.
  const std::vector<LayerSpec>& list_or_empty(const std::string& key) const;
};

struct BuildContext {
  Rng& rng;
  Init init;
};

// Builds the layer for a given per-sample input shape (without batch axis). Shape checks
// that the builder cannot do itself are left to the module's output_shape().
using LayerBuilder = std::function<ModulePtr(const LayerSpec&, const Shape& input, BuildContext&)>;

enum class KeyKind { count, number, flag, text, layers };

struct LayerType {
  std::map<std::string, KeyKind> keys;  // the keys the spec may carry besides type/name
  LayerBuilder build;
  std::string help;  // one line for `poda --help`-like listings
};

// The registry of layer types. Registering the same name twice throws.
void register_layer_type(const std::string& name, LayerType type);
const LayerType* find_layer_type(const std::string& name);
std::vector<std::string> layer_type_names();

// Helper for static registration in a layer's own file.
struct LayerTypeRegistrar {
  LayerTypeRegistrar(const std::string& name, LayerType type) {
    register_layer_type(name, std::move(type));
  }
};

}  // namespace poda

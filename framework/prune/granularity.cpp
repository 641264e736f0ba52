#include "prune/granularity.h"

#include <stdexcept>

namespace poda {

namespace {
const std::vector<std::pair<Granularity, std::string>>& table() {
  static const std::vector<std::pair<Granularity, std::string>> t{
      {Granularity::unstructured, "unstructured"},
      {Granularity::neuron, "neuron"},
      {Granularity::filter, "filter"},
      {Granularity::channel, "channel"},
      {Granularity::n_m, "n_m"},
      {Granularity::block, "block"},
      {Granularity::head, "head"}};
  return t;
}
}  // namespace

std::string granularity_help(Granularity g) {
  switch (g) {
    case Granularity::unstructured: return "single weights";
    case Granularity::neuron: return "a Dense output unit: its row, bias and BatchNorm channel";
    case Granularity::filter:
      return "a Conv output channel: its filter, bias and BatchNorm channel";
    case Granularity::channel: return "an input channel (Conv) or feature (Dense) in every unit";
    case Granularity::n_m: return "N kept in every M consecutive inputs: [n: 2], [m: 4]";
    case Granularity::block:
      return "r x c tiles of the (out, in*kH*kW) view: [block_rows: 1], [block_cols: 4]";
    case Granularity::head:
      return "an attention head: its rows of q, k, v and columns of out (score: the sum)";
  }
  return "";
}

Granularity parse_granularity(const std::string& name) {
  for (const auto& [g, n] : table())
    if (n == name) return g;
  std::string choices;
  for (const auto& [g, n] : table()) choices += (choices.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown granularity '" + name + "' (expected one of: " + choices +
                              ")");
}

std::string granularity_name(Granularity g) {
  for (const auto& [k, n] : table())
    if (k == g) return n;
  throw std::logic_error("granularity without a name");
}

std::vector<std::string> granularity_names() {
  std::vector<std::string> out;
  for (const auto& [g, n] : table()) out.push_back(n);
  return out;
}

}  // namespace poda

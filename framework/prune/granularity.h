#pragma once
// What a pruning decision removes at once. Criteria score, a granularity groups the scores
// into units and turns the chosen units into mask entries.
#include <string>
#include <vector>

namespace poda {

enum class Granularity {
  unstructured,  // single weights
  neuron,        // a Dense output unit: its weight row and bias
  filter,        // a Conv output channel: its weights, bias and following BatchNorm channel
  channel,       // an input channel (Conv) or input feature (Dense) across all output units
  n_m,           // exactly N kept in every group of M consecutive inputs
  block,         // tiles of the 2-D (out, in * kH * kW) weight view
  head           // an attention head: its rows of q, k, v and its columns of out
};

struct GranularitySpec {
  Granularity kind = Granularity::unstructured;
  int n = 2, m = 4;                    // n_m
  int block_rows = 1, block_cols = 4;  // block

  // Neuron and filter are the same operation on different layer types: an output unit; a
  // head is a span of output units of three layers (prune/dependency_groups.h).
  bool removes_output_units() const {
    return kind == Granularity::neuron || kind == Granularity::filter || kind == Granularity::head;
  }
  // Granularities whose target counts units rather than single weights.
  bool structured() const {
    return kind == Granularity::neuron || kind == Granularity::filter ||
           kind == Granularity::channel || kind == Granularity::block || kind == Granularity::head;
  }
};

Granularity parse_granularity(const std::string& name);  // throws listing the choices
std::string granularity_name(Granularity g);
std::vector<std::string> granularity_names();
std::string granularity_help(Granularity g);  // one line with its keys, for `poda list`

}  // namespace poda

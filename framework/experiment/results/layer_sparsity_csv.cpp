#include "experiment/results/layer_sparsity_csv.h"

#include <fmt/format.h>

#include "experiment/io/csv.h"

namespace poda {

void write_layer_sparsity_csv(const std::string& path, const SparsityReport& report,
                              const std::string& pruned_form,
                              const std::map<std::string, std::string>& forms) {
  CsvTable t;
  t.header = {"layer", "params", "nonzero", "sparsity", "units", "units_alive", "form"};
  for (const LayerSparsity& l : report.layers) {
    const auto chosen = forms.find(l.name);
    const std::string form = chosen != forms.end()                        ? chosen->second
                             : !pruned_form.empty() && l.nonzero < l.params ? pruned_form
                                                                            : "dense";
    t.rows.push_back({l.name, std::to_string(l.params), std::to_string(l.nonzero),
                      fmt::format("{:.6f}", l.sparsity()), std::to_string(l.units),
                      std::to_string(l.units_alive), form});
  }
  write_csv_file(path, t);
}

}  // namespace poda

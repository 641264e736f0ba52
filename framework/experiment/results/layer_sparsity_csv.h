#pragma once
// A run's layer_sparsity.csv: each prunable layer's size, survivors and form.
#include <map>
#include <string>

#include "prune/sparsity_report.h"

namespace poda {

// `forms`: each layer's form by name (a budget's choice). A layer not in it gets
// `pruned_form` where it lost weights (the run's granularity), else "dense".
void write_layer_sparsity_csv(const std::string& path, const SparsityReport& report,
                              const std::string& pruned_form,
                              const std::map<std::string, std::string>& forms);

}  // namespace poda

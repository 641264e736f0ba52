#pragma once
// How the report writes numbers and text into markdown table cells.
#include <string>

#include "experiment/report/run_groups.h"

namespace poda {

// v with `digits` decimals; "–" when it is not finite.
std::string fixed(double v, int digits);
// 1234567 -> "1.23M"; MAC counts span orders of magnitude.
std::string si(double v);
// "mean ± std", the std only from two values on: one run has none (not 0).
std::string mean_std(const Stat& s, int digits);
// Text safe inside a table cell: no line breaks, '|' escaped, never empty.
std::string cell(std::string s);

}  // namespace poda

#include "experiment/report/markdown_cells.h"

#include <cmath>
#include <cstdio>

namespace poda {

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

std::string si(double v) {
  if (!std::isfinite(v)) return "–";
  const char* suffix[] = {"", "k", "M", "G", "T"};
  int i = 0;
  while (std::fabs(v) >= 1000 && i < 4) {
    v /= 1000;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3g%s", v, suffix[i]);
  return buf;
}

std::string mean_std(const Stat& s, int digits) {
  if (s.n == 0) return "–";
  return fixed(s.mean, digits) + (s.n >= 2 ? " ± " + fixed(s.std, digits) : "");
}

std::string cell(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out.empty() ? " " : out;
}

}  // namespace poda

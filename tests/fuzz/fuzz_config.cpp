// libFuzzer target: an experiment file through everything `poda check` does before it
// lists the runs: YAML parse, duplicate keys, sweep expansion, and the parse and
// validation of every point (model shapes included). Any exception other than a
// ConfigError or SweepError escaping is a finding (poda would exit as an internal error).
#include <cstddef>
#include <cstdint>
#include <string>

#include "experiment/config/config.h"
#include "experiment/config/config_source.h"
#include "experiment/config/input_limits.h"
#include "experiment/config/sweep.h"

namespace {
// Fewer runs than poda allows, so that one input stays fast; the limit check is the same.
constexpr std::size_t kFuzzMaxRuns = 8;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > poda::kMaxConfigBytes) return 0;  // read_config_file refuses it before parsing
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.yaml";
  try {
    const YAML::Node root = poda::parse_config_text(text, file);
    if (!root || root.IsNull()) return 0;
    for (const poda::SweepPoint& p : poda::expand_sweep_source(text, file, kFuzzMaxRuns))
      poda::parse_experiment_config(p.config, file);
  } catch (const poda::ConfigError&) {
  } catch (const poda::SweepError&) {}
  return 0;
}

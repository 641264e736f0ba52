// libFuzzer target: the argument checks that run before any work, on any text: the fields of
// `poda bench` (zoo, --input, --sparsity, --granularity, --criterion, --batch, --seconds, one
// per line; numbers read as CLI11 reads them) and a --shard value. A UserError (exit code 2)
// or parse_shard's std::invalid_argument (a usage error) is the expected answer; anything
// else is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/bench.h"
#include "core/user_error.h"
#include "experiment/runner/run_plan.h"

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  out.resize(8);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> f = lines(std::string(reinterpret_cast<const char*>(data), size));
  poda::BenchOptions o;
  o.zoo = f[0];
  o.input = f[1];
  o.sparsity = std::strtod(f[2].c_str(), nullptr);
  if (!f[3].empty()) o.granularity = f[3];
  if (!f[4].empty()) o.criterion = f[4];
  o.batch_sizes.clear();
  std::stringstream batches(f[5]);
  for (std::string b; std::getline(batches, b, ',');)
    o.batch_sizes.push_back(static_cast<std::size_t>(std::strtoull(b.c_str(), nullptr, 10)));
  o.seconds = std::strtod(f[6].c_str(), nullptr);
  try {
    const poda::Shape input = poda::check_bench_options(o);
    if (input.empty() || poda::numel(input) == 0) __builtin_trap();  // checked means usable
  } catch (const poda::UserError&) {}
  try {
    poda::parse_shard(f[7]);
  } catch (const std::invalid_argument&) {}
  return 0;
}

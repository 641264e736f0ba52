// `poda bench`'s arguments, all checked before a model is built or a clock started: a value
// CLI11 lets through (NaN passes any range check) or a name only a deeper layer knows would
// otherwise surface late, as the wrong error or none.
#include <cmath>
#include <string>
#include <vector>

#include "cli/bench.h"
#include "core/user_error.h"
#include "infer/synthetic.h"
#include "nn/zoo.h"
#include "prune/criterion.h"
#include "prune/granularity.h"

namespace poda {
namespace {

// A batch of samples is at most this many floats (512 MiB): a larger one would only
// exhaust memory, and no timing needs it.
constexpr std::size_t kMaxBatchFloats = std::size_t{1} << 27;
constexpr double kMaxSeconds = 3600.0;

[[noreturn]] void fail(const std::string& option, const std::string& why) {
  throw UserError("poda bench: " + option + " " + why);
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void check_name(const std::string& option, const std::string& what, const std::string& value,
                const std::vector<std::string>& known) {
  for (const std::string& k : known)
    if (k == value) return;
  fail(option, "names no " + what + " '" + value + "' (known: " + listed(known) + ")");
}

Shape checked_input(const BenchOptions& o) {
  Shape input;
  try {
    input = parse_shape(o.input);
  } catch (const std::invalid_argument& e) {
    fail("--input", e.what());
  }
  std::size_t floats = 1;
  for (std::size_t d : input)
    if (d > kMaxBatchFloats || (floats *= d) > kMaxBatchFloats)
      fail("--input", "'" + o.input + "' is too large a sample");
  for (std::size_t b : o.batch_sizes) {
    if (b == 0) fail("--batch", "must be at least 1");
    if (b > kMaxBatchFloats / floats)
      fail("--batch", std::to_string(b) + " of " + o.input + " samples is too large a batch");
  }
  return input;
}

}  // namespace

Shape check_bench_options(const BenchOptions& o) {
  if (o.zoo.empty() && o.checkpoint.empty())
    fail("--zoo", "is required without a checkpoint (a self-describing checkpoint needs none)");
  if (!o.zoo.empty()) check_name("--zoo", "zoo model", o.zoo, zoo_model_names());
  if (o.checkpoint.empty()) {
    check_name("--granularity", "granularity", o.granularity, granularity_names());
    check_name("--criterion", "criterion", o.criterion, criterion_names());
    if (!std::isfinite(o.sparsity) || o.sparsity < 0.0 || o.sparsity >= 1.0)
      fail("--sparsity", "must be a number in [0, 1)");
  }
  if (!std::isfinite(o.seconds) || o.seconds <= 0.0 || o.seconds > kMaxSeconds)
    fail("--seconds",
         "must be a number of seconds in (0, " + std::to_string(int(kMaxSeconds)) + "]");
  if (o.batch_sizes.empty()) fail("--batch", "needs at least one batch size");
  return checked_input(o);
}

}  // namespace poda

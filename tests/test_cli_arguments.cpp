// Every subcommand checks its arguments before any work: a NaN, an infinity, a negative or
// huge value, an unknown name (answered with the known ones), a zero batch or a bad shape is
// exit code 2 with a message naming the option, never an internal error or a raw std::
// exception text, and nothing is timed or written.
#include <doctest/doctest.h>

#include "cli_process.h"
#include "temp_dir.h"

namespace {

struct BadArgs {
  std::vector<std::string> args;
  std::string message;
};

void check_refused(const std::vector<BadArgs>& cases, const poda_test::TempDir& dir) {
  for (const BadArgs& c : cases) {
    std::string line;
    for (const std::string& a : c.args) line += a + " ";
    CAPTURE(line);
    const auto r = poda_test::run_poda(c.args, dir.path, "args");
    CAPTURE(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.err.find("internal error") == std::string::npos);
    CHECK(r.err.find("std::") == std::string::npos);
    CHECK(r.err.find("bad_alloc") == std::string::npos);
    CHECK(r.out.find("median us") == std::string::npos);  // nothing was timed
  }
}

}  // namespace

TEST_CASE("poda bench: bad numbers are exit code 2 before any timing") {
  poda_test::TempDir dir("poda_args");
  const std::vector<std::string> bench = {"bench", "--zoo", "lenet300_100"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = bench;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  check_refused({{with({"--sparsity", "nan"}), "--sparsity must be a number in [0, 1)"},
                 {with({"--sparsity", "inf"}), "--sparsity"},
                 {with({"--sparsity", "1"}), "--sparsity must be a number in [0, 1)"},
                 {with({"--seconds", "-1"}), "--seconds must be a number of seconds"},
                 {with({"--seconds", "nan"}), "--seconds must be"},
                 {with({"--seconds", "inf"}), "--seconds must be"},
                 {with({"--seconds", "1e9"}), "--seconds must be"},
                 {with({"--batch", "0"}), "--batch must be at least 1"},
                 {with({"--batch", "100000000000"}), "too large a batch"},
                 {with({"--input", "1,x,28"}), "--input shape '1,x,28'"},
                 {with({"--input", "0,28,28"}), "--input"},
                 {with({"--input", "100000,100000,100000"}), "too large a sample"},
                 {with({"--input", "3,600,600"}), "poda bench --zoo lenet300_100"}},
                dir);
}

TEST_CASE("poda bench: unknown names list the known ones") {
  poda_test::TempDir dir("poda_args");
  check_refused({{{"bench", "--zoo", "lenet7"}, "--zoo names no zoo model 'lenet7' (known: "},
                 {{"bench", "--zoo", "lenet5", "--granularity", "rows"},
                  "--granularity names no granularity 'rows' (known: "},
                 {{"bench", "--zoo", "lenet5", "--criterion", "biggest"},
                  "--criterion names no criterion 'biggest' (known: "},
                 {{"bench", "--zoo", "lenet5", "--input", "1,4,4"}, "poda bench --zoo lenet5"}},
                dir);
  const auto r = poda_test::run_poda({"bench", "--zoo", "lenet7"}, dir.path, "zoo");
  CHECK(r.err.find("lenet300_100") != std::string::npos);  // the list names the zoo
}

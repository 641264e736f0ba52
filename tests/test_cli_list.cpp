// `poda list` prints the registries with their help lines and keys.
#include <doctest/doctest.h>

#include "cli_process.h"
#include "temp_dir.h"

TEST_CASE("cli: poda list shows criteria, granularities, schedules, layer types and zoo models") {
  poda_test::TempDir tmp("poda_cli_list");
  const poda_test::Finished all = poda_test::run_poda({"list"}, tmp.path, "all");
  REQUIRE(all.code == 0);
  for (const char* expected :
       {"criteria (prune.criterion):", "  wanda ", "  apoz ", "Sun et al. 2023", "granularities",
        "quantization schemes (quantize.kind):", "  int8 ", "  kmeans ",
        "  n_m ", "schedules (prune.schedule.kind):", "  lottery ", "rewind_step (count)",
        "random_reinit (flag)", "budget strategies (prune.budget.strategy):", "  lookup_table ",
        "layer types", "  conv2d ", "kernel (count)", "zoo models",
        "  lenet300_100 "}) {
    CAPTURE(expected);
    CHECK(all.out.find(expected) != std::string::npos);
  }
  const poda_test::Finished schedules =
      poda_test::run_poda({"list", "schedules"}, tmp.path, "schedules");
  CHECK(schedules.code == 0);
  CHECK(schedules.out.find("  gradual ") != std::string::npos);
  CHECK(schedules.out.find("criteria") == std::string::npos);
  const poda_test::Finished bad = poda_test::run_poda({"list", "criterion"}, tmp.path, "bad");
  CHECK(bad.code == 2);  // a usage error (README: exit codes)
  CHECK(bad.err.find("unknown list 'criterion' (expected one of: criteria, granularities") !=
        std::string::npos);
}

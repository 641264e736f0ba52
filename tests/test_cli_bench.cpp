// End to end: `poda bench` prints the three inference paths and each layer's kernel, for a
// zoo model with random masks and for a checkpoint (issue 10, item 6).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "cli_process.h"
#include "experiment/io/checkpoint.h"
#include "experiment/runner/model_checkpoint.h"
#include "infer/synthetic.h"
#include "temp_dir.h"

TEST_CASE("cli: poda bench on a zoo model with random masks") {
  poda_test::TempDir tmp("poda_cli_bench");
  const poda_test::Finished run =
      poda_test::run_poda({"bench", "--zoo", "lenet300_100", "--sparsity", "0.9", "--batch", "1",
                           "--batch", "8", "--seconds", "0.01", "--kernels", "scalar"},
                          tmp.path, "bench");
  INFO("stderr:\n" << run.err);
  REQUIRE(run.code == 0);
  for (const char* text : {"scalar kernels", "batch 1 ", "batch 8 ", "bytes", "90.00%",
                           "speed-up over dense at batch 8", "fc1", "Dense(784 -> 300)"})
    CHECK(run.out.find(text) != std::string::npos);
}

TEST_CASE("cli: poda bench on a checkpoint, and errors") {
  poda_test::TempDir tmp("poda_cli_bench");
  auto model = poda::synthetic_model("lenet5", {1, 28, 28}, 3);
  poda::prune_synthetic(*model, "magnitude", "filter", 0.5, 3);
  const std::string ckpt = (tmp.path / "final.ckpt").string();
  poda::save_checkpoint(ckpt, poda::model_to_checkpoint(*model));
  const poda_test::Finished run = poda_test::run_poda(
      {"bench", ckpt, "--zoo", "lenet5", "--batch", "4", "--seconds", "0.01"}, tmp.path, "ckpt");
  INFO("stderr:\n" << run.err);
  REQUIRE(run.code == 0);
  CHECK(run.out.find(ckpt) != std::string::npos);
  CHECK(run.out.find("3 / 6") != std::string::npos);  // conv1: half its filters left
  CHECK(run.out.find("conv2") != std::string::npos);

  const poda_test::Finished bad =
      poda_test::run_poda({"bench", "--zoo", "lenet7", "--seconds", "0.01"}, tmp.path, "bad");
  CHECK(bad.code != 0);
  CHECK(bad.err.find("no zoo model 'lenet7'") != std::string::npos);
}

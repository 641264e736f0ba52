#include <doctest/doctest.h>

#include <set>
#include <stdexcept>
#include <string>

#include <yaml-cpp/yaml.h>

#include "experiment/runner/run_plan.h"

namespace {

// 3 seeds x 4 sparsities: 12 runs, 3 pretraining groups (one per seed).
std::vector<poda::SweepPoint> seeds_by_sparsity() {
  return poda::expand_sweep(
      YAML::Load("seed: 0\nprune: {sparsity: 0.5}\n"
                 "sweep:\n  seed: [1, 2, 3]\n  prune.sparsity: [0.5, 0.8, 0.9, 0.95]\n"),
      "exp.yaml");
}

std::string seed_key(const poda::SweepPoint& p) {
  return "seed=" + p.config["seed"].as<std::string>();
}

}  // namespace

TEST_CASE("run plan: every point is validated and all errors are reported before anything runs") {
  auto points = seeds_by_sparsity();
  std::size_t calls = 0;
  auto validate = [&](const poda::SweepPoint& p) {
    ++calls;
    if (p.config["seed"].as<int>() == 2) throw std::runtime_error("exp.yaml:3:9: seed 2 is cursed");
    if (p.run_id == "seed=3_sparsity=0.95")
      throw std::runtime_error("exp.yaml:4:30: sparsity too high");
  };
  try {
    poda::make_run_plan(points, validate, seed_key);
    FAIL("expected RunPlanError");
  } catch (const poda::RunPlanError& e) {
    CHECK(calls == 12);
    REQUIRE(e.errors.size() == 5);
    CHECK(e.errors[0].run_id == "seed=2_sparsity=0.5");
    CHECK(std::string(e.what()) ==
          "seed=2_sparsity=0.5 (and 3 more runs): exp.yaml:3:9: seed 2 is cursed\n"
          "seed=3_sparsity=0.95: exp.yaml:4:30: sparsity too high");
  }
  // A throwing key function is an error of that point too.
  CHECK_THROWS_WITH_AS(poda::make_run_plan(points, nullptr,
                                           [](const poda::SweepPoint&) -> std::string {
                                             throw std::runtime_error("x.yaml:1:1: bad model");
                                           }),
                       "seed=1_sparsity=0.5 (and 11 more runs): x.yaml:1:1: bad model",
                       poda::RunPlanError);
}

TEST_CASE("run plan: the one run of an experiment without a sweep is not named in its error") {
  std::vector<poda::SweepPoint> single(1);
  single[0].run_id = poda::kSingleRunId;
  CHECK_THROWS_WITH_AS(
      poda::make_run_plan(
          single, [](const poda::SweepPoint&) { throw std::runtime_error("x.yaml:2:3: bad"); },
          nullptr),
      "x.yaml:2:3: bad", poda::RunPlanError);
}

TEST_CASE("run plan: runs sharing a pretraining key form one group, in sweep order") {
  auto plan = poda::make_run_plan(seeds_by_sparsity(), nullptr, seed_key);
  REQUIRE(plan.groups.size() == 3);
  for (std::size_t g = 0; g < 3; ++g) {
    CAPTURE(g);
    CHECK(plan.groups[g].key == "seed=" + std::to_string(g + 1));
    CHECK(plan.groups[g].runs == std::vector<std::size_t>{4 * g, 4 * g + 1, 4 * g + 2, 4 * g + 3});
    for (std::size_t i : plan.groups[g].runs) CHECK(plan.group_of[i] == g);
  }
  auto solo = poda::make_run_plan(seeds_by_sparsity(), nullptr, nullptr);
  CHECK(solo.groups.size() == 12);
  CHECK(solo.groups[5].key.empty());
  CHECK(solo.run_ids().at(5) == "seed=2_sparsity=0.8");
}

TEST_CASE("parse_shard accepts i/n with 0 <= i < n only") {
  CHECK(poda::parse_shard("0/4").index == 0);
  CHECK(poda::parse_shard("3/4").count == 4);
  for (const char* bad : {"4/4", "1/0", "-1/2", "1", "a/b", "1/2/3", "/2", "1/"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(poda::parse_shard(bad), std::invalid_argument);
  }
}

TEST_CASE("slices partition the runs exactly, and pretraining is where it is needed") {
  auto grouped = poda::make_run_plan(seeds_by_sparsity(), nullptr, seed_key);
  auto shared = poda::make_run_plan(seeds_by_sparsity(), nullptr, [](const poda::SweepPoint&) {
    return std::string("one dense model");
  });
  for (const poda::RunPlan* plan : {&grouped, &shared})
    for (bool synchronised : {false, true})
      for (int n = 1; n <= 7; ++n) {
        CAPTURE(plan->groups.size());
        CAPTURE(synchronised);
        CAPTURE(n);
        std::multiset<std::size_t> runs, pretrained;
        for (int i = 0; i < n; ++i) {
          auto work = poda::slice_work(*plan, {i, n}, synchronised);
          runs.insert(work.runs.begin(), work.runs.end());
          pretrained.insert(work.pretrain_groups.begin(), work.pretrain_groups.end());
          if (!synchronised) {
            // A shard pretrains exactly the groups of its runs.
            std::set<std::size_t> needed;
            for (std::size_t r : work.runs) needed.insert(plan->group_of[r]);
            CHECK(std::set<std::size_t>(work.pretrain_groups.begin(), work.pretrain_groups.end()) ==
                  needed);
          }
        }
        CHECK(runs.size() == 12);
        CHECK(std::set<std::size_t>(runs.begin(), runs.end()).size() == 12);
        if (synchronised) CHECK(pretrained.size() == plan->groups.size());  // each exactly once
      }
  // Enough groups: shards get whole groups, so no pretraining is duplicated.
  std::multiset<std::size_t> pretrained;
  for (int i = 0; i < 3; ++i) {
    auto work = poda::slice_work(grouped, {i, 3}, false);
    CHECK(work.runs.size() == 4);
    pretrained.insert(work.pretrain_groups.begin(), work.pretrain_groups.end());
  }
  CHECK(pretrained.size() == 3);
  // One shared group over 2 shards: split by run, both pretrain it.
  CHECK(poda::slice_work(shared, {1, 2}, false).runs ==
        std::vector<std::size_t>{1, 3, 5, 7, 9, 11});
}

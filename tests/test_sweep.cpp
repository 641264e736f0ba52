#include <doctest/doctest.h>

#include <set>
#include <string>

#include <yaml-cpp/yaml.h>

#include "experiment/config/sweep.h"

namespace {

std::vector<poda::SweepPoint> expand(const std::string& text) {
  return poda::expand_sweep(YAML::Load(text), "exp.yaml");
}

// The message of the SweepError that expanding `text` throws ("" if none).
std::string error_of(const std::string& text) {
  try {
    expand(text);
  } catch (const poda::SweepError& e) {
    return e.what();
  }
  return "";
}

const char* kBase =
    "name: demo\n"
    "seed: 0\n"
    "prune:\n"
    "  sparsity: 0.5\n"
    "  granularity: unstructured\n"
    "  schedule:\n"
    "    kind: one_shot\n";

}  // namespace

TEST_CASE("a document without sweep is one run with the document unchanged") {
  auto points = expand(kBase);
  REQUIRE(points.size() == 1);
  CHECK(points[0].run_id == poda::kSingleRunId);
  CHECK(points[0].swept.empty());
  CHECK(points[0].config["prune"]["sparsity"].as<double>() == 0.5);
}

TEST_CASE("cartesian sweep: counts, order, values, ids, and the base is not shared") {
  const std::string text = std::string(kBase) +
                           "sweep:\n"
                           "  prune.sparsity: [0.5, 0.9, 0.95]\n"
                           "  prune.schedule.kind: [one_shot, iterative]\n"
                           "  seed: [1, 2]\n";
  YAML::Node root = YAML::Load(text);
  auto points = poda::expand_sweep(root, "exp.yaml");
  REQUIRE(points.size() == 12);
  // First axis slowest, last fastest.
  CHECK(points[0].run_id == "sparsity=0.5_kind=one_shot_seed=1");
  CHECK(points[1].run_id == "sparsity=0.5_kind=one_shot_seed=2");
  CHECK(points[2].run_id == "sparsity=0.5_kind=iterative_seed=1");
  CHECK(points[11].run_id == "sparsity=0.95_kind=iterative_seed=2");
  std::set<std::string> ids;
  for (const auto& p : points) {
    CAPTURE(p.run_id);
    ids.insert(p.run_id);
    REQUIRE(p.swept.size() == 3);
    CHECK(p.swept[0].first == "prune.sparsity");
    CHECK(p.config["prune"]["sparsity"].as<std::string>() == p.swept[0].second);
    CHECK(p.config["prune"]["schedule"]["kind"].as<std::string>() == p.swept[1].second);
    CHECK(p.config["seed"].as<std::string>() == p.swept[2].second);
    CHECK_FALSE(p.config["sweep"].IsDefined());
    CHECK(p.config["prune"]["granularity"].as<std::string>() == "unstructured");
  }
  CHECK(ids.size() == 12);
  // Deep copies: editing one point touches neither the others nor the input.
  points[0].config["prune"]["granularity"] = "neuron";
  CHECK(points[1].config["prune"]["granularity"].as<std::string>() == "unstructured");
  CHECK(root["prune"]["granularity"].as<std::string>() == "unstructured");
  CHECK(root["sweep"].IsDefined());
  // Deterministic.
  auto again = poda::expand_sweep(root, "exp.yaml");
  for (std::size_t i = 0; i < points.size(); ++i) CHECK(again[i].run_id == points[i].run_id);
}

TEST_CASE("zip group varies together and combines with the other axes") {
  auto points = expand(std::string(kBase) +
                       "train: {epochs: 1, lr: 0.1}\n"
                       "sweep:\n"
                       "  zip:\n"
                       "    train.epochs: [5, 10, 20]\n"
                       "    train.lr: [0.1, 0.05, 0.01]\n"
                       "  seed: [7, 8]\n");
  REQUIRE(points.size() == 6);
  for (const auto& p : points) {
    CAPTURE(p.run_id);
    const int epochs = p.config["train"]["epochs"].as<int>();
    const double lr = p.config["train"]["lr"].as<double>();
    CHECK(((epochs == 5 && lr == 0.1) || (epochs == 10 && lr == 0.05) ||
           (epochs == 20 && lr == 0.01)));
  }
  CHECK(points[0].run_id == "epochs=5_lr=0.1_seed=7");
  CHECK(points[5].run_id == "epochs=20_lr=0.01_seed=8");
}

TEST_CASE("a missing last key is created — labels lengthen only to stay unique") {
  auto points = expand(std::string(kBase) +
                       "train: {schedule: {kind: cosine}}\n"
                       "sweep:\n"
                       "  prune.criterion: [magnitude, random]\n"
                       "  prune.schedule.kind: [one_shot]\n"
                       "  train.schedule.kind: [step]\n");
  REQUIRE(points.size() == 2);
  CHECK(points[1].config["prune"]["criterion"].as<std::string>() == "random");
  CHECK(points[1].run_id ==
        "criterion=random_prune.schedule.kind=one_shot_train.schedule.kind=step");
}

TEST_CASE("ids stay unique and filesystem-safe when values would sanitise alike") {
  auto points = expand(std::string(kBase) +
                       "sweep:\n"
                       "  prune.criterion: ['a/b', 'a b', [1, 2]]\n");
  REQUIRE(points.size() == 3);
  std::set<std::string> ids;
  for (const auto& p : points) {
    CAPTURE(p.run_id);
    ids.insert(p.run_id);
    CHECK(p.run_id.find('/') == std::string::npos);
    CHECK(p.run_id.find(' ') == std::string::npos);
  }
  CHECK(ids.size() == 3);
  CHECK(points[2].swept[0].second == "[1, 2]");
  CHECK(points[2].config["prune"]["criterion"].IsSequence());
}

TEST_CASE("sweep errors name file:line:col of the offending key or value") {
  SUBCASE("parent does not exist") {
    CHECK(error_of(std::string(kBase) + "sweep:\n  prune.schedul.kind: [a]\n") ==
          "exp.yaml:9:3: sweep key 'prune.schedul.kind': the config has no 'prune.schedul' (a "
          "sweep may only add the "
          "last key of a path)");
  }
  SUBCASE("path crosses a scalar") {
    CHECK(error_of(std::string(kBase) + "sweep:\n  seed: [1]\n  prune.sparsity.x: [1]\n") ==
          "exp.yaml:10:3: sweep key 'prune.sparsity.x' crosses 'prune.sparsity', which is a "
          "scalar, not a map");
  }
  SUBCASE("mismatched zip lengths") {
    CHECK(error_of(std::string(kBase) +
                   "sweep:\n  zip:\n    seed: [1, 2]\n    prune.sparsity: [0.1, 0.2, 0.3]\n") ==
          "exp.yaml:11:5: zip lists must have equal lengths: 'prune.sparsity' has 3 values, 'seed' "
          "has 2");
  }
  SUBCASE("value is not a list") {
    CHECK(error_of(std::string(kBase) + "sweep:\n  prune.sparsity: 0.9\n") ==
          "exp.yaml:9:19: sweep key 'prune.sparsity' must have a list of values, e.g. [0.5, 0.9], "
          "got a scalar");
  }
  SUBCASE("empty list") {
    CHECK(error_of(std::string(kBase) + "sweep:\n  seed: []\n") ==
          "exp.yaml:9:9: sweep key 'seed' has an empty list of values");
  }
  SUBCASE("malformed path") {
    CHECK(error_of(std::string(kBase) + "sweep:\n  prune..sparsity: [1]\n") ==
          "exp.yaml:9:3: sweep key 'prune..sparsity' is not a dotted path (expected e.g. "
          "prune.sparsity)");
  }
  SUBCASE("overlapping and repeated paths") {
    CHECK(error_of(std::string(kBase) +
                   "sweep:\n  prune.schedule: [x]\n  zip:\n    prune.schedule.kind: [a]\n") ==
          "exp.yaml:11:5: sweep keys 'prune.schedule' and 'prune.schedule.kind' overlap; sweep one "
          "or the other");
    CHECK(error_of(std::string(kBase) + "sweep:\n  seed: [1]\n  zip:\n    seed: [2]\n") ==
          "exp.yaml:11:5: sweep key 'seed' appears twice");
  }
  SUBCASE("sweep and zip must be maps; the document must be a map") {
    CHECK(error_of(std::string(kBase) + "sweep: [1, 2]\n") ==
          "exp.yaml:8:8: 'sweep' must be a map from dotted config paths to lists of values");
    CHECK(error_of(std::string(kBase) + "sweep:\n  zip: 3\n") ==
          "exp.yaml:9:8: 'zip' must be a map from dotted config paths to lists of equal length");
    CHECK(error_of("- a\n- b\n") ==
          "exp.yaml:1:1: an experiment document must be a map of sections (dataset, model, ...)");
  }
}

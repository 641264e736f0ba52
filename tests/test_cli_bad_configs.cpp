// The malformed-config corpus (issue 9): every file in tests/bad_inputs/configs/ fails
// `poda check` and `poda run` with exit code 2 (input error) before anything runs, with the
// message its first line promises ("# expect: ..."), at file:line:col unless it says
// "# position: none" (the error is about the whole file, e.g. an empty one).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

struct BadConfig {
  fs::path path;
  std::string expect;
  bool has_position = true;
};

std::vector<BadConfig> corpus() {
  std::vector<BadConfig> configs;
  for (const auto& entry :
       fs::directory_iterator(fs::path(poda_test::tests_dir()) / "bad_inputs" / "configs")) {
    BadConfig c;
    c.path = entry.path();
    const std::string text = poda_test::read_text(c.path);
    const std::string tag = "# expect: ";
    INFO(c.path.string() << " must start with '" << tag << "'");
    REQUIRE(text.rfind(tag, 0) == 0);
    c.expect = text.substr(tag.size(), text.find('\n') - tag.size());
    c.has_position = text.find("\n# position: none\n") == std::string::npos;
    configs.push_back(c);
  }
  std::sort(configs.begin(), configs.end(),
            [](const BadConfig& a, const BadConfig& b) { return a.path < b.path; });
  return configs;
}

// stderr names the file, and its line and column when the error has one.
bool names_the_place(const std::string& err, const BadConfig& c) {
  const std::string file = c.path.string();
  if (err.find(file) == std::string::npos) return false;
  if (!c.has_position) return true;
  const std::string escaped =
      std::regex_replace(file, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
  return std::regex_search(err, std::regex(escaped + R"(:\d+:\d+: )"));
}

}  // namespace

TEST_CASE("bad inputs: the malformed-config corpus holds at least 60 cases") {
  CHECK(corpus().size() >= 60);
}

TEST_CASE("bad inputs: poda check refuses every malformed config with exit 2 and its message") {
  poda_test::TempDir tmp("poda_bad_configs");
  for (const BadConfig& c : corpus()) {
    CAPTURE(c.path.filename().string());
    const poda_test::Finished f =
        poda_test::run_poda({"check", c.path.string()}, tmp.path, "check");
    INFO("stderr:\n" << f.err);
    CHECK(f.code == poda::kExitInputError);
    CHECK(f.err.find(c.expect) != std::string::npos);
    CHECK(f.err.find("poda: error: ") != std::string::npos);
    CHECK(names_the_place(f.err, c));
    CHECK(f.out.empty());
  }
}

TEST_CASE("bad inputs: poda run refuses every malformed config before anything runs") {
  poda_test::TempDir tmp("poda_bad_configs");
  const fs::path results = tmp.path / "results";
  for (const BadConfig& c : corpus()) {
    CAPTURE(c.path.filename().string());
    const poda_test::Finished f = poda_test::run_poda(
        {"run", c.path.string(), "--results", results.string()}, tmp.path, "run");
    INFO("stderr:\n" << f.err);
    CHECK(f.code == poda::kExitInputError);
    CHECK(f.err.find(c.expect) != std::string::npos);
    CHECK_FALSE(fs::exists(results));  // nothing written, not even config.yaml
  }
}

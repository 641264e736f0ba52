// SIGTERM or SIGINT to `poda run` (what a scheduler or Ctrl-C sends): before it dies of the
// signal, poda says how many runs had finished, where they are listed, and how to resume.
#include <doctest/doctest.h>

#include <csignal>
#include <regex>

#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST_CASE("interrupt: SIGTERM and SIGINT say which runs finished and how to resume") {
  for (const int sig : {SIGTERM, SIGINT}) {
    CAPTURE(sig);
    poda_test::TempDir tmp("poda_cli_interrupt");
    poda_test::write_text(tmp.path / "tiny.yaml",
                          poda_test::tiny_config("tiny", 4,
                                                 "  prune.sparsity: [0.5, 0.8]\n"
                                                 "  prune.schedule.kind: [one_shot, iterative]\n",
                                                 "", 256));
    const fs::path results = tmp.path / "results";
    const std::string log = (tmp.path / "run.log").string();
    poda_test::Child child({poda_test::poda_binary(), "run", (tmp.path / "tiny.yaml").string(),
                            "--results", results.string()},
                           log, log);
    REQUIRE(child.started());
    const bool one_done = poda_test::wait_until(
        [&] { return poda_test::read_text(log).find("(1/4 done") != std::string::npos; }, 120s);
    INFO("log:\n" << poda_test::read_text(log));
    REQUIRE(one_done);
    ::kill(child.pid(), sig);
    const std::optional<int> code = child.wait(30s);
    REQUIRE(code);
    CHECK(*code == -sig);  // it still dies of the signal, as a scheduler expects
    const std::string text = poda_test::read_text(log);
    const std::string name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
    CHECK(std::regex_search(text, std::regex("poda: interrupted \\(" + name +
                                             "\\): [1-4] of 4 runs finished \\(listed in ")));
    CHECK(text.find((results / "tiny" / "runs.csv").string() +
                    "); resume the others with: poda run " + (tmp.path / "tiny.yaml").string() +
                    " --results " + results.string()) != std::string::npos);
    CHECK(text.find("poda: interrupted") ==
          text.rfind("poda: interrupted"));  // once, not per worker
  }
}

#pragma once
// The subcommands behind `poda run | check | report`; main.cpp only parses arguments.
#include <string>

namespace poda {

struct RunOptions {
  std::string config;
  std::string results_root = "results";
  int threads = 0;  // 0 = as the file says
};

int command_run(const RunOptions& options);
int command_check(const std::string& config_path);

}  // namespace poda

#include "cli/commands.h"

#include <cstdio>

#include <fmt/format.h>

#include "experiment/atomic_file.h"
#include "experiment/config.h"
#include "experiment/csv.h"
#include "experiment/run_one.h"

namespace poda {

int command_check(const std::string& config_path) {
  const ExperimentConfig c = parse_experiment_config(load_yaml_file(config_path), config_path);
  fmt::print("{}: ok, experiment '{}', 1 run\n", config_path, c.name);
  return 0;
}

int command_run(const RunOptions& options) {
  ExperimentConfig c = parse_experiment_config(load_yaml_file(options.config), options.config);
  if (options.threads > 0) c.threads = options.threads;
  const std::string dir = options.results_root + "/" + c.name;
  const std::string run_id = "run";
  Progress progress;
  RunRow row = run_one(c, dir + "/runs/" + run_id, progress);
  row.insert(row.begin(), {"run_id", run_id});
  CsvTable table;
  table.rows.emplace_back();
  for (auto& [k, v] : row) {
    table.header.push_back(k);
    table.rows.back().push_back(v);
  }
  write_csv_file(dir + "/runs.csv", table);
  fmt::print("{}", to_csv(table));
  return 0;
}

}  // namespace poda

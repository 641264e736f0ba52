#pragma once
// experiment/results/: the results folder contract shared by the runner, which writes it,
// and the report, which reads it: the folder layout (this header) and the typed row of
// runs.csv (run_record.h).
//
// The results folder contract that users script against:
//
//   <root>/<name>/config.yaml               the experiment document as given
//   <root>/<name>/runs.csv                  one row per finished run, columns = union
//   <root>/<name>/runs/<run_id>/            everything a run writes
//   <root>/<name>/runs/<run_id>/result.csv  one-row CSV, written atomically as the run's
//                                           last act: its presence means "finished"
//   <root>/<name>/pretrain/<hash of key>/   a dense pretraining shared by several runs
//
// runs.csv is never appended to: it is regenerated from the result files with an
// atomic rename, so a kill -9 at any moment leaves either the old or the new file,
// and a re-run knows exactly which runs are done from the result files alone.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "experiment/io/csv.h"
#include "experiment/results/run_record.h"

namespace poda {

class ResultsStore {
 public:
  // `name` must be a plain folder name (no '/', not "." or ".."): std::invalid_argument otherwise.
  ResultsStore(const std::string& root_dir, const std::string& name);

  const std::string& dir() const { return dir_; }
  std::string runs_csv_path() const { return dir_ + "/runs.csv"; }
  std::string result_path(const std::string& run_id) const;

  // Writes config.yaml atomically.
  void write_config(const std::string& yaml_text) const;

  // runs/<run_id>, created if missing.
  std::string run_dir(const std::string& run_id) const;

  // The run's folder, emptied first: a run that starts again must not append to the
  // files of an attempt that was killed (or failed) before recording its result.
  std::string fresh_run_dir(const std::string& run_id) const;

  // pretrain/<stable hash of key>, created if missing; the key is saved beside it
  // (key.txt) so a folder can be traced back to its settings.
  std::string pretrain_dir(const std::string& pretrain_key) const;

  // The run's result row, or nullopt when the run is unfinished (no result file, or
  // one that does not parse as a one-row CSV with a status column).
  std::optional<CsvTable> read_result(const std::string& run_id) const;

  // Finished = has a result. A failed run counts as finished (it is reported, not
  // retried) unless retry_failed.
  bool is_finished(const std::string& run_id, bool retry_failed = false) const;

  // Writes runs/<run_id>/result.csv atomically with run_id as the first column
  // (added if `row` lacks it) and `row` after it. A row without status gets
  // status=ok. std::invalid_argument on a repeated column or a different run_id.
  void record(const std::string& run_id, const RunRow& row) const;

  // Rewrites runs.csv atomically from the result files of `run_order`'s finished
  // runs, in that order, under the union of their columns. Returns the row count.
  std::size_t rebuild_runs_csv(const std::vector<std::string>& run_order) const;

  // Ids of all runs/<id> with a readable result, sorted: for merging shards when
  // the sweep itself is not at hand.
  std::vector<std::string> finished_run_ids() const;

 private:
  std::string dir_;
};

}  // namespace poda

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
//                                           last act: its presence means "finished"; its
//                                           last columns are checksums (below)
//   <root>/<name>/pretrain/<hash of key>/   a dense pretraining shared by several runs
//
// A result file ends with two columns that runs.csv never shows: final_ckpt_crc32, the
// CRC-32 of the run's final.ckpt (empty when the run saved none), and result_crc32, the CRC-32
// of the CSV text of every column before it. A result whose row or final.ckpt fails its check
// is not finished: the run is done again rather than trusted.
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

  // The run's result row without its checksum columns, or nullopt when the run is
  // unfinished (no result file, or one that does not parse as a one-row CSV with a status
  // column and a matching result_crc32). final.ckpt is not read here: see result_problem.
  std::optional<CsvTable> read_result(const std::string& run_id) const;

  // Why the run's result cannot be trusted: "" when it can (row and final.ckpt pass their
  // checks), "no result" when the run never finished, else what is wrong, naming the file.
  std::string result_problem(const std::string& run_id) const;

  // Finished = has a result that passes its checks (result_problem). A failed run counts as
  // finished (it is reported, not retried) unless retry_failed.
  bool is_finished(const std::string& run_id, bool retry_failed = false) const;

  // Writes runs/<run_id>/result.csv atomically with run_id as the first column
  // (added if `row` lacks it), `row` after it, then the checksum columns (of final.ckpt
  // when the run folder has one). A row without status gets status=ok. std::invalid_argument on a repeated column or a different run_id.
  void record(const std::string& run_id, const RunRow& row) const;

  // Rewrites runs.csv atomically from the result files of `run_order`'s finished
  // runs, in that order, under the union of their columns. Returns the row count. A run whose
  // result or final.ckpt fails its checks (result_problem) is left out.
  std::size_t rebuild_runs_csv(const std::vector<std::string>& run_order) const;

  // Ids of all runs/<id> with a result file that fails its checks, each with the problem:
  // what `poda report` lists rather than silently dropping. Sorted by id.
  std::vector<std::pair<std::string, std::string>> unreadable_runs() const;

  // The finished runs/<id> that `run_order` does not list, sorted: runs of an earlier sweep
  // under the same name, kept on disk but out of this sweep's runs.csv.
  std::vector<std::string> runs_outside(const std::vector<std::string>& run_order) const;

  // Ids of all runs/<id> with a readable result, sorted: for merging shards when
  // the sweep itself is not at hand.
  std::vector<std::string> finished_run_ids() const;

 private:
  std::string dir_;
};

}  // namespace poda

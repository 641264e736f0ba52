#include "experiment/results/results_store.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "experiment/config/sweep.h"
#include "experiment/io/atomic_file.h"
#include "experiment/io/checksum.h"

namespace poda {
namespace {

namespace fs = std::filesystem;

void check_plain_name(const std::string& what, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos)
    throw std::invalid_argument(what + " '" + name +
                                "' must be a plain folder name (no '/', not '.' or '..')");
}

std::string make_dir(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw FileWriteError("cannot create folder '" + path + "': " + ec.message());
  return path;
}

constexpr const char* kCkptCrc = "final_ckpt_crc32";
constexpr const char* kResultCrc = "result_crc32";

// A result file's row without its checksum columns, or why it cannot be used.
struct CheckedResult {
  std::optional<CsvTable> table;
  std::string problem;
  std::string ckpt_crc;  // final.ckpt's recorded CRC-32, "" when the run saved none
};

CheckedResult check_result_file(const std::string& path) {
  CheckedResult r;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    r.problem = "no result";
    return r;
  }
  CsvTable t;
  try {
    t = read_csv_file(path);
  } catch (const std::exception& e) {
    r.problem = e.what();  // torn or not CSV: the run did not finish cleanly
    return r;
  }
  const std::size_t n = t.header.size();
  if (t.rows.size() != 1 || n < 2 || t.header[n - 2] != kCkptCrc || t.header[n - 1] != kResultCrc) {
    r.problem = path + ": not a one-row result ending in its checksum columns";
    return r;
  }
  const std::string row_crc = t.rows[0][n - 1];
  t.header.pop_back();
  t.rows[0].pop_back();
  if (crc32_hex(to_csv(t)) != row_crc) {
    r.problem = path + ": the row does not match its result_crc32 (changed or damaged)";
    return r;
  }
  r.ckpt_crc = t.rows[0][n - 2];
  t.header.pop_back();
  t.rows[0].pop_back();
  if (!find_column(t, "status")) {
    r.problem = path + ": no status column";
    return r;
  }
  r.table = std::move(t);
  return r;
}

}  // namespace

ResultsStore::ResultsStore(const std::string& root_dir, const std::string& name) {
  check_plain_name("experiment name", name);
  dir_ = (root_dir.empty() ? std::string(".") : root_dir) + "/" + name;
}

std::string ResultsStore::result_path(const std::string& run_id) const {
  check_plain_name("run id", run_id);
  return dir_ + "/runs/" + run_id + "/result.csv";
}

void ResultsStore::write_config(const std::string& yaml_text) const {
  write_file_atomically(dir_ + "/config.yaml", yaml_text);
}

std::string ResultsStore::run_dir(const std::string& run_id) const {
  check_plain_name("run id", run_id);
  return make_dir(dir_ + "/runs/" + run_id);
}

std::string ResultsStore::fresh_run_dir(const std::string& run_id) const {
  check_plain_name("run id", run_id);
  const std::string dir = dir_ + "/runs/" + run_id;
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) throw FileWriteError("cannot empty folder '" + dir + "': " + ec.message());
  return make_dir(dir);
}

std::string ResultsStore::pretrain_dir(const std::string& pretrain_key) const {
  const std::string dir = make_dir(dir_ + "/pretrain/" + stable_hash_hex(pretrain_key));
  const std::string key_file = dir + "/key.txt";
  std::error_code ec;
  if (!fs::exists(key_file, ec)) write_file_atomically(key_file, pretrain_key + "\n");
  return dir;
}

std::optional<CsvTable> ResultsStore::read_result(const std::string& run_id) const {
  return check_result_file(result_path(run_id)).table;
}

std::string ResultsStore::result_problem(const std::string& run_id) const {
  CheckedResult r = check_result_file(result_path(run_id));
  if (!r.table || r.ckpt_crc.empty()) return r.problem;
  const std::string ckpt = dir_ + "/runs/" + run_id + "/final.ckpt";
  std::error_code ec;
  if (!fs::is_regular_file(ckpt, ec)) return ckpt + ": missing, yet its result.csv names it";
  std::string actual;
  try {
    actual = crc32_hex(read_file(ckpt));
  } catch (const FileWriteError& e) {
    return e.what();
  }
  if (actual != r.ckpt_crc)
    return ckpt + ": CRC-32 " + actual + " differs from the " + r.ckpt_crc +
           " its result.csv recorded (changed or damaged)";
  return "";
}

bool ResultsStore::is_finished(const std::string& run_id, bool retry_failed) const {
  auto result = read_result(run_id);
  if (!result || !result_problem(run_id).empty()) return false;
  if (!retry_failed) return true;
  return result->rows[0][*find_column(*result, "status")] != "failed";
}

void ResultsStore::record(const std::string& run_id, const RunRow& row) const {
  CsvTable table;
  std::set<std::string> seen;
  auto add = [&](const std::string& column, const std::string& value) {
    if (!seen.insert(column).second)
      throw std::invalid_argument("run '" + run_id + "': result column '" + column +
                                  "' appears twice");
    table.header.push_back(column);
    if (table.rows.empty()) table.rows.emplace_back();
    table.rows[0].push_back(value);
  };
  add("run_id", run_id);
  bool has_status = false;
  for (const auto& [column, value] : row) {
    if (column == "run_id") {
      if (value != run_id)
        throw std::invalid_argument("run '" + run_id + "': result row names run_id '" + value +
                                    "'");
      continue;
    }
    has_status = has_status || column == "status";
    add(column, value);
  }
  if (!has_status) add("status", "ok");
  const std::string ckpt = dir_ + "/runs/" + run_id + "/final.ckpt";
  std::error_code ec;
  add(kCkptCrc, fs::is_regular_file(ckpt, ec) ? crc32_hex(read_file(ckpt)) : "");
  const std::string row_crc = crc32_hex(to_csv(table));
  add(kResultCrc, row_crc);
  write_csv_file(result_path(run_id), table);
}

std::size_t ResultsStore::rebuild_runs_csv(const std::vector<std::string>& run_order) const {
  CsvTable all;
  for (const auto& id : run_order)
    if (auto result = read_result(id); result && result_problem(id).empty())
      all = merge_tables(all, *result);
  if (all.header.empty()) all.header = {"run_id", "status"};  // no run yet: still a table
  write_csv_file(runs_csv_path(), all);
  return all.rows.size();
}

std::vector<std::pair<std::string, std::string>> ResultsStore::unreadable_runs() const {
  std::vector<std::pair<std::string, std::string>> runs;
  std::error_code ec;
  for (fs::directory_iterator it(dir_ + "/runs", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string id = it->path().filename().string();
    if (!it->is_directory(ec) || !fs::exists(result_path(id), ec)) continue;
    const std::string problem = result_problem(id);
    if (!problem.empty()) runs.emplace_back(id, problem);
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

std::vector<std::string> ResultsStore::runs_outside(
    const std::vector<std::string>& run_order) const {
  const std::set<std::string> listed(run_order.begin(), run_order.end());
  std::vector<std::string> others;
  for (const std::string& id : finished_run_ids())
    if (!listed.count(id)) others.push_back(id);
  return others;
}

std::vector<std::string> ResultsStore::finished_run_ids() const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (fs::directory_iterator it(dir_ + "/runs", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string id = it->path().filename().string();
    if (it->is_directory(ec) && read_result(id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace poda

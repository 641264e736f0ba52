#include "experiment/config/sweep.h"

#include <functional>

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "experiment/config/input_limits.h"

namespace poda {
namespace {

[[noreturn]] void fail(const std::string& file, const YAML::Mark& mark,
                       const std::string& message) {
  throw SweepError(yaml_location(file, mark) + ": " + message);
}

const char* kind_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Scalar: return "scalar";
    case YAML::NodeType::Sequence: return "list";
    case YAML::NodeType::Map: return "map";
    default: return "missing value";
  }
}

// One swept path: where it was written and the values it takes.
struct SweptPath {
  bool zipped = false;  // written under sweep.zip
  std::string path;
  std::vector<std::string> segments;
  YAML::Mark mark;
  std::vector<YAML::Node> values;
};

// An axis of the product: one plain key, or the whole zip group.
struct Axis {
  std::vector<SweptPath> paths;
  std::size_t size() const { return paths.front().values.size(); }
};

std::vector<std::string> split_path(const std::string& path, const std::string& file,
                                    const YAML::Mark& mark) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    std::string segment =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (segment.empty())
      fail(file, mark,
           "sweep key '" + path + "' is not a dotted path (expected e.g. prune.sparsity)");
    segments.push_back(segment);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segments;
}

std::string prefix(const std::vector<std::string>& segments, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += (i ? "." : "") + segments[i];
  return out;
}

// Checks that every parent of the leaf exists and is a map. Recursion with a fresh
// const Node per level: reassigning a yaml-cpp Node would rebind shared storage.
void check_path_from(const YAML::Node& node, const SweptPath& swept, std::size_t depth,
                     const std::string& file) {
  if (!node.IsMap()) {
    const std::string parent =
        depth == 0 ? "the document" : "'" + prefix(swept.segments, depth) + "'";
    fail(file, swept.mark,
         "sweep key '" + swept.path + "' crosses " + parent + ", which is a " + kind_name(node) +
             ", not a map");
  }
  if (depth + 1 == swept.segments.size()) return;  // a missing last key may be created
  const YAML::Node child = node[swept.segments[depth]];
  if (!child.IsDefined())
    fail(file, swept.mark,
         "sweep key '" + swept.path + "': the config has no '" + prefix(swept.segments, depth + 1) +
             "' (a sweep may only add the last key of a path)");
  check_path_from(child, swept, depth + 1, file);
}

// `value` is a node of the same document (its sweep block), so sharing it keeps its mark.
void set_path_from(YAML::Node node, const std::vector<std::string>& segments, std::size_t depth,
                   const YAML::Node& value) {
  if (depth + 1 == segments.size()) {
    node[segments[depth]] = value;
    return;
  }
  YAML::Node child = node[segments[depth]];
  set_path_from(child, segments, depth + 1, value);
}

SweptPath read_swept_path(const YAML::Node& key, const YAML::Node& values,
                          const std::string& file) {
  if (!key.IsScalar())
    fail(file, key.Mark(),
         "a sweep key must be a dotted config path, got a " + std::string(kind_name(key)));
  SweptPath swept;
  swept.path = key.Scalar();
  swept.mark = key.Mark();
  swept.segments = split_path(swept.path, file, swept.mark);
  if (!values.IsSequence())
    fail(file, values.Mark(),
         "sweep key '" + swept.path + "' must have a list of values, e.g. [0.5, 0.9], got a " +
             kind_name(values));
  if (values.size() == 0)
    fail(file, values.Mark(), "sweep key '" + swept.path + "' has an empty list of values");
  for (const auto& v : values) swept.values.push_back(v);
  return swept;
}

Axis read_zip(const YAML::Node& zip, const YAML::Mark& zip_mark, const std::string& file) {
  if (!zip.IsMap() || zip.size() == 0)
    fail(file, zip.IsDefined() ? zip.Mark() : zip_mark,
         "'zip' must be a map from dotted config paths to lists of equal length");
  Axis axis;
  for (const auto& kv : zip) {
    axis.paths.push_back(read_swept_path(kv.first, kv.second, file));
    axis.paths.back().zipped = true;
    const SweptPath& first = axis.paths.front();
    const SweptPath& last = axis.paths.back();
    if (last.values.size() != first.values.size())
      fail(file, last.mark,
           "zip lists must have equal lengths: '" + last.path + "' has " +
               std::to_string(last.values.size()) + " values, '" + first.path + "' has " +
               std::to_string(first.values.size()));
  }
  return axis;
}

bool is_prefix_path(const std::string& a, const std::string& b) {  // a is a strict ancestor of b
  return b.size() > a.size() && b.compare(0, a.size(), a) == 0 && b[a.size()] == '.';
}

std::string value_text(const YAML::Node& value) {
  if (value.IsScalar()) return value.Scalar();
  if (value.IsNull()) return "null";
  YAML::Emitter out;
  out << YAML::Flow << value;
  return out.c_str();
}

// Keeps run ids safe as folder names and in shells: letters, digits and . _ + -
std::string filesystem_safe(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '+' || c == '-';
    out += ok ? c : '-';
  }
  return out;
}

// The shortest suffix of each path's segments that no other swept path shares,
// so ids read "kind=iterative" rather than "prune.schedule.kind=iterative".
std::vector<std::string> short_labels(const std::vector<const SweptPath*>& paths) {
  std::vector<std::string> labels;
  for (const SweptPath* p : paths) {
    std::string label;
    for (std::size_t n = 1; n <= p->segments.size(); ++n) {
      label = prefix(std::vector<std::string>(p->segments.end() - n, p->segments.end()), n);
      bool unique = true;
      for (const SweptPath* q : paths) {
        if (q == p || q->segments.size() < n) continue;
        std::string other =
            prefix(std::vector<std::string>(q->segments.end() - n, q->segments.end()), n);
        if (other == label) unique = false;
      }
      if (unique) break;
    }
    labels.push_back(filesystem_safe(label));
  }
  return labels;
}

}  // namespace

std::string yaml_location(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string stable_hash_hex(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

// The number of points, counted before anything is expanded and without overflowing
// (64 axes of 2 values wrap a 64-bit product to 0).
std::size_t count_runs(const std::vector<Axis>& axes, std::size_t max_runs, const std::string& file,
                       const YAML::Mark& mark) {
  std::size_t total = 1;
  std::string sizes;
  for (const Axis& axis : axes) sizes += (sizes.empty() ? "" : " x ") + std::to_string(axis.size());
  for (const Axis& axis : axes) {
    const std::optional<std::size_t> product = product_within(total, axis.size(), max_runs);
    if (!product)
      fail(file, mark,
           "the sweep expands to more than " + std::to_string(max_runs) + " runs (" + sizes +
               "); split it into several files, or raise the limit with --max-runs");
    total = *product;
  }
  return total;
}

// The value a swept path takes at `index`, read from `doc`'s own sweep block.
YAML::Node swept_value(const YAML::Node& doc, const SweptPath& p, std::size_t index) {
  const YAML::Node block = doc["sweep"];
  const YAML::Node list = p.zipped ? YAML::Node(block["zip"][p.path]) : YAML::Node(block[p.path]);
  return list[index];
}

std::vector<Axis> read_axes(const YAML::Node& sweep, const std::string& file) {
  std::vector<Axis> axes;
  bool have_zip = false;
  for (const auto& kv : sweep) {
    if (kv.first.IsScalar() && kv.first.Scalar() == "zip") {
      if (have_zip) fail(file, kv.first.Mark(), "a sweep has at most one 'zip' group");
      have_zip = true;
      axes.push_back(read_zip(kv.second, kv.first.Mark(), file));
    } else {
      axes.push_back(Axis{{read_swept_path(kv.first, kv.second, file)}});
    }
  }
  return axes;
}

// Every swept path, checked against the others and against the document without its sweep.
std::vector<const SweptPath*> checked_paths(const std::vector<Axis>& axes, const YAML::Node& base,
                                            const std::string& file) {
  std::vector<const SweptPath*> all_paths;
  for (const Axis& axis : axes)
    for (const SweptPath& p : axis.paths) {
      for (const SweptPath* seen : all_paths) {
        if (seen->path == p.path) fail(file, p.mark, "sweep key '" + p.path + "' appears twice");
        if (is_prefix_path(seen->path, p.path) || is_prefix_path(p.path, seen->path))
          fail(file, p.mark,
               "sweep keys '" + seen->path + "' and '" + p.path +
                   "' overlap; sweep one or the other");
      }
      check_path_from(base, p, 0, file);
      all_paths.push_back(&p);
    }
  return all_paths;
}

// The point where axis a takes its value choice[a]; `canonical` gets its unsanitised
// "path=value" lines, to break id collisions.
SweepPoint make_point(const std::vector<Axis>& axes, const std::vector<std::size_t>& choice,
                      const std::vector<std::string>& labels,
                      const std::function<YAML::Node()>& fresh_document, std::string& canonical) {
  SweepPoint point;
  point.config = fresh_document();  // an independent tree per point
  std::size_t label = 0;
  for (std::size_t a = 0; a < axes.size(); ++a)
    for (const SweptPath& p : axes[a].paths) {
      const YAML::Node& value = p.values[choice[a]];
      set_path_from(point.config, p.segments, 0, swept_value(point.config, p, choice[a]));
      const std::string text = value_text(value);
      point.swept.emplace_back(p.path, text);
      point.run_id +=
          (point.run_id.empty() ? "" : "_") + labels[label++] + "=" + filesystem_safe(text);
      canonical += p.path + "=" + text + "\n";
    }
  point.config.remove("sweep");
  return point;
}

// Sanitising can merge distinct values ("a/b", "a-b") and ids must fit a file name: such
// ids get a hash of their exact values, which keeps them deterministic.
void make_ids_unique(std::vector<SweepPoint>& points, const std::vector<std::string>& canonical) {
  std::map<std::string, int> count;
  for (const auto& p : points) ++count[p.run_id];
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::string& id = points[i].run_id;
    if (count[id] > 1 || id.size() > 160)
      id = id.substr(0, 140) + "_h" + stable_hash_hex(canonical[i]).substr(0, 12);
  }
}

std::vector<SweepPoint> expand(const YAML::Node& root, const std::string& file,
                               const std::function<YAML::Node()>& fresh_document,
                               std::size_t max_runs) {
  if (!root.IsMap())
    fail(file, root.Mark(),
         "an experiment document must be a map of sections (dataset, model, ...)");
  YAML::Node base = YAML::Clone(root);
  base.remove("sweep");
  const YAML::Node sweep = root["sweep"];
  if (!sweep.IsDefined()) return {SweepPoint{kSingleRunId, fresh_document(), {}}};
  if (!sweep.IsMap() || sweep.size() == 0)
    fail(file, sweep.Mark(), "'sweep' must be a map from dotted config paths to lists of values");
  const std::vector<Axis> axes = read_axes(sweep, file);
  const std::vector<std::string> labels = short_labels(checked_paths(axes, base, file));

  const std::size_t total = count_runs(axes, max_runs, file, sweep.Mark());
  std::vector<SweepPoint> points;
  std::vector<std::string> canonical(total);
  std::vector<std::size_t> choice(axes.size(), 0);
  for (std::size_t n = 0; n < total; ++n) {
    // Mixed-radix decomposition of n, the last axis varying fastest.
    std::size_t rest = n;
    for (std::size_t a = axes.size(); a-- > 0;) {
      choice[a] = rest % axes[a].size();
      rest /= axes[a].size();
    }
    points.push_back(make_point(axes, choice, labels, fresh_document, canonical[n]));
  }
  make_ids_unique(points, canonical);
  return points;
}

}  // namespace

std::vector<SweepPoint> expand_sweep(const YAML::Node& root, const std::string& file,
                                     std::size_t max_runs) {
  return expand(
      root, file, [&root] { return YAML::Clone(root); }, max_runs);
}

std::vector<SweepPoint> expand_sweep_source(const std::string& text, const std::string& file,
                                            std::size_t max_runs) {
  // Parsing the text again for every point gives each its own tree with the file's marks,
  // so a config error found in any point points at its line and column.
  const YAML::Node root = YAML::Load(text);
  return expand(
      root, file, [&text] { return YAML::Load(text); }, max_runs);
}

}  // namespace poda

// Every input error of poda derives from the one UserError (core/user_error.h), which
// cli/main.cpp catches once and turns into its exit code (2, README "Exit codes").
#include <doctest/doctest.h>

#include <type_traits>

#include "cli/plugins.h"
#include "core/user_error.h"
#include "data/data_error.h"
#include "experiment/config/sweep.h"
#include "experiment/io/checkpoint.h"
#include "experiment/io/output_file.h"
#include "experiment/io/yaml_reader.h"
#include "experiment/runner/run_plan.h"
#include "interop/onnx_model.h"

using namespace poda;

namespace {

template <class Error>
int exit_code_of(const std::string& message) {
  static_assert(std::is_base_of_v<UserError, Error>, "an input error must derive from UserError");
  try {
    throw Error(message);
  } catch (const UserError& e) {
    CHECK(std::string(e.what()) == message);
    return e.exit_code();
  }
}

}  // namespace

TEST_CASE("user errors: every input error type is a UserError with exit code 2") {
  CHECK(exit_code_of<ConfigError>("config") == kExitInputError);
  CHECK(exit_code_of<SweepError>("sweep") == kExitInputError);
  CHECK(exit_code_of<DataError>("data") == kExitInputError);
  CHECK(exit_code_of<CheckpointError>("checkpoint") == kExitInputError);
  CHECK(exit_code_of<PluginError>("plug-in") == kExitInputError);
  CHECK(exit_code_of<OnnxError>("onnx") == kExitInputError);
  CHECK(exit_code_of<OutputPathError>("output") == kExitInputError);
  static_assert(std::is_base_of_v<UserError, RunPlanError>);
  const RunPlanError plan({PointError{"run_a", "bad value"}});
  CHECK(plan.exit_code() == kExitInputError);
}

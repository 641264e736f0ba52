#pragma once
// The one exception type of the data layer: every message starts with the file (or folder)
// it is about and says what is wrong, so a user can fix the input without a debugger.
#include <stdexcept>

namespace poda {

struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace poda

#pragma once
// The one exception type of the data layer: every message starts with the file (or folder)
// it is about and says what is wrong, so a user can fix the input without a debugger.
#include <stdexcept>

#include "core/user_error.h"

namespace poda {

struct DataError : UserError {
  using UserError::UserError;
};

}  // namespace poda

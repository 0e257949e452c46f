// ProgbarLogger: fit draws Keras's progress bar itself when verbose is 1 or
// 2; this callback only says where it (and every callback message) goes.
#pragma once

#include <iostream>
#include <ostream>

#include "ketl/callback.hpp"

namespace ketl::callbacks {

struct ProgbarLogger {
  // Data-parallel training: rank 0 alone writes (callback.hpp).
  static constexpr bool rank_zero_only = true;
  std::ostream* out = &std::cerr;
  void set_model(ModelHandle& m) { m.set_output(*out); }
};

}  // namespace ketl::callbacks

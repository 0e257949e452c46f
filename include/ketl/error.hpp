// The exceptions ketl throws. All derive from ketl::error, so one catch
// handles every ketl failure; the subclasses say what kind it was.
#pragma once

#include <stdexcept>
#include <string>

namespace ketl {

struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Data whose shape does not fit the model, loss or metric (Keras's ValueError
// "Error when checking input: ...").
struct shape_error : error {
  using error::error;
};

// An argument outside its domain: an unknown name, a bad rate, an empty batch.
struct value_error : error {
  using error::error;
};

// A file that is missing, unreadable, truncated or corrupt.
struct io_error : error {
  using error::error;
};

// The model was used before compile().
struct not_compiled_error : error {
  using error::error;
};

}  // namespace ketl

// Options of fit, evaluate and predict: aggregates for designated
// initializers, with Keras's names, defaults and argument order.
#pragma once

#include <cstddef>

namespace ketl {

struct FitOptions {
  std::size_t batch_size = 32;
  int epochs = 1;
  int verbose = 1;  // 0 silent, 1 progress bar, 2 one line per epoch
  bool shuffle = true;
};

struct EvaluateOptions {
  std::size_t batch_size = 32;
  int verbose = 1;
};

struct PredictOptions {
  std::size_t batch_size = 32;
  int verbose = 0;
};

}  // namespace ketl

// Keras's CuDNNLSTM and CuDNNGRU save their weights in cuDNN's layout:
// each gate's input kernel in column-major order, each gate's recurrent
// kernel transposed, and two biases per gate (the input's and the
// recurrent's). Keras converts them when an LSTM, or a GRU with
// reset_after=True, loads such a file (keras/engine/saving.py's
// _convert_rnn_weights), and so does load_weights: a layer's (kernel,
// recurrent_kernel, bias) whose bias is twice the model's length is read
// as cuDNN's. A GRU with reset_after=False cannot take them, as in Keras.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ketl/error.hpp"
#include "ketl/io/keras_weights.hpp"

namespace ketl::detail {

// One gate's input kernel, (features, units) within the stacked (features,
// gates * units) ones: cuDNN keeps it column-major. Keras reads it as
// kernel.T.reshape(kernel.shape, order='F'), which puts element j of the
// block's row-major order at row j % features, column j / features.
inline void cudnn_input_kernel(const std::vector<double>& from, std::vector<double>& to,
                               std::size_t features, std::size_t units, std::size_t gates) {
  const std::size_t cols = gates * units;
  for (std::size_t g = 0; g < gates; ++g)
    for (std::size_t j = 0; j < features * units; ++j) {
      const std::size_t f = j / units, u = j % units;  // j's place in the file's block
      const std::size_t r = j % features, c = j / features;
      to[r * cols + g * units + c] = from[f * cols + g * units + u];
    }
}

// One gate's recurrent kernel, (units, units): cuDNN's is transposed.
inline void cudnn_recurrent_kernel(const std::vector<double>& from, std::vector<double>& to,
                                   std::size_t units, std::size_t gates) {
  const std::size_t cols = gates * units;
  for (std::size_t g = 0; g < gates; ++g)
    for (std::size_t a = 0; a < units; ++a)
      for (std::size_t b = 0; b < units; ++b)
        to[a * cols + g * units + b] = from[b * cols + g * units + a];
}

// A layer's weights from a file, in the model's layout: each run of
// (kernel, recurrent_kernel, bias) that the model has for an LSTM or a GRU
// and the file has in cuDNN's layout is converted into `converted`, which
// the result then refers to; otherwise the file's own weights. names and
// shapes are the model's weights of the layer, `what` names the layer in a
// refusal.
inline const std::vector<io::keras_weight>& keras_rnn_layout(
    const std::vector<io::keras_weight>& file, const std::vector<std::string>& names,
    const std::vector<std::vector<std::size_t>>& shapes, std::vector<io::keras_weight>& converted,
    const std::string& what) {
  auto ends = [](const std::string& s, const char* tail) {
    const std::string t(tail);
    return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
  };
  const std::vector<io::keras_weight>* out = &file;
  for (std::size_t i = 0; i + 2 < names.size() && i + 2 < file.size(); ++i) {
    if (!ends(names[i], "/kernel") || !ends(names[i + 1], "/recurrent_kernel") ||
        !ends(names[i + 2], "/bias"))
      continue;
    const auto &kernel = shapes[i], &recurrent = shapes[i + 1], &bias = shapes[i + 2];
    if (kernel.size() != 2 || recurrent.size() != 2 || recurrent[0] == 0) continue;
    const std::size_t units = recurrent[0], cols = recurrent[1], gates = cols / units;
    // Only a bias twice the gates' width marks cuDNN's layout (Keras's test).
    if (cols % units != 0 || (gates != 3 && gates != 4) ||
        file[i + 2].shape != std::vector<std::size_t>{2 * cols} || file[i].shape != kernel ||
        file[i + 1].shape != recurrent || file[i].values.size() != kernel[0] * cols ||
        file[i + 1].values.size() != units * cols || file[i + 2].values.size() != 2 * cols)
      continue;
    const bool two_biases = bias == std::vector<std::size_t>{2, cols};  // GRU(reset_after=True)
    if (gates == 3 && !two_biases)
      throw value_error(what +
                        ": its weights are CuDNNGRU's, which is not compatible with "
                        "GRU(reset_after=False), as in Keras: give the GRU reset_after = true "
                        "and the sigmoid recurrent activation, as CuDNNGRU has");
    if (gates == 4 && bias != std::vector<std::size_t>{cols}) continue;
    if (out == &file) converted = file;
    out = &converted;
    cudnn_input_kernel(file[i].values, converted[i].values, kernel[0], units, gates);
    cudnn_recurrent_kernel(file[i + 1].values, converted[i + 1].values, units, gates);
    auto& b = converted[i + 2];
    b.shape = bias;
    if (gates == 4) {
      // The input and recurrent biases add up (Keras sums the halves).
      b.values.resize(cols);
      for (std::size_t k = 0; k < cols; ++k)
        b.values[k] = file[i + 2].values[k] + file[i + 2].values[cols + k];
    }  // a GRU's two biases stay two: (2 * cols) read as (2, cols)
    i += 2;
  }
  return *out;
}

}  // namespace ketl::detail

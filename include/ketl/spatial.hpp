// The spatial layers' vocabulary: padding modes and the options that change
// a convolution's or a pooling's output shape. They are class-type template
// arguments, so the shapes are computed at compile time:
//
//   ketl::Conv2D<32, ketl::conv2d{.kernel = {3, 3}, .strides = {2, 2}, .padding = ketl::same}>
//   ketl::Conv1D<64, ketl::conv1d{.kernel = 5, .padding = ketl::causal, .dilation = 2}>
//   ketl::MaxPooling2D<>                          (Keras's pool_size=(2, 2))
//   ketl::MaxPooling2D<ketl::pool2d{.size = {3, 3}, .strides = {2, 2}}>
//   ketl::ZeroPadding2D<>                         (Keras's padding=(1, 1))
//
// Fields keep Keras's meaning: `kernel` is kernel_size, `size` is pool_size,
// and a pooling's strides default to its size, as Keras's strides=None does.
// Layouts are channels_last, as Keras's default data_format.
#pragma once

#include <array>
#include <cstddef>

namespace ketl {

enum class padding_mode { valid, same, causal };
inline constexpr padding_mode valid = padding_mode::valid;
inline constexpr padding_mode same = padding_mode::same;
// Conv1D only: the output at t sees inputs up to t (Keras's padding='causal').
inline constexpr padding_mode causal = padding_mode::causal;

// Conv2D's shape options. kernel has no default, as in Keras.
struct conv2d {
  std::array<std::size_t, 2> kernel{0, 0};
  std::array<std::size_t, 2> strides{1, 1};
  padding_mode padding = valid;
  std::array<std::size_t, 2> dilation{1, 1};
  bool use_bias = true;
};

// Conv1D's shape options, on (steps, channels) inputs.
struct conv1d {
  std::size_t kernel = 0;
  std::size_t strides = 1;
  padding_mode padding = valid;
  std::size_t dilation = 1;
  bool use_bias = true;
};

// Pooling's options; strides of 0 mean "the pool size" (Keras's None).
struct pool2d {
  std::array<std::size_t, 2> size{2, 2};
  std::array<std::size_t, 2> strides{0, 0};
  padding_mode padding = valid;
};

struct pool1d {
  std::size_t size = 2;
  std::size_t strides = 0;
  padding_mode padding = valid;
};

// Rows or steps added (ZeroPadding) or removed (Cropping) at each side:
//   ketl::ZeroPadding2D<ketl::margins2d{.rows = {1, 2}, .cols = {3, 3}}>
struct margins2d {
  std::array<std::size_t, 2> rows{0, 0};  // top, bottom
  std::array<std::size_t, 2> cols{0, 0};  // left, right
};
struct margins1d {
  std::size_t before = 0, after = 0;
};

// Keras's conv_utils.conv_output_length: the output length along one axis,
// zero or less when the (dilated) window does not fit a valid input.
constexpr long long conv_output_length(std::size_t input, std::size_t window, padding_mode p,
                                       std::size_t stride, std::size_t dilation) {
  const long long dilated =
      (static_cast<long long>(window) - 1) * static_cast<long long>(dilation) + 1;
  const long long out =
      p == valid ? static_cast<long long>(input) - dilated + 1 : static_cast<long long>(input);
  const long long s = static_cast<long long>(stride);
  return out > 0 ? (out + s - 1) / s : out;
}

}  // namespace ketl

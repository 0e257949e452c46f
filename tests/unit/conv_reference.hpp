// Naive references for the spatial kernels: the textbook loops, in double,
// written from Keras's and TensorFlow's definitions without ketl's
// geometry, im2col or GEMM. The tests hold the fast kernels to them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

namespace test {

struct axis {
  std::size_t in, k, stride = 1, dilation = 1;
  char pad = 'v';  // 'v'alid, 's'ame, 'c'ausal
  // Keras's conv_output_length, then TensorFlow's padding before the first element.
  std::size_t out() const {
    const std::size_t span = (k - 1) * dilation + 1;
    const std::size_t len = pad == 'v' ? in - span + 1 : in;
    return (len + stride - 1) / stride;
  }
  long before() const {
    const long span = long((k - 1) * dilation + 1);
    if (pad == 'c') return span - 1;
    if (pad == 'v') return 0;
    const long total = std::max(long(out() - 1) * long(stride) + span - long(in), 0L);
    return total / 2;
  }
};

// y[n][oy][ox][f] = bias[f] + sum x[n][iy][ix][c] * kernel[ky][kx][c][f]
inline std::vector<double> conv2d_reference(const std::vector<double>& x, std::size_t n, axis r,
                                            axis col, std::size_t c, std::size_t filters,
                                            const std::vector<double>& kernel,
                                            const std::vector<double>& bias) {
  const std::size_t oh = r.out(), ow = col.out();
  std::vector<double> y(n * oh * ow * filters);
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox)
        for (std::size_t f = 0; f < filters; ++f) {
          double z = bias.empty() ? 0.0 : bias[f];
          for (std::size_t ky = 0; ky < r.k; ++ky)
            for (std::size_t kx = 0; kx < col.k; ++kx) {
              const long iy = long(oy * r.stride + ky * r.dilation) - r.before();
              const long ix = long(ox * col.stride + kx * col.dilation) - col.before();
              if (iy < 0 || ix < 0 || iy >= long(r.in) || ix >= long(col.in)) continue;
              for (std::size_t ch = 0; ch < c; ++ch)
                z += x[((s * r.in + std::size_t(iy)) * col.in + std::size_t(ix)) * c + ch] *
                     kernel[((ky * col.k + kx) * c + ch) * filters + f];
            }
          y[((s * oh + oy) * ow + ox) * filters + f] = z;
        }
  return y;
}

// Max or mean over each window's positions inside the input.
inline std::vector<double> pool2d_reference(bool max, const std::vector<double>& x, std::size_t n,
                                            axis r, axis col, std::size_t c) {
  const std::size_t oh = r.out(), ow = col.out();
  std::vector<double> y(n * oh * ow * c);
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox)
        for (std::size_t ch = 0; ch < c; ++ch) {
          double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
          std::size_t count = 0;
          for (std::size_t ky = 0; ky < r.k; ++ky)
            for (std::size_t kx = 0; kx < col.k; ++kx) {
              const long iy = long(oy * r.stride + ky) - r.before();
              const long ix = long(ox * col.stride + kx) - col.before();
              if (iy < 0 || ix < 0 || iy >= long(r.in) || ix >= long(col.in)) continue;
              const double v =
                  x[((s * r.in + std::size_t(iy)) * col.in + std::size_t(ix)) * c + ch];
              acc = max ? std::max(acc, v) : acc + v;
              ++count;
            }
          y[((s * oh + oy) * ow + ox) * c + ch] = max ? acc : acc / double(count);
        }
  return y;
}

}  // namespace test

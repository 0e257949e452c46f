// The hand-written baseline: the same MLP and SGD as plain loops around
// OpenBLAS's cblas_sgemm (run with OPENBLAS_NUM_THREADS=1).
// Usage: openblas_mlp <batch> <data directory>
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "data.hpp"

using namespace peers;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <batch> <data directory>\n", argv[0]);
    return 2;
  }
  const std::size_t bs_max = std::strtoul(argv[1], nullptr, 10);
  const auto w = load(argv[2]);
  std::mt19937 rng(1);
  auto init = [&](std::vector<float>& v, std::size_t fi, std::size_t fo) {
    std::uniform_real_distribution<float> u(-glorot_limit(fi, fo), glorot_limit(fi, fo));
    for (auto& e : v) e = u(rng);
  };
  std::vector<float> w1(kIn * kHidden), b1(kHidden, 0), w2(kHidden * kOut), b2(kOut, 0);
  init(w1, kIn, kHidden);
  init(w2, kHidden, kOut);
  std::vector<float> h(bs_max * kHidden), p(bs_max * kOut), dh(bs_max * kHidden),
      dw1(kIn * kHidden), dw2(kHidden * kOut), db1(kHidden), db2(kOut);
  const float lr = 0.01f;
  double loss = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t s0 = 0; s0 < kSamples; s0 += bs_max) {
    const std::size_t bs = std::min(bs_max, kSamples - s0);
    const float* x = w.x.data() + s0 * kIn;
    const int n = int(bs);
    // h = relu(x w1 + b1)
    for (std::size_t i = 0; i < bs; ++i)
      std::copy(b1.begin(), b1.end(), h.begin() + long(i * kHidden));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, kHidden, kIn, 1, x, kIn, w1.data(),
                kHidden, 1, h.data(), kHidden);
    for (std::size_t i = 0; i < bs * kHidden; ++i) h[i] = std::max(h[i], 0.0f);
    // p = softmax(h w2 + b2); dz = (p - onehot) / bs, in p
    for (std::size_t i = 0; i < bs; ++i)
      std::copy(b2.begin(), b2.end(), p.begin() + long(i * kOut));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, kOut, kHidden, 1, h.data(), kHidden,
                w2.data(), kOut, 1, p.data(), kOut);
    for (std::size_t i = 0; i < bs; ++i) {
      float* r = p.data() + i * kOut;
      const float m = *std::max_element(r, r + kOut);
      float sum = 0;
      for (std::size_t j = 0; j < kOut; ++j) sum += r[j] = std::exp(r[j] - m);
      const std::size_t label = w.y[s0 + i];
      loss -= std::log(std::max(r[label] / sum, 1e-7f));
      for (std::size_t j = 0; j < kOut; ++j)
        r[j] = (r[j] / sum - (j == label ? 1.0f : 0.0f)) / float(bs);
    }
    // dw2 = h^T dz, db2 = sum dz, dh = dz w2^T * relu'(h)
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, kHidden, kOut, n, 1, h.data(), kHidden,
                p.data(), kOut, 0, dw2.data(), kOut);
    std::fill(db2.begin(), db2.end(), 0.0f);
    for (std::size_t i = 0; i < bs; ++i)
      for (std::size_t j = 0; j < kOut; ++j) db2[j] += p[i * kOut + j];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, kHidden, kOut, 1, p.data(), kOut,
                w2.data(), kOut, 0, dh.data(), kHidden);
    for (std::size_t i = 0; i < bs * kHidden; ++i) dh[i] = h[i] > 0 ? dh[i] : 0.0f;
    // dw1 = x^T dh, db1 = sum dh
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, kIn, kHidden, n, 1, x, kIn, dh.data(),
                kHidden, 0, dw1.data(), kHidden);
    std::fill(db1.begin(), db1.end(), 0.0f);
    for (std::size_t i = 0; i < bs; ++i)
      for (std::size_t j = 0; j < kHidden; ++j) db1[j] += dh[i * kHidden + j];
    // SGD
    cblas_saxpy(int(w1.size()), -lr, dw1.data(), 1, w1.data(), 1);
    cblas_saxpy(int(w2.size()), -lr, dw2.data(), 1, w2.data(), 1);
    cblas_saxpy(int(b1.size()), -lr, db1.data(), 1, b1.data(), 1);
    cblas_saxpy(int(b2.size()), -lr, db2.data(), 1, b2.data(), 1);
  }
  const std::chrono::duration<double> t = std::chrono::steady_clock::now() - start;
  std::printf("openblas %zu %.4f loss %.4f\n", bs_max, t.count(), loss / double(kSamples));
}

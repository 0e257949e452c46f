// ketl-import's headers, generated at build time from the golden Keras files
// (tests/meson.build runs tools/ketl_import.cpp on each): each declares the
// typed model, load_model<Name> loads the file into it, and it predicts what
// Keras predicted (tests/golden/keras_h5/predictions.npz). Exit 0 when all do.
#include "import_bidirectional.hpp"
#include "import_cnn.hpp"
#include "import_conv1d.hpp"
#include "import_dense.hpp"
#include "import_functional.hpp"
#include "import_js_functional.hpp"
#include "import_js_rnn.hpp"
#include "import_named.hpp"
#include "import_rnn.hpp"
#include "import_time_distributed.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iostream>
#include <map>
#include <string>

namespace {
std::map<std::string, ketl::io::NpyArray> golden;
int failed = 0;

template <class Net, class E, std::size_t R>
void check(const std::string& file, const std::string& name) {
  const std::string path = std::string(KETL_TEST_GOLDEN_DIR) + "/" + file;
  auto model = ketl::load_model<Net>(path);
  const auto& a = golden.at(name + "__x");
  std::array<std::size_t, R> shape{};
  std::copy(a.shape.begin(), a.shape.end(), shape.begin());
  auto x = xt::xtensor<E, R>::from_shape(shape);
  std::transform(a.values.begin(), a.values.end(), x.begin(), [](double v) { return E(v); });
  const auto p = model.predict(x);
  const auto& want = golden.at(name + "__y").values;
  double worst = 0;
  bool ok = p.size() == want.size();
  for (std::size_t i = 0; ok && i < want.size(); ++i) {
    const double d = std::abs(double(p.data()[i]) - want[i]);
    worst = std::max(worst, d);
    ok = d <= 2e-5 * (1 + std::abs(want[i]));
  }
  std::cout << file << ": " << (ok ? "ok" : "FAILED") << ", max |difference| " << worst << "\n";
  failed += !ok;
}
}  // namespace

int main() {
  try {
    golden = ketl::io::load_npz(KETL_TEST_GOLDEN_DIR "/keras_h5/predictions.npz", "golden");
    check<Net_dense, float, 2>("keras_h5/dense_model.h5", "dense");
    check<Net_cnn, float, 4>("keras_h5/cnn_model.h5", "cnn");
    check<Net_conv1d, float, 3>("keras_h5/conv1d_model.h5", "conv1d");
    check<Net_rnn, std::int32_t, 2>("keras_h5/rnn_model.h5", "rnn");
    check<Net_bidirectional, float, 3>("keras_h5/bidirectional_model.h5", "bidirectional");
    check<Net_time_distributed, float, 3>("keras_h5/time_distributed_model.h5", "time_distributed");
    check<Net_functional, float, 2>("keras_h5/functional_model.h5", "functional");
    check<Net_named, float, 2>("keras_h5/named_model.h5", "named");
    check<Js_rnn, std::int32_t, 2>("tfjs/rnn/model.json", "rnn");
    check<Js_functional, float, 2>("tfjs/functional/model.json", "functional");
  } catch (const ketl::error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return failed ? 1 : 0;
}

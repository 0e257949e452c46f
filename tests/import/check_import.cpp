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
#include "import_js_nested.hpp"
#include "import_js_rnn.hpp"
#include "import_k_merges.hpp"
#include "import_k_multi.hpp"
#include "import_k_nested.hpp"
#include "import_k_shapes_1d.hpp"
#include "import_k_shapes_2d.hpp"
#include "import_named.hpp"
#include "import_rnn.hpp"
#include "import_time_distributed.hpp"
#include "import_varlen.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iostream>
#include <map>
#include <string>

namespace {
std::map<std::string, ketl::io::NpyArray> golden;
int failed = 0;

template <class E, std::size_t R>
xt::xtensor<E, R> array(const std::string& key) {
  const auto& a = golden.at(key);
  std::array<std::size_t, R> shape{};
  std::copy(a.shape.begin(), a.shape.end(), shape.begin());
  auto x = xt::xtensor<E, R>::from_shape(shape);
  std::transform(a.values.begin(), a.values.end(), x.begin(), [](double v) { return E(v); });
  return x;
}

template <class P>
void compare(const std::string& what, const P& p, const std::string& key) {
  const auto& want = golden.at(key).values;
  double worst = 0;
  bool ok = p.size() == want.size();
  for (std::size_t i = 0; ok && i < want.size(); ++i) {
    const double d = std::abs(double(p.data()[i]) - want[i]);
    worst = std::max(worst, d);
    ok = d <= 2e-5 * (1 + std::abs(want[i]));
  }
  std::cout << what << ": " << (ok ? "ok" : "FAILED") << ", max |difference| " << worst << "\n";
  failed += !ok;
}

// A single-input model: the file loaded into Net, Keras's prediction.
template <class Net, class E, std::size_t R>
void check(const std::string& file, const std::string& name) {
  auto model = ketl::load_model<Net>(std::string(KETL_TEST_GOLDEN_DIR) + "/" + file);
  compare(file, model.predict(array<E, R>(name + "__x")), name + "__y");
}
}  // namespace

int main() {
  try {
    golden = ketl::io::load_npz(KETL_TEST_GOLDEN_DIR "/keras_h5/predictions.npz", "golden");
    // make_variable_length.py: Embedding without input_length (None), then
    // LSTM; imported with --length 7, Keras's prediction at length 7.
    golden.merge(
        ketl::io::load_npz(KETL_TEST_GOLDEN_DIR "/keras_h5/varlen_predictions.npz", "golden"));
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
    check<Net_varlen, std::int32_t, 2>("keras_h5/varlen_model.h5", "varlen");
    // make_import_models.py: every other layer ketl has, in Keras's files.
    golden.merge(
        ketl::io::load_npz(KETL_TEST_GOLDEN_DIR "/keras_h5/import_predictions.npz", "golden"));
    const std::string dir = KETL_TEST_GOLDEN_DIR "/keras_h5/";
    {
      auto m = ketl::load_model<K_shapes_1d>(dir + "import_shapes_1d_model.h5");
      compare("import_shapes_1d", m.predict(array<float, 3>("shapes_1d__x0")), "shapes_1d__y0");
    }
    {
      auto m = ketl::load_model<K_shapes_2d>(dir + "import_shapes_2d_model.h5");
      compare("import_shapes_2d", m.predict(array<float, 4>("shapes_2d__x0")), "shapes_2d__y0");
    }
    {
      auto m = ketl::load_model<K_merges>(dir + "import_merges_model.h5");
      const auto u = array<float, 2>("merges__x0"), v = array<float, 2>("merges__x1");
      compare("import_merges", m.predict(std::tie(u, v)), "merges__y0");
    }
    {
      auto m = ketl::load_model<K_multi>(dir + "import_multi_model.h5");
      const auto a = array<float, 2>("multi__x0"), b = array<float, 2>("multi__x1");
      const auto q = array<float, 3>("multi__x2");
      const auto [y0, y1, y2] = m.predict(std::tie(a, b, q));
      compare("import_multi[0]", y0, "multi__y0");
      compare("import_multi[1]", y1, "multi__y1");
      compare("import_multi[2]", y2, "multi__y2");
    }
    {
      auto m = ketl::load_model<K_nested>(dir + "import_nested_model.h5");
      const auto l = array<float, 2>("nested__x0"), r = array<float, 2>("nested__x1");
      compare("import_nested", m.predict(std::tie(l, r)), "nested__y0");
      // The same model through tensorflowjs_converter's model.json.
      auto j = ketl::load_model<Js_nested>(KETL_TEST_GOLDEN_DIR "/tfjs/nested/model.json");
      compare("tfjs/nested", j.predict(std::tie(l, r)), "nested__y0");
    }
  } catch (const ketl::error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return failed ? 1 : 0;
}

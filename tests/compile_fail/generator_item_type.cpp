// A generator whose items have four parts: the items must be (x, y) or
// (x, y, w). (Arrays of any numeric element type are accepted: they are
// converted per batch, as Keras converts NumPy arrays.)
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<2, ketl::Softmax>{}};
  model.compile("sgd", ketl::losses::categorical_crossentropy);
  using A = xt::xtensor<float, 2>;
#ifdef KETL_SHOULD_FAIL
  auto gen = [] { return std::tuple<A, A, A, A>{A({8, 4}), A({8, 2}), A({8, 2}), A({8, 2})}; };
#else
  auto gen = [] { return std::tuple<A, A>{xt::zeros<float>({8, 4}), xt::zeros<float>({8, 2})}; };
#endif
  model.fit_generator(gen, {.steps_per_epoch = 1, .verbose = 0});
}
// EXPECT-ERROR: the source must be a Sequence \(size\(\) and operator\[\]\(i\)\) or a generator
// EXPECT-ERROR: whose items are \(x, y\) or \(x, y, sample_weight\)

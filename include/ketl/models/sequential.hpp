// Sequential<L...>: Keras's Sequential model, a typed pack of layers
// (models/sequential_network.hpp) with the training engine
// (engine/trainer.hpp):
//
//   auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<128, ketl::Relu>{},
//                                 ketl::Dense<10, ketl::Softmax>{}};
//   model.compile("sgd", ketl::losses::categorical_crossentropy, ketl::metrics::accuracy);
//   model.fit(x, y, {.batch_size = 32, .epochs = 5});
//
// A Sequential is also a layer of the functional API: model(node) embeds a
// copy of it (ketl::shared(model) to embed one model several times).
#pragma once

#include <cstddef>
#include <iostream>
#include <utility>

#include "ketl/engine/trainer.hpp"
#include "ketl/models/nested.hpp"
#include "ketl/models/node.hpp"
#include "ketl/models/sequential_network.hpp"

namespace ketl {

template <Layer... L>
class Sequential : public engine::trainer<models::sequential_network<L...>> {
  using net_type = models::sequential_network<L...>;
  using base = engine::trainer<net_type>;
  // The pack's first fault, reported from here: the error's backtrace is
  // this class and the user's line (decltype reads nothing, so nothing
  // cascades).
  static_assert(std::is_same_v<decltype(detail::sequential_pack_check<
                                        typename net_type::start, typename net_type::flow, L...>()),
                               bool>);

  template <Layer...>
  friend class Sequential;

 public:
  using value_type = typename net_type::value_type;
  using T = value_type;
  static constexpr std::size_t depth = net_type::depth;  // Input included
  static constexpr bool well_formed = net_type::well_formed;
  template <std::size_t I>
  using output_shape_of = typename net_type::template output_shape_of<I>;
  template <std::size_t I>
  using input_shape_of = typename net_type::template input_shape_of<I>;
  using input_shape = typename net_type::input_shape;
  using output_shape = typename net_type::output_shape;
  template <std::size_t I>
  using layer_type = typename net_type::template layer_type<I>;

  // Parameter counts, as summary() prints them, known at compile time.
  static constexpr auto layer_param_counts = net_type::layer_param_counts;
  static constexpr std::size_t param_count = net_type::param_count;
  static constexpr std::size_t trainable_param_count = net_type::trainable_param_count;
  static constexpr std::size_t non_trainable_param_count = net_type::non_trainable_param_count;

  explicit Sequential(L... layers) : base(net_type(std::move(layers)...)) {}
  explicit Sequential(net_type net) : base(std::move(net)) {}

  // model.add(layer): a new model type with one more layer. The existing
  // layers keep their weights; the new one is built for its input shape.
  template <Layer N>
  Sequential<L..., N> add(N layer) const {
    return Sequential<L..., N>(this->net_.add(std::move(layer)));
  }

  // model.pop(): a new model type without the last layer.
  auto pop() const {
    if constexpr (depth > 1) {
      auto net = this->net_.pop();
      return [&]<class... Ls>(models::sequential_network<Ls...>&& n) {
        return Sequential<Ls...>(std::move(n));
      }(std::move(net));
    } else {
      static_assert(depth > 1, "ketl::Sequential::pop: there is no layer to pop, only the Input");
      return *this;
    }
  }

  template <std::size_t I>
  auto& layer() {
    return this->net_.template layer<I>();
  }
  template <std::size_t I>
  const auto& layer() const {
    return this->net_.template layer<I>();
  }

  // Layer i's name: its name option, or Keras's automatic one (dense_1, ...).
  std::string layer_name(std::size_t i) const { return this->net_.layer_name(i); }

  // Keras 2.2.4's print_summary for Sequential models (line_length 65).
  void summary(std::ostream& os = std::cout) const {
    // A pack that does not fit has said so already (its link check): say
    // nothing more here.
    if constexpr (well_formed) this->net_.summary(os);
  }

  // The batch engine, for tests and tools that drive the network directly.
  const T* forward(const T* x, std::size_t n, bool training) {
    return this->net_.forward(x, n, training);
  }
  T* output_grad() { return this->net_.output_grad(); }
  void backward(const T* x, std::size_t n, bool grad_before_activation = false) {
    this->net_.backward(x, n, grad_before_activation);
  }

  // Keras's Sequential.predict_proba: predict (Keras warns when the outputs
  // fall outside [0, 1]; ketl leaves that to the caller).
  template <ArraysLike X>
  auto predict_proba(const X& x, const PredictOptions& o = {}) {
    return this->predict(x, o);
  }

  // Keras's predict_classes: argmax over the last axis, or for a one-unit
  // output (p > 0.5), which keeps the (N, 1) shape as Keras's does.
  template <ArraysLike X>
  auto predict_classes(const X& x, const PredictOptions& o = {}) {
    const auto p = this->predict(x, o);
    if constexpr (output_shape::last == 1) {
      xt::xtensor<int, output_shape::rank + 1> out(p.shape());
      for (std::size_t i = 0; i < p.size(); ++i) out.data()[i] = p.data()[i] > T(0.5) ? 1 : 0;
      return out;
    } else {
      std::array<std::size_t, output_shape::rank> shape{};
      std::copy(p.shape().begin(), p.shape().end() - 1, shape.begin());
      xt::xtensor<int, output_shape::rank> out(shape);
      constexpr std::size_t C = output_shape::last;
      for (std::size_t r = 0; r < out.size(); ++r) {
        const T* row = p.data() + r * C;
        out.data()[r] = static_cast<int>(std::max_element(row, row + C) - row);
      }
      return out;
    }
  }

  // The functional API: this model as one layer of a graph (a copy of it,
  // with its weights as they are now), as Keras calls a model on a tensor.
  template <class P>
  requires detail::is_node<P>
  auto operator()(const P& input) const { return models::nested<net_type>(this->net_)(input); }
};

template <class... L>
Sequential(L...) -> Sequential<L...>;

// ketl::shared(model): one nested model whose every call shares its weights.
template <Layer... L>
shared_layer<models::nested<models::sequential_network<L...>>> shared(const Sequential<L...>& m) {
  return shared_layer<models::nested<models::sequential_network<L...>>>(
      models::nested<models::sequential_network<L...>>(m.network()));
}

}  // namespace ketl

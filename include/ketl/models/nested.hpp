// nested<Net>: a network used as one layer of a functional Model, as Keras
// calls a model on a tensor (model(x)).
//
// It follows the layer protocol: it takes its network's input shape and
// gives its output shape, its parameters are its network's, and its weights
// are reported under their own names ("dense_1/kernel"; the Model adds the
// nested layer's name in front). Each place it runs keeps its activations
// in that place's scratch (the network's frame), so one nested model may be
// shared by several calls (ketl::shared(model)) in one step.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ketl/engine/network.hpp"
#include "ketl/layer.hpp"

namespace ketl::models {

template <class Net>
class nested : public callable_layer<nested<Net>> {
 public:
  using value_type = typename Net::value_type;
  using T = value_type;
  using network_type = Net;
  static constexpr std::string_view class_name = "Sequential";

  explicit nested(Net net, LayerOptions o = {}) : net_(std::move(net)), name_(std::move(o.name)) {}
  std::string_view name() const { return name_; }
  Net& network() { return net_; }
  const Net& network() const { return net_; }

  template <class In>
  static constexpr bool accepts = std::is_same_v<In, engine::input_shape_t<Net, 0>>;
  template <class In>
  static constexpr void check_input() {
    static_assert(accepts<In>,
                  "ketl: a model called on a node takes its own Input's shape (the static "
                  "assertion's template arguments name both)");
  }
  template <class In>
  using output_shape = engine::output_shape_t<Net, 0>;
  template <class In>
  static constexpr std::size_t param_count = Net::param_count;
  template <class In>
  static constexpr std::size_t non_trainable_param_count = Net::non_trainable_param_count;
  // This place's activations and the inner layers' scratch.
  template <class In>
  static constexpr std::size_t scratch_per_sample = Net::frame_acts + Net::frame_scratch;

  template <class In>
  void build(Random&) {}  // its layers were built with the network

  template <class In>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    const T* out = net_.forward_in(frame(pass, n), x, n, pass.training);
    std::copy(out, out + n * engine::output_shape_t<Net, 0>::size, y);
  }
  template <class In>
  void backward(const T* x, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    net_.reserve(n);  // its gradient buffers (its activations are in the frame)
    std::copy(dy, dy + n * engine::output_shape_t<Net, 0>::size, net_.output_grad());
    net_.backward_in(frame(pass, n), x, n, pass.grad_before_activation, dx,
                     pass.accumulate_weight_grads);
  }

  void reset_states() { net_.reset_states(); }

  template <class F>
  void for_each_weight(F&& f) {
    net_.refresh_trainable();  // its own layers may be frozen
    const auto weights = net_.weights();
    const auto& names = net_.weight_names();
    for (std::size_t i = 0; i < weights.size(); ++i) {
      WeightRef<T> w = weights[i];
      w.name = names[i];
      f(std::move(w));
    }
  }

 private:
  typename Net::frame frame(Pass<T>& pass, std::size_t n) {
    return {pass.scratch, pass.scratch + Net::frame_acts * n, n};
  }

  Net net_;
  std::string name_;
};

}  // namespace ketl::models

namespace ketl::detail {
template <class Net>
inline constexpr bool ends_in_softmax<models::nested<Net>> = Net::output_ends_in_softmax[0];
}  // namespace ketl::detail

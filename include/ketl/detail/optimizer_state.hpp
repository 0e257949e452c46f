// An optimizer's state as Keras saves it, so that a model file resumes
// training exactly: its config (Keras 2.2.4's get_config, clipnorm and
// clipvalue first when set) and its weights, in Keras 2.2.4's
// optimizer.weights order. Each optimizer lists them (each_hyper, and its
// State's each_slot); the members of optimizer_impl here do the rest.
//
// The weights' layouts, by optimizer (Keras 2.2.4, keras/optimizers.py):
//   SGD       [iterations] + moments
//   RMSprop   accumulators                  (no iteration count)
//   Adagrad   accumulators                  (no iteration count)
//   Adadelta  accumulators + delta_accumulators
//   Adam      [iterations] + ms + vs + vhats (without amsgrad, each vhat one zero)
//   Adamax    [iterations] + ms + us
//   Nadam     [iterations] + ms + vs
// Keras 2.3 puts the iteration count first for every optimizer and drops
// Adam's vhats without amsgrad; set_keras_weights reads those lists too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "ketl/error.hpp"
#include "ketl/optimizer.hpp"
#include "ketl/shape.hpp"

namespace ketl::detail {

template <class T, class O>
std::vector<hyperparameter> optimizer_impl<T, O>::config() const {
  std::vector<hyperparameter> out;
  // Keras's base get_config lists these only when they are set.
  if (opt.clipnorm > 0) out.push_back({"clipnorm", double(opt.clipnorm)});
  if (opt.clipvalue > 0) out.push_back({"clipvalue", double(opt.clipvalue)});
  O::each_hyper(opt, [&](const char* name, const auto& v) {
    out.push_back({name, double(v), std::is_same_v<std::remove_cvref_t<decltype(v)>, bool>});
  });
  return out;
}

template <class T, class O>
void optimizer_impl<T, O>::set_config(const std::vector<hyperparameter>& h,
                                      const std::string& where) {
  O next = opt;
  for (const auto& x : h) {
    bool found = false;
    auto set = [&](const char* name, auto& member) {
      if (found || x.name != name) return;
      member = static_cast<std::remove_cvref_t<decltype(member)>>(x.value);
      found = true;
    };
    set("clipnorm", next.clipnorm), set("clipvalue", next.clipvalue);
    O::each_hyper(next, set);
    // What ketl lacks is refused unless it is off (0, false or absent).
    if (!found && x.value != 0)
      throw value_error(where + "the optimizer " + std::string(O::keras_class) + " has " + x.name +
                        " = " + std::to_string(x.value) + ", which ketl's " +
                        std::string(O::keras_class) + " does not have");
  }
  next.validate();
  opt = next;
}

template <class T, class O>
std::vector<optimizer_weight> optimizer_impl<T, O>::keras_weights() const {
  std::vector<optimizer_weight> out;
  const std::string cls(O::keras_class);
  using S = typename O::template State<T>;
  if constexpr (S::keras_iterations)
    out.push_back({cls + "/iterations:0", {}, {double(done)}, true});
  auto& st = const_cast<S&>(state);  // each_slot is not const; nothing changes
  st.each_slot(opt, [&](const char* group, auto& slots, bool present) {
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      optimizer_weight w{"training/" + cls + "/" + group + "_" + std::to_string(i) + ":0",
                         present ? shapes[i] : std::vector<std::size_t>{1},
                         {},
                         false};
      if (present)
        w.values.assign(slots.data[i].begin(), slots.data[i].end());
      else
        w.values.assign(1, 0.0);
      out.push_back(std::move(w));
    }
  });
  return out;
}

template <class T, class O>
void optimizer_impl<T, O>::set_keras_weights(const std::vector<optimizer_weight>& w,
                                             std::int64_t iterations, const std::string& where) {
  using S = typename O::template State<T>;
  std::size_t groups = 0, absent = 0;
  state.each_slot(opt, [&](const char*, auto&, bool present) {
    ++groups;
    absent += present ? 0 : 1;
  });
  const std::size_t n = shapes.size();
  // The layouts that can be: with or without the iteration count first, and
  // with or without the groups Keras 2.3 dropped.
  bool head = S::keras_iterations, skip_absent = false;
  const std::size_t full = groups * n, lean = (groups - absent) * n;
  // tf.keras saves SGD without momentum as its iteration count alone.
  if constexpr (requires { state.slots_optional(opt); })
    if (w.size() == 1 && state.slots_optional(opt)) {
      if (w[0].values.size() != 1 || !(w[0].values[0] >= 0) || w[0].values[0] > 9.0e15)
        throw value_error(where + "the optimizer's iteration count (" + w[0].name +
                          ") is not a count");
      done = std::int64_t(w[0].values[0]);
      return;
    }
  if (w.size() == full + 1 || w.size() == lean + 1)
    head = true;
  else if (w.size() == full || w.size() == lean)
    head = false;
  else
    throw value_error(where + "the file's optimizer state has " + std::to_string(w.size()) +
                      " weights, but " + std::string(O::keras_class) + " for this model has " +
                      std::to_string(full + (S::keras_iterations ? 1 : 0)) + " (" +
                      std::to_string(n) + " trainable weights)");
  skip_absent = w.size() - (head ? 1 : 0) == lean && absent > 0;
  std::int64_t count = iterations;
  if (head) {
    const auto& it = w[0];
    if (it.values.size() != 1 || !(it.values[0] >= 0) || it.values[0] > 9.0e15)
      throw value_error(where + "the optimizer's iteration count (" + it.name + ") is not a count");
    count = std::int64_t(it.values[0]);
  }
  // Every shape before anything changes.
  std::size_t k = head ? 1 : 0;
  state.each_slot(opt, [&](const char*, auto&, bool present) {
    if (!present && skip_absent) return;
    for (std::size_t i = 0; i < n; ++i, ++k) {
      const auto want = present ? shapes[i] : std::vector<std::size_t>{1};
      if (w[k].shape != want)
        throw shape_error(where + "optimizer weight " + w[k].name + " has shape " +
                          shape_string(w[k].shape) + ", but the model's needs " +
                          shape_string(want));
      std::size_t size = 1;
      for (auto d : want) size *= d;
      if (w[k].values.size() != size)
        throw value_error(where + "optimizer weight " + w[k].name + " holds " +
                          std::to_string(w[k].values.size()) + " values for shape " +
                          shape_string(want));
    }
  });
  k = head ? 1 : 0;
  state.each_slot(opt, [&](const char*, auto& slots, bool present) {
    if (!present && skip_absent) return;
    for (std::size_t i = 0; i < n; ++i, ++k)
      if (present)
        for (std::size_t j = 0; j < slots.data[i].size(); ++j)
          slots.data[i][j] = static_cast<T>(w[k].values[j]);
  });
  done = count;
  if constexpr (requires { state.restored(opt, count); }) state.restored(opt, count);
}

}  // namespace ketl::detail

// What a callback is: any type with some of Keras's hooks.
//
//   on_train_begin(logs)          on_train_end(logs)
//   on_epoch_begin(epoch, logs)   on_epoch_end(epoch, logs)
//   on_batch_begin(batch, logs)   on_batch_end(batch, logs)
//   on_test_begin(logs) / on_test_end(logs), on_predict_begin / on_predict_end
//   set_model(ModelHandle&)       called before on_train_begin
//
// Epochs and batches are 0-based, as in Keras; logs is a name -> value map
// ("loss", "acc", "val_loss", "lr", "batch", "size"). CallbackRef erases the
// type: fit() takes them as `.callbacks = {early_stopping, my_logger}`, by
// reference, so the caller's object keeps its state after fit returns; one
// made in place (`.callbacks = {ketl::callbacks::EarlyStopping{...}}`) is
// owned by the options instead.
#pragma once

#include <concepts>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

namespace ketl {

using Logs = std::map<std::string, double>;

// What a callback may do to the model being trained.
class ModelHandle {
 public:
  virtual ~ModelHandle() = default;
  bool stop_training = false;
  virtual double learning_rate() const = 0;
  virtual void set_learning_rate(double lr) = 0;
  // Every weight's values, in the order of get_weights(), as doubles (exact
  // for float): what EarlyStopping keeps to restore the best epoch.
  virtual std::vector<std::vector<double>> weight_snapshot() const = 0;
  virtual void restore_weights(const std::vector<std::vector<double>>& s) = 0;
  virtual void save_weights(const std::string& path) const = 0;
  // Where progress and callback messages go: std::cerr unless a callback
  // redirects it (callbacks::ProgbarLogger{.out = &stream}).
  virtual std::ostream& out() = 0;
  virtual void set_output(std::ostream& os) = 0;
};

namespace detail {
template <class C>
concept any_hook = requires(C& c, Logs& l, ModelHandle& m) {
  c.on_train_begin(l);
}
|| requires(C& c, Logs& l) { c.on_train_end(l); }
|| requires(C& c, Logs& l) { c.on_epoch_begin(0, l); }
|| requires(C& c, Logs& l) { c.on_epoch_end(0, l); }
|| requires(C& c, Logs& l) { c.on_batch_begin(0, l); }
|| requires(C& c, Logs& l) { c.on_batch_end(0, l); }
|| requires(C& c, Logs& l) { c.on_test_begin(l); }
|| requires(C& c, Logs& l) { c.on_test_end(l); }
|| requires(C& c, ModelHandle& m) { c.set_model(m); };
}  // namespace detail

// A callback: a type with at least one of the hooks above.
template <class C>
concept Callback = detail::any_hook<C>;

class CallbackRef {
 public:
  // A named callback is held by reference: it keeps its state after fit
  // returns, for the caller to read.
  template <Callback C>
  CallbackRef(C& c)  // NOLINT: implicit, so that {a, b} lists read as Keras's
      : self_(&c) {
    bind(c);
  }
  // A callback made in place ({.callbacks = {EarlyStopping{...}}}) is moved
  // into the reference, which owns it: the options may be stored, copied and
  // used later without a dangling reference.
  template <class C>
  requires(!std::is_lvalue_reference_v<C> && Callback<std::remove_cvref_t<C>>)
      CallbackRef(C&& c)  // NOLINT
      : owned_(std::make_shared<std::remove_cvref_t<C>>(std::move(c))) {
    auto& held = *static_cast<std::remove_cvref_t<C>*>(owned_.get());
    self_ = &held;
    bind(held);
  }

  void set_model(ModelHandle& m) const { call(set_model_, m); }
  void on_train_begin(Logs& l) const { call(train_begin_, l); }
  void on_train_end(Logs& l) const { call(train_end_, l); }
  void on_epoch_begin(int e, Logs& l) const { call(epoch_begin_, e, l); }
  void on_epoch_end(int e, Logs& l) const { call(epoch_end_, e, l); }
  void on_batch_begin(int b, Logs& l) const { call(batch_begin_, b, l); }
  void on_batch_end(int b, Logs& l) const { call(batch_end_, b, l); }
  void on_test_begin(Logs& l) const { call(test_begin_, l); }
  void on_test_end(Logs& l) const { call(test_end_, l); }
  bool has_batch_hooks() const { return batch_begin_ || batch_end_; }
  // Data-parallel training runs a callback whose type says
  // `static constexpr bool rank_zero_only = true` (one that writes files
  // or prints: ModelCheckpoint, CSVLogger, ProgbarLogger) on rank 0 only.
  bool rank_zero_only() const { return rank_zero_only_; }

 private:
  template <class C>
  void bind(C& c) {
    if constexpr (requires { C::rank_zero_only; }) rank_zero_only_ = C::rank_zero_only;
    if constexpr (requires(Logs & l) { c.on_train_begin(l); })
      train_begin_ = [](void* p, Logs& l) { static_cast<C*>(p)->on_train_begin(l); };
    if constexpr (requires(Logs & l) { c.on_train_end(l); })
      train_end_ = [](void* p, Logs& l) { static_cast<C*>(p)->on_train_end(l); };
    if constexpr (requires(Logs & l) { c.on_epoch_begin(0, l); })
      epoch_begin_ = [](void* p, int e, Logs& l) { static_cast<C*>(p)->on_epoch_begin(e, l); };
    if constexpr (requires(Logs & l) { c.on_epoch_end(0, l); })
      epoch_end_ = [](void* p, int e, Logs& l) { static_cast<C*>(p)->on_epoch_end(e, l); };
    if constexpr (requires(Logs & l) { c.on_batch_begin(0, l); })
      batch_begin_ = [](void* p, int b, Logs& l) { static_cast<C*>(p)->on_batch_begin(b, l); };
    if constexpr (requires(Logs & l) { c.on_batch_end(0, l); })
      batch_end_ = [](void* p, int b, Logs& l) { static_cast<C*>(p)->on_batch_end(b, l); };
    if constexpr (requires(Logs & l) { c.on_test_begin(l); })
      test_begin_ = [](void* p, Logs& l) { static_cast<C*>(p)->on_test_begin(l); };
    if constexpr (requires(Logs & l) { c.on_test_end(l); })
      test_end_ = [](void* p, Logs& l) { static_cast<C*>(p)->on_test_end(l); };
    if constexpr (requires(ModelHandle & m) { c.set_model(m); })
      set_model_ = [](void* p, ModelHandle& m) { static_cast<C*>(p)->set_model(m); };
  }

  template <class F, class... A>
  void call(F f, A&... a) const {
    if (f) f(self_, a...);
  }
  std::shared_ptr<void> owned_;  // an in-place callback
  void* self_ = nullptr;
  void (*train_begin_)(void*, Logs&) = nullptr;
  void (*train_end_)(void*, Logs&) = nullptr;
  void (*epoch_begin_)(void*, int, Logs&) = nullptr;
  void (*epoch_end_)(void*, int, Logs&) = nullptr;
  void (*batch_begin_)(void*, int, Logs&) = nullptr;
  void (*batch_end_)(void*, int, Logs&) = nullptr;
  void (*test_begin_)(void*, Logs&) = nullptr;
  void (*test_end_)(void*, Logs&) = nullptr;
  void (*set_model_)(void*, ModelHandle&) = nullptr;
  bool rank_zero_only_ = false;
};

}  // namespace ketl

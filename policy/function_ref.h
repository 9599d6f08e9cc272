// policy/function_ref.h
//
// FunctionRef is a non-owning, non-allocating reference to a callable (like llvm::function_ref):
// the evaluator passes continuations down its backtracking search without heap allocations.
// The referenced callable must outlive the FunctionRef. Value type.
#pragma once

#include <type_traits>
#include <utility>

namespace baton::policy {

template <typename Fn>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F, typename = std::enable_if_t<
                            !std::is_same_v<std::remove_cv_t<std::remove_reference_t<F>>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT: implicit by design
      : obj_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(obj_, std::forward<Args>(args)...); }

 private:
  void* obj_;
  R (*call_)(void*, Args...);
};

}  // namespace baton::policy

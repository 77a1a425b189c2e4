// Early-return helpers for code returning Status.
#pragma once

#define RELAYER_CONCAT_INNER(a, b) a##b
#define RELAYER_CONCAT(a, b) RELAYER_CONCAT_INNER(a, b)

#define RELAYER_RETURN_IF_ERROR(expr)                       \
  do {                                                      \
    if (::relayer::Status s_ = (expr); !s_.ok()) return s_; \
  } while (0)

// `lhs = value of expr` (a Result<T>), or return its error.
#define RELAYER_ASSIGN_OR_RETURN(lhs, expr)                                                       \
  auto RELAYER_CONCAT(result_, __LINE__) = (expr);                                                \
  if (!RELAYER_CONCAT(result_, __LINE__).ok()) return RELAYER_CONCAT(result_, __LINE__).status(); \
  lhs = std::move(RELAYER_CONCAT(result_, __LINE__)).value()

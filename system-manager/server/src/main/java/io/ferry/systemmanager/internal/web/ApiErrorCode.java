package io.ferry.systemmanager.internal.web;

/**
 * The stable {@code code} property of every problem detail the API returns. Plugin failures use the
 * name of their {@link io.ferry.standardization.ErrorCode} instead.
 */
public enum ApiErrorCode {
  VALIDATION_FAILED,
  MALFORMED_REQUEST,
  UNKNOWN_FIELD,
  INVALID_PARAMETER,
  PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE,
  METHOD_NOT_ALLOWED,
  UNAUTHENTICATED,
  INVALID_CREDENTIALS,
  INVALID_TOKEN,
  ACCESS_DENIED,
  CSRF_TOKEN_INVALID,
  NOT_FOUND,
  CONFLICT,
  PLUGIN_NOT_INSTALLED,
  CLOUD_ACCOUNT_REJECTED,
  INTERNAL
}

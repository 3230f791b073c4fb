package io.ferry.systemmanager.internal.web;

import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/** A failure the API reports as a problem detail with a stable code. */
public class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final String code;
  private final List<FieldProblem> fields;

  public ApiException(HttpStatus status, ApiErrorCode code, String message) {
    this(status, code.name(), message, List.of());
  }

  public ApiException(HttpStatus status, String code, String message, List<FieldProblem> fields) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = List.copyOf(fields);
  }

  /** 404 for a resource that does not exist or belongs to another tenant (the same answer). */
  public static ApiException notFound(String what, UUID id) {
    return new ApiException(HttpStatus.NOT_FOUND, ApiErrorCode.NOT_FOUND, what + " " + id + " not found");
  }

  /** 400 for one offending field. */
  public static ApiException invalidField(String field, String message) {
    return new ApiException(
        HttpStatus.BAD_REQUEST,
        ApiErrorCode.VALIDATION_FAILED.name(),
        "the request has invalid fields",
        List.of(new FieldProblem(field, message)));
  }

  /** 409 for a request that conflicts with the current state. */
  public static ApiException conflict(String message) {
    return new ApiException(HttpStatus.CONFLICT, ApiErrorCode.CONFLICT, message);
  }

  /** 403 for a caller that may not do this. */
  public static ApiException forbidden(String message) {
    return new ApiException(HttpStatus.FORBIDDEN, ApiErrorCode.ACCESS_DENIED, message);
  }

  /** 401 for a request without a valid identity. */
  public static ApiException unauthenticated() {
    return new ApiException(HttpStatus.UNAUTHORIZED, ApiErrorCode.UNAUTHENTICATED, "sign in or send a bearer token");
  }

  public HttpStatus status() {
    return status;
  }

  public String code() {
    return code;
  }

  public List<FieldProblem> fields() {
    return fields;
  }
}

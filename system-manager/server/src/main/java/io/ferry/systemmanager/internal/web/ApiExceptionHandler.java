package io.ferry.systemmanager.internal.web;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.ferry.standardization.FerryException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.lang.Nullable;
import org.springframework.validation.BindingResult;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every failure of a controller becomes a problem detail with a stable {@code code}. */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionHandler.class);

  @ExceptionHandler(ApiException.class)
  ResponseEntity<ProblemDetail> api(ApiException exception) {
    return respond(exception.status(), exception.code(), exception.getMessage(), exception.fields());
  }

  @ExceptionHandler(FerryException.class)
  ResponseEntity<ProblemDetail> ferry(FerryException exception) {
    HttpStatus status =
        switch (exception.code()) {
          case NOT_FOUND -> HttpStatus.NOT_FOUND;
          case INVALID_REQUEST -> HttpStatus.BAD_REQUEST;
          case UNSUPPORTED, CLOUD_AUTHENTICATION_FAILED, CLOUD_PERMISSION_DENIED,
                  CLOUD_REQUEST_REJECTED, CLOUD_QUOTA_EXCEEDED ->
              HttpStatus.UNPROCESSABLE_ENTITY;
          case CLOUD_THROTTLED, CLOUD_UNAVAILABLE, TIMEOUT -> HttpStatus.BAD_GATEWAY;
          default -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    LOG.warn("request failed: {} {}", exception.code(), exception.getMessage());
    return respond(status, exception.code().name(), exception.getMessage(), List.of());
  }

  @ExceptionHandler(PayloadTooLargeException.class)
  ResponseEntity<ProblemDetail> tooLarge(PayloadTooLargeException exception) {
    return respond(HttpStatus.PAYLOAD_TOO_LARGE, ApiErrorCode.PAYLOAD_TOO_LARGE.name(), exception.getMessage(), List.of());
  }

  /** A concurrent request won a race for a unique name or deleted what this one refers to. */
  @ExceptionHandler(DataIntegrityViolationException.class)
  ResponseEntity<ProblemDetail> conflict(DataIntegrityViolationException exception) {
    LOG.info("request conflicts with the stored data: {}", exception.getMostSpecificCause().getClass().getSimpleName());
    return respond(HttpStatus.CONFLICT, ApiErrorCode.CONFLICT.name(),
        "the request conflicts with the current state; reload and retry", List.of());
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception exception) {
    LOG.error("unexpected failure", exception);
    return respond(HttpStatus.INTERNAL_SERVER_ERROR, ApiErrorCode.INTERNAL.name(), "an unexpected error occurred", List.of());
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception exception,
      @Nullable Object body,
      HttpHeaders headers,
      HttpStatusCode statusCode,
      WebRequest request) {
    HttpStatus status = HttpStatus.valueOf(statusCode.value());
    String code;
    String detail;
    List<FieldProblem> fields = new ArrayList<>();
    if (exception instanceof MethodArgumentNotValidException invalid) {
      code = ApiErrorCode.VALIDATION_FAILED.name();
      detail = "the request has invalid fields";
      fields.addAll(fieldProblems(invalid.getBindingResult()));
    } else if (exception instanceof HandlerMethodValidationException invalid) {
      code = ApiErrorCode.VALIDATION_FAILED.name();
      detail = "the request has invalid parameters";
      invalid.getAllValidationResults().forEach(result -> result.getResolvableErrors().forEach(error ->
          fields.add(new FieldProblem(result.getMethodParameter().getParameterName(), error.getDefaultMessage()))));
    } else if (exception instanceof HttpMessageNotReadableException unreadable) {
      PayloadTooLargeException tooLarge = causeOf(unreadable, PayloadTooLargeException.class);
      UnrecognizedPropertyException unknown = causeOf(unreadable, UnrecognizedPropertyException.class);
      if (tooLarge != null) {
        status = HttpStatus.PAYLOAD_TOO_LARGE;
        code = ApiErrorCode.PAYLOAD_TOO_LARGE.name();
        detail = tooLarge.getMessage();
      } else if (unknown != null) {
        code = ApiErrorCode.UNKNOWN_FIELD.name();
        detail = "unknown field '" + unknown.getPropertyName() + "'";
        fields.add(new FieldProblem(path(unknown), "unknown field"));
      } else {
        code = ApiErrorCode.MALFORMED_REQUEST.name();
        JsonMappingException mapping = causeOf(unreadable, JsonMappingException.class);
        detail = mapping != null && !mapping.getPath().isEmpty()
            ? "the request body is not valid: wrong type at '" + path(mapping) + "'"
            : "the request body is not valid JSON";
        if (mapping != null && !mapping.getPath().isEmpty()) {
          fields.add(new FieldProblem(path(mapping), "wrong type or value"));
        }
      }
    } else if (exception instanceof MethodArgumentTypeMismatchException mismatch) {
      code = ApiErrorCode.INVALID_PARAMETER.name();
      detail = "parameter '" + mismatch.getName() + "' has an invalid value";
      fields.add(new FieldProblem(mismatch.getName(), "invalid value"));
    } else if (exception instanceof NoResourceFoundException) {
      code = ApiErrorCode.NOT_FOUND.name();
      detail = "no such resource";
    } else if (exception instanceof HttpRequestMethodNotSupportedException) {
      code = ApiErrorCode.METHOD_NOT_ALLOWED.name();
      detail = "method not allowed here";
    } else if (exception instanceof HttpMediaTypeNotSupportedException) {
      code = ApiErrorCode.UNSUPPORTED_MEDIA_TYPE.name();
      detail = "send application/json";
    } else if (status.is4xxClientError()) {
      code = status == HttpStatus.NOT_FOUND ? ApiErrorCode.NOT_FOUND.name() : ApiErrorCode.INVALID_PARAMETER.name();
      detail = body instanceof ProblemDetail problem && problem.getDetail() != null ? problem.getDetail() : status.getReasonPhrase();
    } else {
      LOG.error("request failed", exception);
      code = ApiErrorCode.INTERNAL.name();
      detail = "an unexpected error occurred";
    }
    ProblemDetail problem = Problems.problem(status, code, detail, fields);
    return ResponseEntity.status(status).headers(headers).body(problem);
  }

  private static List<FieldProblem> fieldProblems(BindingResult result) {
    List<FieldProblem> fields = new ArrayList<>();
    for (FieldError error : result.getFieldErrors()) {
      fields.add(new FieldProblem(error.getField(), error.getDefaultMessage()));
    }
    result.getGlobalErrors().forEach(error -> fields.add(new FieldProblem(error.getObjectName(), error.getDefaultMessage())));
    return fields;
  }

  private static String path(JsonMappingException exception) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : exception.getPath()) {
      if (reference.getFieldName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static <T extends Throwable> T causeOf(Throwable failure, Class<T> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }

  private static ResponseEntity<ProblemDetail> respond(
      HttpStatus status, String code, String detail, List<FieldProblem> fields) {
    return ResponseEntity.status(status).body(Problems.problem(status, code, detail, fields));
  }
}

package io.ferry.systemmanager.internal.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Failures that happen outside the controllers (in a filter, or refused by the servlet container)
 * reach {@code /error}; they are answered as problem details too, without exception details.
 */
@RestController
public class ProblemErrorController implements ErrorController {

  @RequestMapping("/error")
  public ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
    Object statusAttribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    HttpStatus status = statusAttribute instanceof Integer value && HttpStatus.resolve(value) != null
        ? HttpStatus.resolve(value) : HttpStatus.INTERNAL_SERVER_ERROR;
    ApiErrorCode code = switch (status) {
      case BAD_REQUEST -> ApiErrorCode.MALFORMED_REQUEST;
      case UNAUTHORIZED -> ApiErrorCode.UNAUTHENTICATED;
      case FORBIDDEN -> ApiErrorCode.ACCESS_DENIED;
      case NOT_FOUND -> ApiErrorCode.NOT_FOUND;
      case METHOD_NOT_ALLOWED -> ApiErrorCode.METHOD_NOT_ALLOWED;
      case PAYLOAD_TOO_LARGE -> ApiErrorCode.PAYLOAD_TOO_LARGE;
      case UNSUPPORTED_MEDIA_TYPE -> ApiErrorCode.UNSUPPORTED_MEDIA_TYPE;
      default -> status.is4xxClientError() ? ApiErrorCode.MALFORMED_REQUEST : ApiErrorCode.INTERNAL;
    };
    ProblemDetail problem = Problems.problem(status, code.name(),
        status.is5xxServerError() ? "an unexpected error occurred" : status.getReasonPhrase(), List.of());
    if (request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri) {
      problem.setInstance(URI.create(uri));
    }
    return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
  }
}

package io.ferry.systemmanager.internal.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/** Builds RFC 9457 problem details, and writes them where no controller runs (filters). */
@Component
public class Problems {

  private final ObjectMapper objectMapper;

  public Problems(ObjectMapper objectMapper) {
    this.objectMapper = objectMapper;
  }

  /** A problem with a stable code and, for validation failures, the offending fields. */
  public static ProblemDetail problem(
      HttpStatus status, String code, String detail, List<FieldProblem> fields) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(URI.create("urn:ferry:problem:" + code.toLowerCase().replace('_', '-')));
    problem.setProperty("code", code);
    if (!fields.isEmpty()) {
      problem.setProperty("errors", fields);
    }
    return problem;
  }

  /** Writes a problem as {@code application/problem+json}. */
  public void write(
      HttpServletRequest request, HttpServletResponse response, HttpStatus status, ApiErrorCode code, String detail)
      throws IOException {
    ProblemDetail problem = problem(status, code.name(), detail, List.of());
    problem.setInstance(URI.create(request.getRequestURI()));
    response.setStatus(status.value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    objectMapper.writeValue(response.getOutputStream(), problem);
  }
}

package io.ferry.systemmanager.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

class ProblemErrorControllerTest {

  private final ProblemErrorController controller = new ProblemErrorController();

  @Test
  void containerErrorsBecomeProblemDetailsWithACode() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
    request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 413);
    request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, "/api/v1/cloud-accounts");

    ResponseEntity<ProblemDetail> response = controller.error(request);

    assertThat(response.getStatusCode().value()).isEqualTo(413);
    assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    assertThat(response.getBody().getProperties()).containsEntry("code", "PAYLOAD_TOO_LARGE");
    assertThat(response.getBody().getInstance()).hasToString("/api/v1/cloud-accounts");
  }

  @Test
  void serverErrorsRevealNothing() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
    request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
    request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("password=secret"));

    ProblemDetail problem = controller.error(request).getBody();

    assertThat(problem.getProperties()).containsEntry("code", "INTERNAL");
    assertThat(problem.getDetail()).isEqualTo("an unexpected error occurred");
    assertThat(problem.getType()).hasToString("urn:ferry:problem:internal");
  }
}

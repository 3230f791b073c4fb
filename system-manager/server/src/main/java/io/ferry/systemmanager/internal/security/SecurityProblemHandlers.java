package io.ferry.systemmanager.internal.security;

import io.ferry.systemmanager.internal.web.ApiErrorCode;
import io.ferry.systemmanager.internal.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;

/** 401 and 403 as problem details. */
public class SecurityProblemHandlers implements AuthenticationEntryPoint, AccessDeniedHandler {

  private final Problems problems;

  public SecurityProblemHandlers(Problems problems) {
    this.problems = problems;
  }

  @Override
  public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
      throws IOException {
    if (request.getAttribute(BearerTokenFilter.INVALID_TOKEN_ATTRIBUTE) != null) {
      response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      problems.write(request, response, HttpStatus.UNAUTHORIZED, ApiErrorCode.INVALID_TOKEN,
          "the bearer token is unknown, expired or revoked");
    } else {
      problems.write(request, response, HttpStatus.UNAUTHORIZED, ApiErrorCode.UNAUTHENTICATED,
          "sign in or send a bearer token");
    }
  }

  @Override
  public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException exception)
      throws IOException {
    if (exception instanceof CsrfException) {
      problems.write(request, response, HttpStatus.FORBIDDEN, ApiErrorCode.CSRF_TOKEN_INVALID,
          "send the XSRF-TOKEN cookie's value in the X-XSRF-TOKEN header");
    } else {
      problems.write(request, response, HttpStatus.FORBIDDEN, ApiErrorCode.ACCESS_DENIED,
          "your role does not allow this");
    }
  }
}

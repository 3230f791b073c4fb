package io.ferry.systemmanager.internal.policy;

import io.ferry.systemmanager.internal.web.Problems;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** A policy refusal as a problem detail that carries the policy, the rule and the numbers. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class PolicyProblemHandler {

  @ExceptionHandler(PolicyRefusedException.class)
  ResponseEntity<ProblemDetail> refused(PolicyRefusedException exception) {
    ProblemDetail problem = Problems.problem(exception.status(), exception.code(), exception.getMessage(),
        exception.fields());
    exception.details().forEach(problem::setProperty);
    return ResponseEntity.status(exception.status()).body(problem);
  }
}

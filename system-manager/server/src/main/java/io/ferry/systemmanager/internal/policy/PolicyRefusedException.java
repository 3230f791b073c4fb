package io.ferry.systemmanager.internal.policy;

import io.ferry.systemmanager.internal.web.ApiException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * A migration request a policy refused (403, code {@code POLICY_REFUSED}); the problem detail
 * names the policy ({@code policy}, {@code policyId}), the rule ({@code rule}) and, for limits,
 * the numbers (such as {@code budget}, {@code spent}, {@code estimate}).
 */
public class PolicyRefusedException extends ApiException {

  public static final String CODE = "POLICY_REFUSED";

  private final Map<String, Object> details;

  public PolicyRefusedException(String message, Map<String, Object> details) {
    super(HttpStatus.FORBIDDEN, CODE, message, List.of());
    this.details = new LinkedHashMap<>(details);
  }

  /** The properties the problem detail carries. */
  public Map<String, Object> details() {
    return Map.copyOf(details);
  }
}

package io.ferry.systemmanager.internal.audit;

import io.ferry.systemmanager.internal.audit.AuditEvent.Outcome;
import io.ferry.systemmanager.internal.security.FerryAuthentication;
import io.ferry.systemmanager.internal.security.FerryPrincipal;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

/**
 * The audit log, in one place: every mutating API request (POST, PUT, PATCH, DELETE) is recorded
 * after it finished, successful or not, including requests refused by authentication,
 * authorization or CSRF checks. It sits in the security filter chain right after the security
 * context is loaded, so it sees the caller and every status the later filters produce. Request
 * bodies are never recorded.
 */
public class AuditFilter extends OncePerRequestFilter {

  private static final Logger LOG = LoggerFactory.getLogger(AuditFilter.class);
  private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

  private final AuditEventRepository events;
  private final Clock clock;

  public AuditFilter(AuditEventRepository events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !MUTATING.contains(request.getMethod()) || !request.getRequestURI().startsWith("/api/");
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Actor before = currentActor();
    int status = 500;
    try {
      chain.doFilter(request, response);
      status = response.getStatus();
    } finally {
      Actor after = currentActor();
      record(request, response, after != null ? after : before, status);
    }
  }

  /**
   * A caller that is not a user (the guest agent on a helper, with its job token): how it appears
   * in the audit log.
   */
  public interface AuditedCaller {
    /** The tenant whose audit log records the request. */
    UUID auditTenantId();

    /** The actor's name in the audit log. */
    String auditActor();
  }

  private record Actor(UUID tenantId, String name) {}

  private void record(HttpServletRequest request, HttpServletResponse response, Actor principal, int status) {
    Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
    String action = request.getMethod() + " " + (pattern != null ? pattern : request.getRequestURI());
    String location = response.getHeader("Location");
    String target = truncate(location != null ? location : request.getRequestURI(), 500);
    Outcome outcome = status < 400 ? Outcome.SUCCESS : status == 401 || status == 403 ? Outcome.DENIED : Outcome.FAILED;
    try {
      events.save(new AuditEvent(
          clock.instant(),
          principal == null ? null : principal.tenantId(),
          principal == null ? "anonymous" : principal.name(),
          truncate(action, 200),
          target,
          outcome,
          status));
    } catch (RuntimeException e) {
      LOG.error("could not write the audit event for {} ({})", action, e.toString());
    }
  }

  private static Actor currentActor() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication instanceof FerryAuthentication ferry) {
      FerryPrincipal principal = ferry.getPrincipal();
      return new Actor(principal.tenantId(), principal.username());
    }
    if (authentication instanceof AuditedCaller caller) {
      return new Actor(caller.auditTenantId(), caller.auditActor());
    }
    return null;
  }

  private static String truncate(String value, int length) {
    return value.length() <= length ? value : value.substring(0, length);
  }
}

package io.ferry.systemmanager.internal.agent;

import io.ferry.orchestrator.AgentChannel;
import io.ferry.systemmanager.internal.security.BearerTokenFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer ferry_job_...} on the agent endpoints. Anything else
 * (no token, a user's API token, an unknown, expired or revoked job token) leaves the request
 * unauthenticated, so the entry point answers 401; a refused bearer token is marked so that the
 * answer says INVALID_TOKEN. The token itself is never logged.
 */
class AgentTokenFilter extends OncePerRequestFilter {

  private final AgentChannel channel;

  AgentTokenFilter(AgentChannel channel) {
    this.channel = channel;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    SecurityContextHolder.clearContext();
    if (BearerTokenFilter.hasBearer(request)) {
      String token = request.getHeader("Authorization").substring(7).trim();
      var caller = channel.authenticate(token);
      if (caller.isPresent()) {
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new AgentAuthentication(caller.get()));
        SecurityContextHolder.setContext(context);
      } else {
        request.setAttribute(BearerTokenFilter.INVALID_TOKEN_ATTRIBUTE, Boolean.TRUE);
      }
    }
    chain.doFilter(request, response);
  }
}

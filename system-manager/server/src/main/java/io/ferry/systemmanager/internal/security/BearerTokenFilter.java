package io.ferry.systemmanager.internal.security;

import io.ferry.systemmanager.internal.tenant.AppUserRepository;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer ferry_...} requests. A wrong, expired or revoked token
 * leaves the request unauthenticated and marked, so the entry point answers 401 INVALID_TOKEN.
 * Bearer requests never create a session and are exempt from CSRF checks. For session requests it
 * reloads the signed-in user, so a deleted user's session stops working and a changed role takes
 * effect at the next request.
 */
public class BearerTokenFilter extends OncePerRequestFilter {

  /** Request attribute set when a bearer token was sent but refused. */
  public static final String INVALID_TOKEN_ATTRIBUTE = BearerTokenFilter.class.getName() + ".invalid";

  private final ApiTokenRepository tokens;
  private final AppUserRepository users;
  private final Clock clock;

  public BearerTokenFilter(ApiTokenRepository tokens, AppUserRepository users, Clock clock) {
    this.tokens = tokens;
    this.users = users;
    this.clock = clock;
  }

  /** Whether the request carries a bearer token. */
  public static boolean hasBearer(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (hasBearer(request)) {
      String token = request.getHeader("Authorization").substring(7).trim();
      FerryPrincipal principal =
          tokens
              .findByTokenHash(TokenHashing.hash(token))
              .filter(found -> found.usableAt(clock.instant()))
              .flatMap(found -> users.findById(found.userId()).map(user -> FerryPrincipal.of(user, found.id())))
              .orElse(null);
      if (principal == null) {
        request.setAttribute(INVALID_TOKEN_ATTRIBUTE, Boolean.TRUE);
        SecurityContextHolder.clearContext();
      } else {
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new FerryAuthentication(principal));
        SecurityContextHolder.setContext(context);
      }
    } else if (SecurityContextHolder.getContext().getAuthentication() instanceof FerryAuthentication session) {
      FerryPrincipal current = users.findById(session.getPrincipal().userId()).map(FerryPrincipal::of).orElse(null);
      if (current == null) {
        SecurityContextHolder.clearContext();
      } else if (!current.equals(session.getPrincipal())) {
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new FerryAuthentication(current));
        SecurityContextHolder.setContext(context);
      }
    }
    chain.doFilter(request, response);
  }
}

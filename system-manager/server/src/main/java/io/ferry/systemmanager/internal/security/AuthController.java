package io.ferry.systemmanager.internal.security;

import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.AppUserRepository;
import io.ferry.systemmanager.internal.web.ApiErrorCode;
import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Browser sign-in with a session cookie. */
@RestController
@RequestMapping("/api/v1/auth")
public class AuthController {

  /** What a browser sends to sign in. {@link #toString()} hides the password. */
  public record LoginRequest(
      @NotBlank @Size(max = 100) String username, @NotBlank @Size(max = 200) String password) {
    @Override
    public String toString() {
      return "LoginRequest[username=" + username + ", password=(hidden)]";
    }
  }

  /**
   * The signed-in caller.
   *
   * @param csrfToken the value to send in the X-XSRF-TOKEN header with mutating session requests
   *     (also in the XSRF-TOKEN cookie); absent for bearer-token callers
   */
  public record Me(
      UUID userId, String username, UUID tenantId, String role, boolean platformAdmin, String csrfToken) {}

  private final AppUserRepository users;
  private final PasswordEncoder passwordEncoder;
  private final SecurityContextRepository contextRepository;
  private final String unknownUserHash;

  public AuthController(
      AppUserRepository users, PasswordEncoder passwordEncoder, SecurityContextRepository contextRepository) {
    this.users = users;
    this.passwordEncoder = passwordEncoder;
    this.contextRepository = contextRepository;
    this.unknownUserHash = passwordEncoder.encode(UUID.randomUUID().toString());
  }

  @PostMapping("/login")
  public Me login(
      @Valid @RequestBody LoginRequest login, HttpServletRequest request, HttpServletResponse response) {
    Optional<AppUser> user = users.findByUsername(login.username());
    // Compare against a dummy hash for unknown users so that timing does not reveal names.
    String hash = user.map(AppUser::passwordHash).orElse(unknownUserHash);
    if (!passwordEncoder.matches(login.password(), hash) || user.isEmpty()) {
      throw new ApiException(HttpStatus.UNAUTHORIZED, ApiErrorCode.INVALID_CREDENTIALS, "wrong user name or password");
    }
    HttpSession existing = request.getSession(false);
    if (existing != null) {
      request.changeSessionId();
    }
    FerryPrincipal principal = FerryPrincipal.of(user.get());
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(new FerryAuthentication(principal));
    SecurityContextHolder.setContext(context);
    contextRepository.saveContext(context, request, response);
    return me(principal, request);
  }

  @PostMapping("/logout")
  public ResponseEntity<Void> logout(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.invalidate();
    }
    return ResponseEntity.noContent().build();
  }

  @GetMapping("/me")
  public Me me(HttpServletRequest request) {
    if (SecurityContextHolder.getContext().getAuthentication() instanceof FerryAuthentication ferry) {
      return me(ferry.getPrincipal(), request);
    }
    throw ApiException.unauthenticated();
  }

  private static Me me(FerryPrincipal principal, HttpServletRequest request) {
    String csrf = null;
    if (principal.tokenId() == null && request.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken token) {
      csrf = token.getToken();
    }
    return new Me(principal.userId(), principal.username(), principal.tenantId(), principal.role().name(),
        principal.platformAdmin(), csrf);
  }
}

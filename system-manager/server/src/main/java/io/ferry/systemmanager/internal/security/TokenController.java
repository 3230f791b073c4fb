package io.ferry.systemmanager.internal.security;

import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * API tokens for CI pipelines. A token acts with its user's role; it is shown once at creation and
 * stored only as a SHA-256 hash. Users see and revoke their own tokens; tenant admins every token of
 * their tenant.
 */
@RestController
@RequestMapping("/api/v1/tokens")
public class TokenController {

  /** What to create. */
  public record CreateTokenRequest(@NotBlank @Size(max = 100) String name, @Future Instant expiresAt) {}

  /** A token as lists show it: never the token itself. */
  public record TokenView(
      UUID id, UUID userId, String name, String prefix, Instant createdAt, Instant expiresAt, Instant revokedAt) {
    static TokenView of(ApiToken token) {
      return new TokenView(token.id(), token.userId(), token.name(), token.tokenPrefix(), token.createdAt(),
          token.expiresAt(), token.revokedAt());
    }
  }

  /** A new token: {@code token} is shown this once. */
  public record CreatedToken(UUID id, String name, String token, Instant createdAt, Instant expiresAt) {}

  private final ApiTokenRepository tokens;
  private final TenantScope scope;
  private final Clock clock;

  public TokenController(ApiTokenRepository tokens, TenantScope scope, Clock clock) {
    this.tokens = tokens;
    this.scope = scope;
    this.clock = clock;
  }

  @PostMapping
  @Transactional
  public ResponseEntity<CreatedToken> create(@Valid @RequestBody CreateTokenRequest request) {
    FerryPrincipal principal = scope.principal();
    String token = TokenHashing.newToken();
    ApiToken saved = tokens.save(new ApiToken(principal.tenantId(), principal.userId(), request.name(),
        TokenHashing.hash(token), TokenHashing.displayPrefix(token), clock.instant(), request.expiresAt()));
    return ResponseEntity.created(URI.create("/api/v1/tokens/" + saved.id()))
        .body(new CreatedToken(saved.id(), saved.name(), token, saved.createdAt(), saved.expiresAt()));
  }

  @GetMapping
  @Transactional(readOnly = true)
  public List<TokenView> list() {
    return scope.list(tokens, ApiToken.class, visibleToCaller()).stream().map(TokenView::of).toList();
  }

  @GetMapping("/{id}")
  @Transactional(readOnly = true)
  public TokenView get(@PathVariable UUID id) {
    return TokenView.of(require(id));
  }

  @DeleteMapping("/{id}")
  @Transactional
  public ResponseEntity<Void> revoke(@PathVariable UUID id) {
    require(id).revoke(clock.instant());
    return ResponseEntity.noContent().build();
  }

  private ApiToken require(UUID id) {
    ApiToken token = scope.require(ApiToken.class, id, "token");
    FerryPrincipal principal = scope.principal();
    if (principal.role() != Role.ADMIN && !token.userId().equals(principal.userId())) {
      throw ApiException.notFound("token", id);
    }
    return token;
  }

  private Specification<ApiToken> visibleToCaller() {
    FerryPrincipal principal = scope.principal();
    if (principal.role() == Role.ADMIN) {
      return (root, query, builder) -> builder.conjunction();
    }
    return (root, query, builder) -> builder.equal(root.get("userId"), principal.userId());
  }
}

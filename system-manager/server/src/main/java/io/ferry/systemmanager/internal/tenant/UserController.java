package io.ferry.systemmanager.internal.tenant;

import io.ferry.systemmanager.internal.security.FerryPrincipal;
import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Users of a tenant, managed by its admins (and by platform admins for any tenant). */
@RestController
@RequestMapping("/api/v1/users")
public class UserController {

  /**
   * A new user. {@code tenantId} is only for platform admins; others create users in their tenant.
   */
  public record CreateUserRequest(
      @NotBlank @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9._@-]+", message = "letters, digits and . _ @ -")
          String username,
      @NotBlank @Size(min = 12, max = 200) String password,
      @NotNull Role role,
      UUID tenantId) {
    @Override
    public String toString() {
      return "CreateUserRequest[username=" + username + ", role=" + role + ", password=(hidden)]";
    }
  }

  /** A change: a new role and/or a new password. */
  public record UpdateUserRequest(Role role, @Size(min = 12, max = 200) String password) {
    @Override
    public String toString() {
      return "UpdateUserRequest[role=" + role + "]";
    }
  }

  /** A user as the API shows it: never the password hash. */
  public record UserView(UUID id, UUID tenantId, String username, Role role, boolean platformAdmin, Instant createdAt) {
    static UserView of(AppUser user) {
      return new UserView(user.id(), user.tenantId(), user.username(), user.role(), user.platformAdmin(), user.createdAt());
    }
  }

  private final AppUserRepository users;
  private final TenantScope scope;
  private final PasswordEncoder passwordEncoder;
  private final Clock clock;

  public UserController(AppUserRepository users, TenantScope scope, PasswordEncoder passwordEncoder, Clock clock) {
    this.users = users;
    this.scope = scope;
    this.passwordEncoder = passwordEncoder;
    this.clock = clock;
  }

  @GetMapping
  @Transactional(readOnly = true)
  public List<UserView> list() {
    return scope.list(users, AppUser.class, (root, query, builder) -> builder.conjunction()).stream()
        .map(UserView::of).toList();
  }

  @GetMapping("/{id}")
  @Transactional(readOnly = true)
  public UserView get(@PathVariable UUID id) {
    return UserView.of(scope.require(AppUser.class, id, "user"));
  }

  @PostMapping
  @Transactional
  public ResponseEntity<UserView> create(@Valid @RequestBody CreateUserRequest request) {
    FerryPrincipal principal = scope.principal();
    UUID tenantId = principal.tenantId();
    if (request.tenantId() != null && !request.tenantId().equals(principal.tenantId())) {
      // Only a platform admin sees other tenants; for anyone else this is a missing tenant.
      tenantId = scope.require(Tenant.class, request.tenantId(), "tenant").id();
    }
    if (users.existsByUsername(request.username())) {
      throw ApiException.conflict("the user name '" + request.username() + "' is taken");
    }
    AppUser user = users.save(new AppUser(tenantId, request.username(), passwordEncoder.encode(request.password()),
        request.role(), false, clock.instant()));
    return ResponseEntity.created(URI.create("/api/v1/users/" + user.id())).body(UserView.of(user));
  }

  @PatchMapping("/{id}")
  @Transactional
  public UserView update(@PathVariable UUID id, @Valid @RequestBody UpdateUserRequest request) {
    AppUser user = scope.require(AppUser.class, id, "user");
    if (user.platformAdmin() && !scope.principal().platformAdmin()) {
      throw ApiException.forbidden("only a platform admin changes the platform admin");
    }
    if (request.role() != null) {
      if (user.id().equals(scope.principal().userId()) && request.role() != Role.ADMIN) {
        throw ApiException.conflict("you cannot take away your own admin role");
      }
      user.changeRole(request.role());
    }
    if (request.password() != null) {
      user.changePasswordHash(passwordEncoder.encode(request.password()));
    }
    return UserView.of(user);
  }

  @DeleteMapping("/{id}")
  @Transactional
  public ResponseEntity<Void> delete(@PathVariable UUID id) {
    AppUser user = scope.require(AppUser.class, id, "user");
    if (user.id().equals(scope.principal().userId())) {
      throw ApiException.conflict("you cannot delete yourself");
    }
    if (user.platformAdmin()) {
      throw ApiException.conflict("the platform admin cannot be deleted");
    }
    users.delete(user);
    return ResponseEntity.noContent().build();
  }
}

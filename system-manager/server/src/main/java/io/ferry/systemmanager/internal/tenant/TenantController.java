package io.ferry.systemmanager.internal.tenant;

import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Tenants: everyone sees their own, platform admins see and manage all. */
@RestController
@RequestMapping("/api/v1/tenants")
public class TenantController {

  /** A tenant's name: lower-case letters, digits and dashes. */
  public record TenantRequest(
      @NotBlank @Size(max = 100) @Pattern(regexp = "[a-z0-9][a-z0-9-]*", message = "lower-case letters, digits and dashes")
          String name) {}

  /** A tenant as the API shows it. */
  public record TenantView(UUID id, String name, Instant createdAt) {
    static TenantView of(Tenant tenant) {
      return new TenantView(tenant.id(), tenant.name(), tenant.createdAt());
    }
  }

  private final TenantRepository tenants;
  private final TenantScope scope;
  private final Clock clock;

  public TenantController(TenantRepository tenants, TenantScope scope, Clock clock) {
    this.tenants = tenants;
    this.scope = scope;
    this.clock = clock;
  }

  @GetMapping
  @Transactional(readOnly = true)
  public List<TenantView> list() {
    return scope.list(tenants, Tenant.class, (root, query, builder) -> builder.conjunction()).stream()
        .map(TenantView::of).toList();
  }

  @GetMapping("/{id}")
  @Transactional(readOnly = true)
  public TenantView get(@PathVariable UUID id) {
    return TenantView.of(scope.require(Tenant.class, id, "tenant"));
  }

  @PostMapping
  @Transactional
  public ResponseEntity<TenantView> create(@Valid @RequestBody TenantRequest request) {
    requirePlatformAdmin();
    if (tenants.existsByName(request.name())) {
      throw ApiException.conflict("a tenant named '" + request.name() + "' exists");
    }
    Tenant tenant = tenants.save(new Tenant(request.name(), clock.instant()));
    return ResponseEntity.created(URI.create("/api/v1/tenants/" + tenant.id())).body(TenantView.of(tenant));
  }

  @PatchMapping("/{id}")
  @Transactional
  public TenantView rename(@PathVariable UUID id, @Valid @RequestBody TenantRequest request) {
    Tenant tenant = scope.require(Tenant.class, id, "tenant");
    requirePlatformAdmin();
    if (!tenant.name().equals(request.name()) && tenants.existsByName(request.name())) {
      throw ApiException.conflict("a tenant named '" + request.name() + "' exists");
    }
    tenant.rename(request.name());
    return TenantView.of(tenant);
  }

  private void requirePlatformAdmin() {
    if (!scope.principal().platformAdmin()) {
      throw ApiException.forbidden("only a platform admin manages tenants");
    }
  }
}

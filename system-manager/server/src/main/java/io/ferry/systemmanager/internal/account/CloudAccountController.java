package io.ferry.systemmanager.internal.account;

import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.systemmanager.internal.tenant.TenantScope;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Cloud accounts and the installed plugins. Secrets go in; only their names come out. */
@RestController
public class CloudAccountController {

  /** An account as the API shows it: the names of its secrets, never their values. */
  public record CloudAccountView(
      UUID id, String pluginId, String name, String region, String endpoint, Map<String, String> settings,
      Set<String> secretKeys, Instant imagesRefreshedAt, Instant createdAt, Instant updatedAt) {
    static CloudAccountView of(CloudAccount account) {
      return new CloudAccountView(account.id(), account.pluginId(), account.name(), account.region(),
          account.endpoint(), account.settings(), new TreeSet<>(account.encryptedSecrets().keySet()),
          account.imagesRefreshedAt(), account.createdAt(), account.updatedAt());
    }
  }

  /** One property a plugin accepts. */
  public record PropertyView(String key, String description, boolean required, boolean secret, String defaultValue) {}

  /** An installed plugin. */
  public record PluginView(String id, String displayName, Set<Capability> capabilities, List<PropertyView> properties) {
    static PluginView of(CloudPluginFactory factory) {
      return new PluginView(factory.id(), factory.displayName(), factory.capabilities(),
          factory.configProperties().stream()
              .map(p -> new PropertyView(p.key(), p.description(), p.required(), p.secret(), p.defaultValue()))
              .toList());
    }
  }

  private final CloudAccountService service;
  private final CloudAccountRepository accounts;
  private final PluginRegistry plugins;
  private final TenantScope scope;

  public CloudAccountController(
      CloudAccountService service, CloudAccountRepository accounts, PluginRegistry plugins, TenantScope scope) {
    this.service = service;
    this.accounts = accounts;
    this.plugins = plugins;
    this.scope = scope;
  }

  @GetMapping("/api/v1/plugins")
  public List<PluginView> plugins() {
    return plugins.factories().values().stream().map(PluginView::of).toList();
  }

  @GetMapping("/api/v1/cloud-accounts")
  @Transactional(readOnly = true)
  public List<CloudAccountView> list() {
    return scope.list(accounts, CloudAccount.class, (root, query, builder) -> builder.conjunction()).stream()
        .map(CloudAccountView::of).toList();
  }

  @GetMapping("/api/v1/cloud-accounts/{id}")
  @Transactional(readOnly = true)
  public CloudAccountView get(@PathVariable UUID id) {
    return CloudAccountView.of(service.require(id));
  }

  @PostMapping("/api/v1/cloud-accounts")
  public ResponseEntity<CloudAccountView> create(@Valid @RequestBody CloudAccountRequest request) {
    CloudAccount account = service.create(request);
    return ResponseEntity.created(URI.create("/api/v1/cloud-accounts/" + account.id()))
        .body(CloudAccountView.of(account));
  }

  @PutMapping("/api/v1/cloud-accounts/{id}")
  public CloudAccountView update(@PathVariable UUID id, @Valid @RequestBody CloudAccountRequest request) {
    return CloudAccountView.of(service.update(id, request));
  }

  @DeleteMapping("/api/v1/cloud-accounts/{id}")
  public ResponseEntity<Void> delete(@PathVariable UUID id) {
    service.delete(id);
    return ResponseEntity.noContent().build();
  }
}

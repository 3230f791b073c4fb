package io.ferry.systemmanager.internal.account;

import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.ConfigProperty;
import io.ferry.systemmanager.internal.security.SecretCipher;
import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.ApiErrorCode;
import io.ferry.systemmanager.internal.web.ApiException;
import io.ferry.systemmanager.internal.web.FieldProblem;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Cloud accounts: settings checked against the plugin's declared properties, credentials checked
 * by the plugin on every save, secrets encrypted before they reach the database. Calls to a cloud
 * never run inside a database transaction.
 */
@Service
public class CloudAccountService {

  private static final Logger LOG = LoggerFactory.getLogger(CloudAccountService.class);

  private final CloudAccountRepository accounts;
  private final PluginRegistry plugins;
  private final SecretCipher cipher;
  private final TenantScope scope;
  private final EntityManager entityManager;
  private final TransactionTemplate transactions;
  private final Clock clock;

  public CloudAccountService(
      CloudAccountRepository accounts, PluginRegistry plugins, SecretCipher cipher, TenantScope scope,
      EntityManager entityManager, TransactionTemplate transactions, Clock clock) {
    this.accounts = accounts;
    this.plugins = plugins;
    this.cipher = cipher;
    this.scope = scope;
    this.entityManager = entityManager;
    this.transactions = transactions;
    this.clock = clock;
  }

  /** Creates an account in the caller's tenant. */
  public CloudAccount create(CloudAccountRequest request) {
    return createFor(scope.tenantId(), request);
  }

  /**
   * Creates an account in the given tenant (the caller has checked that it may). The plugin checks
   * the credentials before, and outside, the transaction that stores the account.
   */
  public CloudAccount createFor(UUID tenantId, CloudAccountRequest request) {
    CloudPluginFactory factory = factory(request.pluginId());
    if (accounts.existsByTenantIdAndName(tenantId, request.name())) {
      throw ApiException.conflict("a cloud account named '" + request.name() + "' exists");
    }
    UUID id = UUID.randomUUID();
    Map<String, String> secrets = Objects.requireNonNullElse(request.secrets(), Map.of());
    checkAndValidate(factory, id, request, secrets);
    CloudAccount account = new CloudAccount(id, tenantId, factory.id(), clock.instant());
    account.describe(request.name(), request.region(), request.endpoint(), settings(request), encrypt(id, secrets),
        clock.instant());
    transactions.executeWithoutResult(status -> entityManager.persist(account));
    LOG.info("cloud account {} ({}) created", id, factory.id());
    return account;
  }

  /** Replaces an account's description and settings; secrets only when given. */
  public CloudAccount update(UUID id, CloudAccountRequest request) {
    CloudAccount current = transactions.execute(status -> require(id));
    if (!current.pluginId().equals(request.pluginId())) {
      throw ApiException.invalidField("pluginId", "the plugin of an account cannot change");
    }
    if (!current.name().equals(request.name()) && accounts.existsByTenantIdAndName(current.tenantId(), request.name())) {
      throw ApiException.conflict("a cloud account named '" + request.name() + "' exists");
    }
    Map<String, String> secrets = request.secrets() != null ? request.secrets() : decryptSecrets(current);
    checkAndValidate(factory(current.pluginId()), id, request, secrets);
    Map<String, String> encrypted = encrypt(id, secrets);
    CloudAccount updated = transactions.execute(status -> {
      CloudAccount account = require(id);
      account.describe(request.name(), request.region(), request.endpoint(), settings(request), encrypted,
          clock.instant());
      return account;
    });
    LOG.info("cloud account {} updated", id);
    return updated;
  }

  /** Deletes an account that no migration refers to. */
  @Transactional
  public void delete(UUID id) {
    CloudAccount account = require(id);
    Long migrations = entityManager.createQuery(
            "select count(m) from Migration m where m.sourceAccountId = :id or m.targetAccountId = :id", Long.class)
        .setParameter("id", id)
        .getSingleResult();
    if (migrations > 0) {
      throw ApiException.conflict("the cloud account is used by " + migrations + " migration(s)");
    }
    accounts.delete(account);
    LOG.info("cloud account {} deleted", id);
  }

  /** The account if the caller's tenant owns it. */
  public CloudAccount require(UUID id) {
    return scope.require(CloudAccount.class, id, "cloud account");
  }

  /** A plugin instance for the account, with its secrets decrypted; the caller closes it. */
  public CloudPlugin open(CloudAccount account) {
    return plugins.open(factory(account.pluginId()), config(account.id(), account.region(), account.endpoint(),
        account.settings(), decryptSecrets(account)));
  }

  /**
   * Any tenant's account as the orchestrator's workers need it (they run outside a request, so
   * without a caller's scope): plugin id, configuration with decrypted secrets, and the cloud layer
   * its images carry (the {@code layer} setting, else the plugin id unless that is {@code local}).
   *
   * @throws FerryException NOT_FOUND when the account does not exist (any more)
   */
  public io.ferry.orchestrator.ResolvedAccount resolveForOrchestrator(UUID id) {
    CloudAccount account = transactions.execute(status -> accounts.findById(id).orElse(null));
    if (account == null) {
      throw new FerryException(io.ferry.standardization.ErrorCode.NOT_FOUND, "no cloud account " + id);
    }
    String layer = account.settings().get("layer");
    if (layer == null || layer.isBlank()) {
      layer = "local".equals(account.pluginId()) ? null : account.pluginId();
    }
    return new io.ferry.orchestrator.ResolvedAccount(account.pluginId(), config(account.id(), account.region(),
        account.endpoint(), account.settings(), decryptSecrets(account)), layer);
  }

  /** The plugin's factory; the account's plugin may have been uninstalled since. */
  public CloudPluginFactory factory(String pluginId) {
    return plugins.find(pluginId).orElseThrow(() -> new ApiException(HttpStatus.BAD_REQUEST,
        ApiErrorCode.PLUGIN_NOT_INSTALLED.name(), "no cloud plugin '" + pluginId + "' is installed; installed: "
            + plugins.factories().keySet(), List.of(new FieldProblem("pluginId", "not installed"))));
  }

  private void checkAndValidate(
      CloudPluginFactory factory, UUID id, CloudAccountRequest request, Map<String, String> secrets) {
    Map<String, ConfigProperty> declared =
        factory.configProperties().stream().collect(Collectors.toMap(ConfigProperty::key, Function.identity()));
    Map<String, String> settings = settings(request);
    List<FieldProblem> problems = new ArrayList<>();
    settings.keySet().forEach(key -> {
      ConfigProperty property = declared.get(key);
      if (property == null) {
        problems.add(new FieldProblem("settings." + key, "unknown setting of plugin " + factory.id()));
      } else if (property.secret()) {
        problems.add(new FieldProblem("settings." + key, "is a secret: send it in secrets"));
      }
    });
    secrets.keySet().forEach(key -> {
      ConfigProperty property = declared.get(key);
      if (property == null) {
        problems.add(new FieldProblem("secrets." + key, "unknown secret of plugin " + factory.id()));
      } else if (!property.secret()) {
        problems.add(new FieldProblem("secrets." + key, "is not a secret: send it in settings"));
      }
    });
    for (ConfigProperty property : declared.values()) {
      Map<String, String> values = property.secret() ? secrets : settings;
      if (property.required() && property.defaultValue() == null && !values.containsKey(property.key())) {
        problems.add(new FieldProblem((property.secret() ? "secrets." : "settings.") + property.key(), "is required"));
      }
    }
    if (!problems.isEmpty()) {
      problems.sort((a, b) -> a.field().compareTo(b.field()));
      throw new ApiException(HttpStatus.BAD_REQUEST, ApiErrorCode.VALIDATION_FAILED.name(),
          "the settings do not match plugin " + factory.id(), problems);
    }
    CloudAccountConfig config = config(id, request.region(), request.endpoint(), settings, secrets);
    try (CloudPlugin plugin = plugins.open(factory, config)) {
      plugin.validate();
    } catch (FerryException e) {
      LOG.info("cloud account {} refused by plugin {}: {}", id, factory.id(), e.code());
      throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, ApiErrorCode.CLOUD_ACCOUNT_REJECTED.name(),
          "plugin " + factory.id() + " refused the account (" + e.code() + "): " + e.getMessage(), List.of());
    }
  }

  private static Map<String, String> settings(CloudAccountRequest request) {
    return Objects.requireNonNullElse(request.settings(), Map.of());
  }

  private static CloudAccountConfig config(
      UUID id, String region, String endpoint, Map<String, String> settings, Map<String, String> secrets) {
    return new CloudAccountConfig(id.toString(), region, endpoint, settings, secrets);
  }

  private Map<String, String> encrypt(UUID id, Map<String, String> secrets) {
    Map<String, String> encrypted = new HashMap<>();
    secrets.forEach((key, value) -> encrypted.put(key, cipher.encrypt(value, id + "/" + key)));
    return encrypted;
  }

  private Map<String, String> decryptSecrets(CloudAccount account) {
    Map<String, String> plain = new HashMap<>();
    account.encryptedSecrets().forEach((key, value) -> plain.put(key, cipher.decrypt(value, account.id() + "/" + key)));
    return plain;
  }
}

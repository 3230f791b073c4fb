package io.ferry.systemmanager.internal.tenant;

import io.ferry.systemmanager.internal.FerryProperties;
import io.ferry.systemmanager.internal.account.CloudAccountRequest;
import io.ferry.systemmanager.internal.account.CloudAccountRepository;
import io.ferry.systemmanager.internal.account.CloudAccountService;
import io.ferry.systemmanager.internal.account.PluginRegistry;
import io.ferry.systemmanager.internal.web.ApiException;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.StringUtils;

/**
 * First start: the default tenant, the platform admin (password from {@code
 * ferry.bootstrap.admin-password}, else generated, printed once to the console and written to
 * {@code ${ferry.home}/initial-admin-password} with mode 0600) and, when plugin {@code local} is
 * installed, the local cloud account of the default tenant. Later starts change nothing.
 */
@Component
public class Bootstrap implements ApplicationRunner {

  private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
  static final String LOCAL_PLUGIN = "local";
  static final String LOCAL_ACCOUNT_NAME = "local";

  private final FerryProperties properties;
  private final TenantRepository tenants;
  private final AppUserRepository users;
  private final CloudAccountRepository accounts;
  private final CloudAccountService accountService;
  private final PluginRegistry plugins;
  private final PasswordEncoder passwordEncoder;
  private final TransactionTemplate transactions;
  private final Clock clock;

  public Bootstrap(
      FerryProperties properties, TenantRepository tenants, AppUserRepository users, CloudAccountRepository accounts,
      CloudAccountService accountService, PluginRegistry plugins, PasswordEncoder passwordEncoder,
      TransactionTemplate transactions, Clock clock) {
    this.properties = properties;
    this.tenants = tenants;
    this.users = users;
    this.accounts = accounts;
    this.accountService = accountService;
    this.plugins = plugins;
    this.passwordEncoder = passwordEncoder;
    this.transactions = transactions;
    this.clock = clock;
  }

  @Override
  public void run(ApplicationArguments arguments) {
    bootstrap();
  }

  /** Creates what is missing; safe to call on every start. */
  public void bootstrap() {
    Tenant tenant = transactions.execute(status -> tenants.findByName(properties.bootstrap().defaultTenant())
        .orElseGet(() -> {
          LOG.info("Creating the default tenant '{}'", properties.bootstrap().defaultTenant());
          return tenants.save(new Tenant(properties.bootstrap().defaultTenant(), clock.instant()));
        }));
    transactions.executeWithoutResult(status -> {
      if (!users.existsByPlatformAdminTrue()) {
        createPlatformAdmin(tenant);
      }
    });
    registerLocalCloud(tenant);
  }

  private void createPlatformAdmin(Tenant tenant) {
    String username = properties.bootstrap().adminUsername();
    String password = properties.bootstrap().adminPassword();
    boolean generated = !StringUtils.hasText(password);
    if (generated) {
      password = generatePassword();
    }
    users.save(new AppUser(tenant.id(), username, passwordEncoder.encode(password), Role.ADMIN, true, clock.instant()));
    if (generated) {
      Path file = properties.home().resolve("initial-admin-password");
      writePrivate(file, password);
      // Printed to the console once, on purpose not through the logger.
      System.out.println();
      System.out.println("Ferry: created the platform admin '" + username + "' with the generated password: " + password);
      System.out.println("Ferry: the password is also in " + file + " (mode 0600); change it after signing in.");
      System.out.println();
    }
    LOG.info("Created the platform admin '{}' in tenant '{}'", username, tenant.name());
  }

  private void registerLocalCloud(Tenant tenant) {
    if (plugins.find(LOCAL_PLUGIN).isEmpty() || accounts.existsByTenantIdAndPluginId(tenant.id(), LOCAL_PLUGIN)) {
      return;
    }
    Path directory = properties.home().resolve("local-cloud");
    try {
      Files.createDirectories(directory);
      accountService.createFor(tenant.id(), new CloudAccountRequest(LOCAL_PLUGIN, LOCAL_ACCOUNT_NAME, null, null,
          Map.of("directory", directory.toString()), Map.of()));
      LOG.info("Registered the local cloud (directory {}) for tenant '{}'", directory, tenant.name());
    } catch (ApiException | FerryException | IOException e) {
      LOG.warn("Could not register the local cloud in {}: {}", directory, e.getMessage());
    }
  }

  private static String generatePassword() {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    SecureRandom random = new SecureRandom();
    StringBuilder password = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      password.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return password.toString();
  }

  private static void writePrivate(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, content + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}

package io.ferry.systemmanager.support;

import io.ferry.systemmanager.FerryServerApplication;
import io.ferry.systemmanager.internal.security.ApiToken;
import io.ferry.systemmanager.internal.security.ApiTokenRepository;
import io.ferry.systemmanager.internal.security.TokenHashing;
import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.AppUserRepository;
import io.ferry.systemmanager.internal.tenant.Role;
import io.ferry.systemmanager.internal.tenant.Tenant;
import io.ferry.systemmanager.internal.tenant.TenantRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the API integration tests: the whole server on a random port, on the shared embedded
 * PostgreSQL, every table emptied before each test. All subclasses share one Spring context.
 */
@AutoConfigureObservability(tracing = false)
@SpringBootTest(classes = FerryServerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ApiIntegrationTest {

  /** The master key of the tests (base64 of 32 bytes). */
  public static final String MASTER_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  public static final String BOOTSTRAP_PASSWORD = "bootstrap-admin-password";
  public static final String PASSWORD = "a-long-test-password";

  private static final Path HOME = createHome();

  @LocalServerPort protected int port;
  @Autowired protected JdbcTemplate jdbc;
  @Autowired protected TenantRepository tenants;
  @Autowired protected AppUserRepository users;
  @Autowired protected ApiTokenRepository tokens;
  @Autowired protected PasswordEncoder passwordEncoder;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", TestDatabase::url);
    registry.add("spring.datasource.username", () -> "postgres");
    registry.add("ferry.home", HOME::toString);
    registry.add("ferry.security.master-key", () -> MASTER_KEY);
    registry.add("ferry.bootstrap.admin-password", () -> BOOTSTRAP_PASSWORD);
  }

  private static Path createHome() {
    try {
      return Files.createTempDirectory("ferry-test-home");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  protected static Path home() {
    return HOME;
  }

  @BeforeEach
  void emptyTables() {
    jdbc.execute("truncate table audit_event, migration_step, migration, catalogue_image, cloud_account, api_token,"
        + " app_user, tenant cascade");
    FakeCloudPluginFactory.IMAGES.clear();
  }

  /** A tenant. */
  protected Tenant tenant(String name) {
    return tenants.save(new Tenant(name, Instant.now()));
  }

  /** A user with {@link #PASSWORD}. */
  protected AppUser user(Tenant tenant, String username, Role role) {
    return users.save(new AppUser(tenant.id(), username, passwordEncoder.encode(PASSWORD), role, false, Instant.now()));
  }

  /** A platform admin with {@link #PASSWORD}. */
  protected AppUser platformAdmin(Tenant tenant, String username) {
    return users.save(new AppUser(tenant.id(), username, passwordEncoder.encode(PASSWORD), Role.ADMIN, true, Instant.now()));
  }

  /** A client with a fresh API token of the user. */
  protected Api as(AppUser user) {
    String token = TokenHashing.newToken();
    tokens.save(new ApiToken(user.tenantId(), user.id(), "test", TokenHashing.hash(token),
        TokenHashing.displayPrefix(token), Instant.now(), null));
    return Api.bearer(port, token);
  }

  /** A browser signed in as the user. */
  protected Api browser(String username, String password) {
    Api browser = Api.browser(port);
    Api.Response login = browser.post("/api/v1/auth/login", Map.of("username", username, "password", password));
    if (login.status() != 200) {
      throw new AssertionError("login failed: " + login);
    }
    return browser;
  }

  /** A request body for a fake cloud account. */
  protected static Map<String, Object> fakeAccount(String name, String password) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("pluginId", "fake");
    body.put("name", name);
    body.put("region", "eu-1");
    body.put("settings", Map.of("location", "loc-" + name));
    body.put("secrets", Map.of("password", password));
    return body;
  }

  /** Creates a fake account through the API and returns its id. */
  protected UUID createAccount(Api api, String name, String password) {
    Api.Response created = api.post("/api/v1/cloud-accounts", fakeAccount(name, password));
    if (created.status() != 201) {
      throw new AssertionError("account not created: " + created);
    }
    return UUID.fromString(created.json().get("id").asText());
  }

  /** Creates a migration through the API and returns its id. */
  protected UUID createMigration(Api api, UUID source, UUID target) {
    Api.Response created = api.post("/api/v1/migrations",
        Map.of("sourceAccountId", source, "sourceImageId", "img-debian", "targetAccountId", target,
            "options", Map.of("targetImageName", "copy")));
    if (created.status() != 201) {
      throw new AssertionError("migration not created: " + created);
    }
    return UUID.fromString(created.json().get("id").asText());
  }

  /** Row counts of every table but the audit log (which records even refused requests). */
  protected Map<String, Long> rowCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String table : List.of("tenant", "app_user", "api_token", "cloud_account", "catalogue_image", "migration",
        "migration_step")) {
      counts.put(table, jdbc.queryForObject("select count(*) from " + table, Long.class));
    }
    return counts;
  }
}

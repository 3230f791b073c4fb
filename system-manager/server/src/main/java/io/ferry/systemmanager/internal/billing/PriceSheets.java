package io.ferry.systemmanager.internal.billing;

import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.PriceSheet;
import io.ferry.systemmanager.internal.account.CloudAccount;
import io.ferry.systemmanager.internal.account.CloudAccountService;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The prices of an account: the admin's override when there is one, else the price sheet the
 * account's plugin publishes ({@link CloudPlugin#prices()}), else free when the plugin cannot say.
 * The caller has checked, through the tenant scope, that the account is the caller's.
 */
@Service
public class PriceSheets {

  private static final Logger LOG = LoggerFactory.getLogger(PriceSheets.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A price sheet and where it came from.
   *
   * @param source {@code override} or {@code plugin}
   */
  public record Prices(PriceSheet sheet, String source) {}

  private final JdbcTemplate jdbc;
  private final CloudAccountService accounts;
  private final Clock clock;

  public PriceSheets(JdbcTemplate jdbc, CloudAccountService accounts, Clock clock) {
    this.jdbc = jdbc;
    this.accounts = accounts;
    this.clock = clock;
  }

  /** The account's prices (the plugin is asked outside any transaction by the callers). */
  public Prices prices(CloudAccount account) {
    Optional<PriceSheet> override = override(account.id());
    if (override.isPresent()) {
      return new Prices(override.get(), "override");
    }
    try (CloudPlugin plugin = accounts.open(account)) {
      return new Prices(plugin.prices(), "plugin");
    } catch (FerryException e) {
      LOG.warn("plugin {} published no prices for account {}: {}", account.pluginId(), account.id(), e.code());
      return new Prices(PriceSheet.free(), "plugin");
    }
  }

  /** The admin's override of the account, if any. */
  public Optional<PriceSheet> override(UUID accountId) {
    List<PriceSheet> found = jdbc.query(
        "select egress_per_gb, helper_vm_per_hour, image_storage_per_gb_month, object_storage_per_gb_month, extra"
            + " from price_override where cloud_account_id = ?",
        (row, index) -> new PriceSheet(row.getBigDecimal(1), row.getBigDecimal(2), row.getBigDecimal(3),
            row.getBigDecimal(4), readExtra(row.getString(5))),
        accountId);
    return found.stream().findFirst();
  }

  /** Replaces the account's override. */
  public void override(CloudAccount account, PriceSheet sheet) {
    jdbc.update(
        "insert into price_override (cloud_account_id, tenant_id, egress_per_gb, helper_vm_per_hour,"
            + " image_storage_per_gb_month, object_storage_per_gb_month, extra, updated_at)"
            + " values (?, ?, ?, ?, ?, ?, ?::jsonb, ?) on conflict (cloud_account_id) do update set"
            + " egress_per_gb = excluded.egress_per_gb, helper_vm_per_hour = excluded.helper_vm_per_hour,"
            + " image_storage_per_gb_month = excluded.image_storage_per_gb_month,"
            + " object_storage_per_gb_month = excluded.object_storage_per_gb_month, extra = excluded.extra,"
            + " updated_at = excluded.updated_at",
        account.id(), account.tenantId(), sheet.egressPerGb(), sheet.helperVmPerHour(), sheet.imageStoragePerGbMonth(),
        sheet.objectStoragePerGbMonth(), writeExtra(sheet.extra()), java.sql.Timestamp.from(clock.instant()));
  }

  /** Removes the account's override: the plugin's sheet applies again. */
  public void removeOverride(CloudAccount account) {
    jdbc.update("delete from price_override where cloud_account_id = ?", account.id());
  }

  private static Map<String, BigDecimal> readExtra(String json) {
    try {
      return json == null ? Map.of() : JSON.readValue(json, new TypeReference<HashMap<String, BigDecimal>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("price_override.extra is not a JSON object of numbers", e);
    }
  }

  private static String writeExtra(Map<String, BigDecimal> extra) {
    try {
      return JSON.writeValueAsString(extra);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

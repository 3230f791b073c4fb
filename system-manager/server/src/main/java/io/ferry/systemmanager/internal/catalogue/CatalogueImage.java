package io.ferry.systemmanager.internal.catalogue;

import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.systemmanager.internal.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One image of a cloud account as the plugin listed it at the last refresh. */
@Entity
@Table(name = "catalogue_image")
public class CatalogueImage implements TenantOwned {

  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false)
  private UUID tenantId;

  @Column(name = "cloud_account_id", nullable = false)
  private UUID cloudAccountId;

  @Column(name = "image_id", nullable = false)
  private String imageId;

  private String name;
  private String version;
  private String format;

  @Column(name = "virtual_size", nullable = false)
  private long virtualSize;

  @Column(name = "os_name")
  private String osName;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private Architecture architecture;

  @Enumerated(EnumType.STRING)
  @Column(name = "boot_mode", nullable = false)
  private BootMode bootMode;

  @Column(name = "cloud_layer")
  private String cloudLayer;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false)
  private Map<String, String> tags = new HashMap<>();

  @Column(name = "image_created_at")
  private Instant imageCreatedAt;

  @Column(name = "refreshed_at", nullable = false)
  private Instant refreshedAt;

  protected CatalogueImage() {}

  public CatalogueImage(UUID tenantId, UUID cloudAccountId, ImageInfo image, Instant refreshedAt) {
    this.id = UUID.randomUUID();
    this.tenantId = tenantId;
    this.cloudAccountId = cloudAccountId;
    this.imageId = image.id();
    this.name = image.name();
    this.version = image.version();
    this.format = image.format() == null ? null : image.format().name();
    this.virtualSize = image.virtualSize();
    this.osName = image.osName();
    this.architecture = image.architecture() == null ? Architecture.UNKNOWN : image.architecture();
    this.bootMode = image.bootMode() == null ? BootMode.UNKNOWN : image.bootMode();
    this.cloudLayer = image.cloudLayer();
    this.tags = new HashMap<>(image.tags());
    this.imageCreatedAt = image.createdAt();
    this.refreshedAt = refreshedAt;
  }

  public UUID id() {
    return id;
  }

  @Override
  public UUID tenantId() {
    return tenantId;
  }

  public UUID cloudAccountId() {
    return cloudAccountId;
  }

  public String imageId() {
    return imageId;
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public String format() {
    return format;
  }

  public long virtualSize() {
    return virtualSize;
  }

  public String osName() {
    return osName;
  }

  public Architecture architecture() {
    return architecture;
  }

  public BootMode bootMode() {
    return bootMode;
  }

  public String cloudLayer() {
    return cloudLayer;
  }

  public Map<String, String> tags() {
    return Map.copyOf(tags);
  }

  public Instant imageCreatedAt() {
    return imageCreatedAt;
  }

  public Instant refreshedAt() {
    return refreshedAt;
  }
}

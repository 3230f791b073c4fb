package io.ferry.systemmanager.internal.trigger;

import io.ferry.systemmanager.internal.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A trigger: when it fires, the matching images of the source account are migrated to each target. */
@Entity
@Table(name = "migration_trigger")
public class MigrationTrigger implements TenantOwned {

  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false)
  private UUID tenantId;

  @Column(name = "owner_user_id", nullable = false)
  private UUID ownerUserId;

  @Column(nullable = false)
  private String name;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private TriggerKind kind;

  private String cron;

  @Column(name = "source_account_id", nullable = false)
  private UUID sourceAccountId;

  @Column(name = "image_name_pattern", nullable = false)
  private String imageNamePattern;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "image_tags", nullable = false)
  private Map<String, String> imageTags = new HashMap<>();

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "target_account_ids", nullable = false)
  private List<UUID> targetAccountIds = new ArrayList<>();

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false)
  private Map<String, String> options = new HashMap<>();

  @Column(name = "price_drop_percent")
  private BigDecimal priceDropPercent;

  @Column(nullable = false)
  private boolean enabled;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  @Column(name = "last_evaluated_at")
  private Instant lastEvaluatedAt;

  protected MigrationTrigger() {}

  public MigrationTrigger(UUID tenantId, UUID ownerUserId, Instant now) {
    this.id = UUID.randomUUID();
    this.tenantId = tenantId;
    this.ownerUserId = ownerUserId;
    this.createdAt = now;
    this.updatedAt = now;
  }

  void describe(TriggerRequest request, Instant now) {
    this.name = request.name();
    this.kind = request.kind();
    this.cron = request.cron();
    this.sourceAccountId = request.sourceAccountId();
    this.imageNamePattern = Objects.requireNonNullElse(request.imageNamePattern(), "*");
    this.imageTags = new HashMap<>(Objects.requireNonNullElse(request.imageTags(), Map.of()));
    this.targetAccountIds = new ArrayList<>(request.targetAccountIds());
    this.options = new HashMap<>(Objects.requireNonNullElse(request.options(), Map.of()));
    this.priceDropPercent = request.priceDropPercent();
    this.enabled = request.enabled() == null || request.enabled();
    this.updatedAt = now;
  }

  /** Whether an image's name (its id when it has none) and tags match. */
  boolean matches(String imageId, String imageName, Map<String, String> tags) {
    String subject = imageName == null ? imageId : imageName;
    if (!glob(imageNamePattern, subject)) {
      return false;
    }
    return imageTags.entrySet().stream().allMatch(tag -> tag.getValue().equals(tags.get(tag.getKey())));
  }

  /** {@code *} any run of characters, {@code ?} one character, everything else literally. */
  static boolean glob(String pattern, String value) {
    StringBuilder regex = new StringBuilder();
    for (char character : pattern.toCharArray()) {
      switch (character) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(java.util.regex.Pattern.quote(String.valueOf(character)));
      }
    }
    return value != null && value.matches(regex.toString());
  }

  public UUID id() {
    return id;
  }

  @Override
  public UUID tenantId() {
    return tenantId;
  }

  public UUID ownerUserId() {
    return ownerUserId;
  }

  public String name() {
    return name;
  }

  public TriggerKind kind() {
    return kind;
  }

  public String cron() {
    return cron;
  }

  public UUID sourceAccountId() {
    return sourceAccountId;
  }

  public String imageNamePattern() {
    return imageNamePattern;
  }

  public Map<String, String> imageTags() {
    return Map.copyOf(imageTags);
  }

  public List<UUID> targetAccountIds() {
    return List.copyOf(targetAccountIds);
  }

  public Map<String, String> options() {
    return Map.copyOf(options);
  }

  public BigDecimal priceDropPercent() {
    return priceDropPercent;
  }

  public boolean enabled() {
    return enabled;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public Instant lastEvaluatedAt() {
    return lastEvaluatedAt;
  }
}

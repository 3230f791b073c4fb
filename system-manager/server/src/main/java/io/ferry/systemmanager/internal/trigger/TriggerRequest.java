package io.ferry.systemmanager.internal.trigger;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A trigger as an admin writes it.
 *
 * @param cron SCHEDULE: Spring's six-field cron expression, UTC, such as {@code 0 0 2 * * *}
 * @param imageNamePattern the image names to migrate ({@code *} and {@code ?} wildcards), default {@code *}
 * @param imageTags tags the images must carry with these values
 * @param targetAccountIds where each matching image goes (strip once, deploy to many)
 * @param options the migrations' options
 * @param priceDropPercent PRICE: fire when a target's monthly running cost is at least this much below the source's
 * @param enabled default true
 */
public record TriggerRequest(
    @NotBlank @Size(max = 100) String name,
    @NotNull TriggerKind kind,
    @Size(max = 100) String cron,
    @NotNull UUID sourceAccountId,
    @Size(max = 200) String imageNamePattern,
    @Size(max = 20) Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 500) String> imageTags,
    @NotEmpty @Size(max = 20) List<@NotNull UUID> targetAccountIds,
    @Size(max = 50) Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 1000) String> options,
    @DecimalMin("0") @DecimalMax("100") BigDecimal priceDropPercent,
    Boolean enabled) {}

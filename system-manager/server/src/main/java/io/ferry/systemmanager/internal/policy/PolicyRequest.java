package io.ferry.systemmanager.internal.policy;

import io.ferry.systemmanager.internal.tenant.Role;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * A policy as an admin writes it.
 *
 * @param subjectRole the role it applies to (exactly that role), or null
 * @param subjectUsername the user it applies to, or null
 * @param sourceAccountIds ACCESS/APPROVAL: the source accounts (empty: any)
 * @param targetAccountIds ACCESS/APPROVAL: the target accounts (empty: any)
 * @param regions ACCESS: the regions both accounts must be in (empty: any)
 * @param maxImageBytes LIMIT: the largest source image
 * @param maxConcurrentMigrations LIMIT: migrations of the tenant not yet ended (waiting for approval excluded)
 * @param monthlyBudget LIMIT: US dollars per calendar month (UTC) for the whole tenant
 * @param approvalMinCost APPROVAL: only migrations estimated at least this much wait (null: all matching)
 */
public record PolicyRequest(
    @NotBlank @Size(max = 100) String name,
    @NotNull PolicyKind kind,
    Role subjectRole,
    @Size(max = 100) String subjectUsername,
    @Size(max = 100) List<@NotNull UUID> sourceAccountIds,
    @Size(max = 100) List<@NotNull UUID> targetAccountIds,
    @Size(max = 100) List<@NotBlank @Size(max = 100) String> regions,
    @Min(1) Long maxImageBytes,
    @Min(0) Integer maxConcurrentMigrations,
    @DecimalMin("0") @Digits(integer = 10, fraction = 4) BigDecimal monthlyBudget,
    @DecimalMin("0") @Digits(integer = 10, fraction = 4) BigDecimal approvalMinCost) {}

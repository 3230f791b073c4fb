package io.ferry.systemmanager.internal.billing;

import java.math.BigDecimal;

/**
 * What a migration costs, in US dollars. Data is priced per GB of 10^9 bytes.
 *
 * @param sourcePluginId the source account's plugin
 * @param targetPluginId the target account's plugin
 * @param bytesToMove the source image's size: what leaves the source (an upper bound, zero blocks are not sent)
 * @param helperMode whether the target needs a helper VM (no direct upload)
 * @param helperHours helper VM hours, whole hours, 0 in direct mode
 * @param egress the source's egress for the data to move
 * @param helper the helper VM hours at the target's price
 * @param imageStoragePerMonth the registered image in the target, per month
 * @param bundleStoragePerMonth the bundle in the image store, per month (at the source account's object storage price)
 * @param total the sum of the four
 */
public record CostEstimate(
    String sourcePluginId,
    String targetPluginId,
    long bytesToMove,
    boolean helperMode,
    long helperHours,
    BigDecimal egress,
    BigDecimal helper,
    BigDecimal imageStoragePerMonth,
    BigDecimal bundleStoragePerMonth,
    BigDecimal total) {}

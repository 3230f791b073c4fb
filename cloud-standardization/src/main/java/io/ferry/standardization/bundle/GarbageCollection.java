package io.ferry.standardization.bundle;

import java.time.Instant;

/**
 * What one garbage collection did.
 *
 * @param cutoff chunks last modified before this instant and referenced by no manifest or
 *     journal were deleted
 * @param chunksExamined chunks listed
 * @param chunksReferenced chunks still referenced by a manifest or an unfinished bundle's journal
 * @param chunksDeleted unreferenced chunks older than the cutoff, deleted
 * @param bytesDeleted their stored size
 * @param chunksInGrace unreferenced chunks kept because they are younger than the cutoff
 */
public record GarbageCollection(
    Instant cutoff,
    long chunksExamined,
    long chunksReferenced,
    long chunksDeleted,
    long bytesDeleted,
    long chunksInGrace) {}

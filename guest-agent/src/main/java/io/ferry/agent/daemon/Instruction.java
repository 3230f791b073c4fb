package io.ferry.agent.daemon;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One instruction from the control plane.
 *
 * @param id unique within the job; the agent runs each id at most once
 * @param operation detect, strip, inject, undo, restore or digest
 * @param root the OS root directory to work on (a mounted volume on the helper), or null
 * @param image an image file or block device to mount instead of {@code root}, or null; for
 *     restore and digest the device (or file) to write or hash
 * @param partition the root partition's number with {@code image}, or null
 * @param cloud the source cloud (strip) or target cloud (inject)
 * @param dryRun plan only
 * @param runId the run to revert (undo), or null for the latest
 * @param bundleId the bundle to restore (restore), fetched from the control plane
 * @param size how many bytes of {@code image} to hash (digest), or null for all of it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Instruction(
    String id,
    String operation,
    String root,
    String image,
    Integer partition,
    String cloud,
    boolean dryRun,
    String runId,
    String bundleId,
    Long size) {}

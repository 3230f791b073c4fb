package io.ferry.agent.layer;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One change to one path inside the root.
 *
 * @param path the absolute path inside the root
 * @param action what was done
 * @param sha256Before the content's SHA-256 before (hex), null when there was no regular file
 * @param sha256After the content's SHA-256 after (hex), null when there is no regular file
 * @param linkTargetBefore the symbolic link's target before, for link changes
 * @param linkTargetAfter the symbolic link's target after, for link changes
 * @param backup where the old content was kept, relative to the run's backup area, or null
 *     (never for secrets)
 * @param permissions the POSIX permissions of the old file ({@code rw-r--r--}), or null
 * @param reason why the agent made the change
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Change(
    String path,
    ChangeAction action,
    String sha256Before,
    String sha256After,
    String linkTargetBefore,
    String linkTargetAfter,
    String backup,
    String permissions,
    String reason) {}

package io.ferry.agent.layer;

/** What the agent did to one path. */
public enum ChangeAction {
  /** A new regular file was written. */
  CREATED,
  /** An existing regular file was rewritten; its old content is in the backup area. */
  MODIFIED,
  /** A file was removed; its content is in the backup area. */
  REMOVED,
  /** A secret was deleted and never copied anywhere; undo cannot bring it back. */
  SECRET_DELETED,
  /** A symbolic link was created (a unit enabled or masked). */
  SYMLINK_CREATED,
  /** A symbolic link was removed (a unit disabled or unmasked); undo recreates it. */
  SYMLINK_REMOVED,
  /** A directory was created. */
  DIRECTORY_CREATED,
  /** An empty directory was removed (its name may identify the instance); undo recreates it. */
  DIRECTORY_REMOVED,
  /**
   * A file was rebuilt (or created or removed, see the hashes) by the guest's own tool (initramfs,
   * grub.cfg); not backed up: undo restores the configuration and runs the tool again.
   */
  REGENERATED
}

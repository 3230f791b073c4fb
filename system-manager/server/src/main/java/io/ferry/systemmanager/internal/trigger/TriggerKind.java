package io.ferry.systemmanager.internal.trigger;

/** What makes a trigger fire. */
public enum TriggerKind {
  /** A cron schedule (Spring's six fields, UTC): at each due time, the matching images are migrated. */
  SCHEDULE,
  /** A new or updated matching image in the source account (a changed image version). */
  IMAGE,
  /** A target's estimated monthly cost of running a matching image is below the source's by a percentage. */
  PRICE
}

/**
 * Offline mode: strip or inject an image file of any format by loop-mounting its root partition.
 * No mount and no loop device outlives a run, also on failure.
 */
package io.ferry.agent.offline;

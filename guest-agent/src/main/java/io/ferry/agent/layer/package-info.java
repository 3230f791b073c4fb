/**
 * The guest agent's work on an operating system root: {@link io.ferry.agent.layer.LayerAgent}
 * detects, strips, injects and undoes cloud layers and reports every change as {@link
 * io.ferry.agent.layer.ChangeReport}.
 */
package io.ferry.agent.layer;

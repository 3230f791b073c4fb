/** Internal to the guest agent: root-confined file access, detection, strip, inject, undo. */
package io.ferry.agent.layer.internal;

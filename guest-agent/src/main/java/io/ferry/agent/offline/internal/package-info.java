/** Internal to the guest agent: partition tables, file system UUIDs, loop devices. Not an API. */
package io.ferry.agent.offline.internal;

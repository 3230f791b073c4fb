package io.ferry.plugin.tck;

import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CloudPluginFactory;
import java.util.EnumSet;
import java.util.Set;

/** Variants of the in-memory fake, each broken or limited in one way, under the contract. */
final class BrokenPluginContracts {

  private BrokenPluginContracts() {}

  /** deleteTagged forgets volumes. */
  static class LeaksVolumes extends InMemoryPluginContract {
    @Override
    protected CloudPluginFactory factory() {
      return new InMemoryCloudPluginFactory() {
        @Override
        protected boolean leaksVolumes() {
          return true;
        }
      };
    }
  }

  /** Unknown settings are accepted. */
  static class AcceptsUnknownSettings extends InMemoryPluginContract {
    @Override
    protected CloudPluginFactory factory() {
      return new InMemoryCloudPluginFactory() {
        @Override
        protected boolean refusesUnknownKeys() {
          return false;
        }
      };
    }
  }

  /** Declares only listing and export. */
  static class ListsAndExportsOnly extends InMemoryPluginContract {
    @Override
    protected CloudPluginFactory factory() {
      return new InMemoryCloudPluginFactory() {
        @Override
        public Set<Capability> capabilities() {
          return EnumSet.of(Capability.LIST_IMAGES, Capability.EXPORT_IMAGE);
        }
      };
    }
  }
}

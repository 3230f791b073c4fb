package io.ferry.plugin.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Builds an executable jar holding {@link FakeGuestAgent}, for {@code java -jar}. */
final class FakeAgentJar {

  private FakeAgentJar() {}

  static Path build(Path directory) throws IOException {
    Path jar = directory.resolve("fake-agent.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeGuestAgent.class.getName());
    String entry = FakeGuestAgent.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream output = new JarOutputStream(file, manifest);
        InputStream classFile = FakeGuestAgent.class.getClassLoader().getResourceAsStream(entry)) {
      if (classFile == null) {
        throw new IOException("class file not found: " + entry);
      }
      output.putNextEntry(new JarEntry(entry));
      classFile.transferTo(output);
      output.closeEntry();
    }
    return jar;
  }
}

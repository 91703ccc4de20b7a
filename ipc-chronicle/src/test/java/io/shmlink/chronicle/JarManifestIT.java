package io.shmlink.chronicle;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar's manifest carries every flag the module needs, in the form {@code java -jar} reads.
 */
class JarManifestIT
{
    @Test
    void theJarManifestCarriesEveryFlagChronicleFlagsNames() throws IOException
    {
        try (JarFile jar = new JarFile(System.getProperty("shmlink.chronicle.jar")))
        {
            final Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.shmlink.chronicle", main.getValue("Automatic-Module-Name"));
            final List<String> opens = List.of(main.getValue("Add-Opens").split(" "));
            final List<String> exports = List.of(main.getValue("Add-Exports").split(" "));
            assertTrue(opens.contains("java.base/jdk.internal.misc") && opens.contains("java.base/java.lang.reflect"),
                "Add-Opens: " + opens);
            assertTrue(exports.contains("java.base/sun.nio.ch") && exports.contains("java.base/jdk.internal.ref"),
                "Add-Exports: " + exports);
            for (final String flag : ChronicleFlags.CLASS_PATH_FLAGS.split(" --"))
            {
                final String[] parts = flag.replace("--", "").split(" ");
                final String packageName = parts[1].replace("=ALL-UNNAMED", "");
                assertTrue((parts[0].equals("add-opens") ? opens : exports).contains(packageName), flag);
            }
        }
    }
}

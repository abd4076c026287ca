package io.ringside.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM started without the project's flags is refused with the flags to add, not an IllegalAccessError from a library.
 */
class JvmFlagsTest
{
    /** Starts an engine, then makes off-heap state: the child's main. */
    public static final class Embedder
    {
        public static void main(final String[] args) throws Exception
        {
            if (args.length > 0)
            {
                new io.ringside.engine.state.KeyedStore("cards", 1_000, 64).close();
                return;
            }
            final Path dir = Files.createTempDirectory("ringside-flags-");
            try (Engine engine = new Engine(new EngineContext().directory(dir).handlers(shard -> (event, context) -> { })).start())
            {
                System.out.println("started, journal " + engine.context().journalDirectory());
            }
        }
    }

    @Test
    void thisTestJvmHasEveryFlag()
    {
        assertEquals(java.util.List.of(), JvmFlags.missing());
    }

    @Test
    void anEngineWithoutTheFlagsIsRefusedWithTheFlagsToAdd() throws Exception
    {
        final String printed = runWith(java.util.List.of());
        assertTrue(printed.contains("IllegalStateException: the engine needs JVM flags this JVM was started without: add " +
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"), printed);
        assertTrue(!printed.contains("IllegalAccessError"), printed);
    }

    @Test
    void offHeapStateWithoutTheFlagsIsRefusedWithTheFlagsToAdd() throws Exception
    {
        final String printed = runWith(java.util.List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"), "state");
        assertTrue(printed.contains("KeyedStore (off-heap keyed state in Chronicle Map) needs JVM flags this JVM was started without: add " +
            "--add-opens=java.base/java.lang=ALL-UNNAMED"), printed);
    }

    /**
     * Runs {@link Embedder} in a child JVM with only these JVM flags (not the project's).
     */
    private static String runWith(final java.util.List<String> jvmFlags, final String... args) throws Exception
    {
        final Process child = ChildJvm.startWith(jvmFlags, Embedder.class, args);
        try
        {
            final String printed = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child ended");
            assertNotEquals(0, child.exitValue(), printed);
            return printed;
        }
        finally
        {
            child.destroyForcibly();
        }
    }
}

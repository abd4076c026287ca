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
        final String printed = runWithoutFlags();
        assertTrue(printed.contains("IllegalStateException: the engine needs JVM flags this JVM was started without: add " +
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"), printed);
        assertTrue(!printed.contains("IllegalAccessError"), printed);
    }

    @Test
    void offHeapStateWithoutTheFlagsIsRefusedWithTheFlagsToAdd() throws Exception
    {
        final String printed = runWithoutFlags("state", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
        assertTrue(printed.contains("KeyedStore (off-heap keyed state in Chronicle Map) needs JVM flags this JVM was started without: add " +
            "--add-opens=java.base/java.lang=ALL-UNNAMED"), printed);
    }

    /**
     * @param args the child's arguments; one that starts with "--" is a JVM flag for the child instead.
     */
    private static String runWithoutFlags(final String... args) throws Exception
    {
        final java.util.List<String> childArgs = new java.util.ArrayList<>();
        final java.util.List<String> jvmFlags = new java.util.ArrayList<>();
        for (final String arg : args)
        {
            (arg.startsWith("--") ? jvmFlags : childArgs).add(arg);
        }
        final Process child = ChildJvm.startWith(jvmFlags, Embedder.class, childArgs.toArray(new String[0]));
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

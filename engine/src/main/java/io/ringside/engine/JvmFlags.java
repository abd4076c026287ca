package io.ringside.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JVM flags Ringside needs, checked before they are needed, so that a JVM started without them gets a refusal
 * that lists the flags to add instead of an {@link IllegalAccessError} from deep inside a library. The engine needs
 * Agrona's access to {@code jdk.internal.misc}; the off-heap state ({@code io.ringside.engine.state}, Chronicle Map)
 * needs all of them. The project's launcher and tests pass them (the parent pom's {@code ringside.jvm.flags},
 * listed in tuning.md).
 */
public final class JvmFlags
{
    /** Every flag the off-heap state needs, as given on the command line. */
    public static final List<String> ALL = List.of(
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
    private static final String ENGINE_FLAG = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private JvmFlags()
    {
    }

    /**
     * @return the flags of {@link #ALL} this JVM was started without (for this class's module), in that order.
     */
    public static List<String> missing()
    {
        final List<String> missing = new ArrayList<>();
        for (final String flag : ALL)
        {
            if (!granted(flag))
            {
                missing.add(flag);
            }
        }
        return missing;
    }

    /**
     * @param who what needs the flags, for the message.
     * @return true (so that a class can check in its first field's initializer, before any other runs).
     * @throws IllegalStateException naming every missing flag, if the off-heap state's flags are not all given.
     */
    public static boolean requireForState(final String who)
    {
        final List<String> missing = missing();
        if (!missing.isEmpty())
        {
            throw refusal(who, missing);
        }
        return true;
    }

    /**
     * @throws IllegalStateException if the flag the engine itself needs (Agrona's Unsafe access) is not given.
     */
    static boolean requireForEngine()
    {
        if (!granted(ENGINE_FLAG))
        {
            throw refusal("the engine", List.of(ENGINE_FLAG));
        }
        return true;
    }

    private static IllegalStateException refusal(final String who, final List<String> missing)
    {
        return new IllegalStateException(who + " needs JVM flags this JVM was started without: add " + String.join(" ", missing) +
            " (the whole set, for the engine and its off-heap state: " + String.join(" ", ALL) + "; see tuning.md, 'JVM flags')" +
            (ModuleLayer.boot().findModule("jdk.compiler").isEmpty() ? ". This Java is a runtime without jdk.compiler: Chronicle Map " +
            "compiles classes at run time and needs a full JDK" : ""));
    }

    private static boolean granted(final String flag)
    {
        // --add-opens=MODULE/PACKAGE=ALL-UNNAMED or --add-exports=...
        final boolean opens = flag.startsWith("--add-opens=");
        final String target = flag.substring(flag.indexOf('=') + 1, flag.lastIndexOf('='));
        final String moduleName = target.substring(0, target.indexOf('/'));
        final String packageName = target.substring(target.indexOf('/') + 1);
        final Optional<Module> module = ModuleLayer.boot().findModule(moduleName);
        if (module.isEmpty())
        {
            return false;   // jdk.compiler: a JRE, not a JDK
        }
        final Module us = JvmFlags.class.getModule();
        return opens ? module.get().isOpen(packageName, us) : module.get().isExported(packageName, us);
    }
}

package io.ringside.engine;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;

import javax.management.AttributeNotFoundException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An engine's counters read over the platform MBean server as a monitoring agent reads them.
 */
class JmxCountersTest
{
    private static final int EVENTS = 321;

    @TempDir
    Path dir;

    @Test
    void shouldExposeEveryCounterAsALiveAttributeUntilClosed() throws Exception
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        final ObjectName name = JmxCounters.objectName("jmx-test");
        final EngineContext ctx = EngineTestSupport.context(dir).handlers(shard -> (event, context) ->
        {
        });
        try (Engine engine = new Engine(ctx).start(); JmxCounters jmx = JmxCounters.register(engine, "jmx-test"))
        {
            assertEquals(name, jmx.objectName());
            final AtomicCounter lag = engine.counters().newCounter("kafka t/0 lag");   // a component's, added later
            lag.set(17);
            final EventPublisher publisher = engine.newPublisher(1);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < EVENTS; i++)
            {
                publisher.publish(i, event, 0, 8);
            }
            EngineTestSupport.await(() -> engine.counters().processed() == EVENTS, () -> "all processed");

            final String[] attributes = Arrays.stream(server.getMBeanInfo(name).getAttributes()).map(a -> a.getName()).toArray(String[]::new);
            final String published = Arrays.stream(attributes).filter(a -> a.contains("events published")).findFirst().orElseThrow(
                () -> new AssertionError("no published counter among " + Arrays.toString(attributes)));
            // the counters file is refreshed once a second: what stat and JMX show is at most that old
            EngineTestSupport.await(() -> attribute(server, name, published) == EVENTS,
                () -> published + " over JMX: " + attribute(server, name, published) + ", expected " + EVENTS);
            assertEquals(17L, server.getAttribute(name, "kafka t/0 lag"));
            assertThrows(AttributeNotFoundException.class, () -> server.getAttribute(name, "no such counter"));
            final IllegalStateException twice = assertThrows(IllegalStateException.class, () -> JmxCounters.register(engine, "jmx-test"));
            assertTrue(twice.getMessage().contains("jmx-test"), twice.getMessage());
        }
        assertFalse(server.isRegistered(name), "closing the registration unregisters it");
    }

    private static long attribute(final MBeanServer server, final ObjectName name, final String attribute)
    {
        try
        {
            return (Long)server.getAttribute(name, attribute);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("reading " + attribute, ex);
        }
    }
}
